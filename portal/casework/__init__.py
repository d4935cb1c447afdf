"""What the school and front-door modules share: the vocabulary of harm and levels, the working-day
clock, the chronology, and attachments."""

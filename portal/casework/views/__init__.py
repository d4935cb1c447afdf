"""The shared casework pages, by topic: the chronology, manual entries, files (attachments and exports), the
working-day calendar."""

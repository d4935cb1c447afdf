"""Referrals from a school's DSL to children's social care, with feedback and the one-working-day clock."""

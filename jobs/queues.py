"""Queues, named by purpose. A worker can be started for some of them only (``flask jobs worker -q``)."""

QUEUES = {
    "notifications": "Emails and in-app notifications: people are waiting for these.",
    "sla": "Clocks and escalations (referral deadlines, overdue actions).",
    "imports": "Register imports, checked and applied whole; slow, so kept apart.",
    "exports": "PDF and CSV exports; slow, so kept apart.",
    "maintenance": "Retention, clean-up and the outbox relay.",
}

#: The order a worker listens in: the most urgent first.
PRIORITY = ["notifications", "sla", "imports", "exports", "maintenance"]

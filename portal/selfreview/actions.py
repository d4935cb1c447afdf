"""The audited actions of this feature: self-review, the governor report and the school's training and review dates."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Self-review, the governor report and the school's training and review dates. (With the actions every feature records: portal.audit.actions.)"""

    # Self-review: a school's review against the seeds' questions (details: keys and ratings only).
    SELF_REVIEW_STARTED = "self_review.started"
    SELF_REVIEW_ANSWERED = "self_review.answered"
    SELF_REVIEW_COMPLETED = "self_review.completed"
    SELF_REVIEW_ACTION_ADDED = "self_review.action_added"
    SELF_REVIEW_ACTION_UPDATED = "self_review.action_updated"
    # The identifiable-child check found something and the person confirmed it is not about a real child
    # (details: the kinds and how many, never the words).
    SELF_REVIEW_CHILD_CHECK_CONFIRMED = "self_review.child_check_confirmed"
    # The governor report (counts only; details: the school year) and the school's training and review dates.
    GOVERNOR_REPORT_VIEWED = "governor_report.viewed"
    GOVERNOR_REPORT_DOWNLOADED = "governor_report.downloaded"
    ASSURANCE_DATES_SAVED = "assurance_dates.saved"

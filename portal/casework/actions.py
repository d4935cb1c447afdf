"""The audited actions of this feature: attachments, the chronology and its exports, the working-day calendar, the school holidays."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Attachments, the chronology and its exports, the working-day calendar, the school holidays. (With the actions every feature records: portal.audit.actions.)"""

    ATTACHMENT_UPLOADED = "attachment.uploaded"
    ATTACHMENT_REJECTED = "attachment.rejected"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded"
    CHRONOLOGY_VIEWED = "chronology.viewed"
    EXPORT_REQUESTED = "export.requested"
    EXPORT_BUILT = "export.built"
    EXPORT_REFUSED = "export.refused"
    EXPORT_DOWNLOADED = "export.downloaded"
    EXPORT_REMOVED = "export.removed"
    ORPHANED_FILES_REMOVED = "files.orphans_removed"
    CALENDAR_CHANGED = "authority.calendar_changed"
    SCHOOL_HOLIDAYS_CHANGED = "authority.school_holidays_changed"
    MANUAL_ENTRY_ADDED = "chronology.manual_entry_added"
    MANUAL_ENTRY_CHANGED = "chronology.manual_entry_changed"
    ENTRY_MARKED_SIGNIFICANT = "chronology.marked_significant"
    ENTRY_UNMARKED_SIGNIFICANT = "chronology.unmarked_significant"

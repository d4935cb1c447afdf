"""The audited actions of this feature: the pupil register."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """The pupil register. (With the actions every feature records: portal.audit.actions.)"""

    # Casework: every change to child-level data, and every read of it (RECORD_VIEWED above).
    PUPIL_CREATED = "pupil.created"
    PUPIL_UPDATED = "pupil.updated"
    PUPILS_IMPORTED = "pupil.imported"
    PUPILS_IMPORT_UPLOADED = "pupil.import_uploaded"
    PUPILS_IMPORT_REFUSED = "pupil.import_refused"

"""The audited actions of this feature: school assessments."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """School assessments. (With the actions every feature records: portal.audit.actions.)"""

    ASSESSMENT_STAGE_CHANGED = "assessment.stage_changed"
    ASSESSMENT_NOTE_ADDED = "assessment.note_added"
    ASSESSMENT_FINDING_ADDED = "assessment.finding_added"
    ASSESSMENT_FINDING_UPDATED = "assessment.finding_updated"
    ASSESSMENT_METHOD_ADDED = "assessment.method_added"
    ASSESSMENT_METHOD_UPDATED = "assessment.method_updated"
    ASSESSMENT_SURVEY_UPLOADED = "assessment.survey_uploaded"
    ASSESSMENT_SURVEY_IMPORTED = "assessment.survey_imported"
    ASSESSMENT_SURVEY_IMPORT_REFUSED = "assessment.survey_import_refused"
    ASSESSMENT_REVIEW_SAVED = "assessment.review_saved"

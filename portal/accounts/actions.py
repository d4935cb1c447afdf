"""The audited actions of this feature: signing in and out, two-factor authentication, passwords and invitations."""

from __future__ import annotations

from portal.audit.actions import Action as CoreAction


class Action(CoreAction):
    """Signing in and out, two-factor authentication, passwords and invitations. (With the actions every feature records: portal.audit.actions.)"""

    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    LOCKED_OUT = "auth.locked_out"
    SESSION_EXPIRED = "auth.session_expired"
    TWO_FACTOR_ENROLLED = "auth.two_factor_enrolled"
    TWO_FACTOR_SECRETS_RESEALED = "auth.two_factor_secrets_resealed"
    TWO_FACTOR_FAILED = "auth.two_factor_failed"
    TWO_FACTOR_RESET = "auth.two_factor_reset"
    RECOVERY_CODE_USED = "auth.recovery_code_used"
    PASSWORD_CHANGED = "auth.password_changed"
    PASSWORD_CHANGE_REFUSED = "auth.password_change_refused"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"
    PASSWORD_RESET = "auth.password_reset"
    INVITATION_SENT = "account.invitation_sent"
    INVITATION_ACCEPTED = "account.invitation_accepted"
    USER_DEACTIVATED = "account.deactivated"
    USER_REACTIVATED = "account.reactivated"
    USER_UPDATED = "account.updated"

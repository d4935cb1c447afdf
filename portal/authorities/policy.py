"""Organisations (every member of the authority may see their names and kinds; an administrator manages
them) and the duties the authority names people for."""

from __future__ import annotations

from sqlalchemy import true

from portal.authorities.models import AuthorityDuty, Organisation
from portal.policies import Policy, admin_may, admin_only

POLICIES: dict[type, Policy] = {
    # Organisation names and kinds are not sensitive: every member of the authority may see them
    # (to address a referral, invite a partner). Only an authority administrator manages them.
    Organisation: Policy(visible=lambda user: true(), allows=admin_may),
    AuthorityDuty: Policy(visible=admin_only, allows=admin_may),
}

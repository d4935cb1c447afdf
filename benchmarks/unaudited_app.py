"""The portal with its audit's sealing switched off, for `make bench` only: the audited-vs-unaudited
concurrency ratio. The events each request records are dropped at commit instead of sealed into the
chain (no lock, no read of the chain's last row, no hashing, no insert); everything else is the portal
as ``wsgi:app`` serves it. Never served outside the bench."""

from sqlalchemy import event

from portal.audit.service import PENDING, _seal
from tenants.orm import TenantSession
from wsgi import app


def _drop_pending(session) -> None:
    session.info.pop(PENDING, None)


event.remove(TenantSession, "before_commit", _seal)
event.listen(TenantSession, "before_commit", _drop_pending)

__all__ = ["app"]

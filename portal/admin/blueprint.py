"""The administration blueprint, and the gate of its pages: every page module of the authority's
administration adds its routes to it, and each page needs the ``authority_admin`` role (403 otherwise,
audited)."""

from flask import Blueprint

from portal.accounts.models import Role
from portal.policies import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

admin_only = roles_required(Role.AUTHORITY_ADMIN)

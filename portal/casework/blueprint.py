"""The casework blueprint: the shared casework pages (``portal.casework.views``) add their routes to it."""

from flask import Blueprint

bp = Blueprint("casework", __name__, template_folder="templates")

"""The concerns blueprint: the pages of concerns (``portal.concerns.views``) add their routes to it."""

from flask import Blueprint

bp = Blueprint("concerns", __name__, template_folder="templates")

"""The pupils blueprint: the pages of the pupil register (``portal.pupils.views``) add their routes to it."""

from flask import Blueprint

bp = Blueprint("pupils", __name__, template_folder="templates")

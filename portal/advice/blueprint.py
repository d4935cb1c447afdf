"""The advice blueprint: the pages of advice requests (``portal.advice.views``) add their routes to it."""

from flask import Blueprint

bp = Blueprint("advice", __name__, template_folder="templates")

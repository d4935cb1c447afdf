"""The dashboard blueprint: the home page and the dashboard of figures (``portal.dashboard.views``) add
their routes to it."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, template_folder="templates")

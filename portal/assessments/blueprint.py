"""The assessments blueprint: every page module of the workspace adds its routes to it."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, template_folder="templates")

"""The forums blueprint: every page module of the DSL network adds its routes to it."""

from flask import Blueprint

bp = Blueprint("forums", __name__, template_folder="templates")

"""The self-review blueprint: every page module of self-review and assurance adds its routes to it."""

from flask import Blueprint

bp = Blueprint("selfreview", __name__, template_folder="templates")

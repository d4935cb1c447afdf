"""The disagreements blueprint: every page module of disagreements adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("disagreements", __name__, template_folder="templates")

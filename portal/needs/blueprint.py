"""The needs blueprint (the levels-of-need guidance and threshold calibration)."""

from flask import Blueprint

bp = Blueprint("needs", __name__, template_folder="templates")

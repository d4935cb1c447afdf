"""Pages of the pupils module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pupils", __name__)

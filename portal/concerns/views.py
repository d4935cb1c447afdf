"""Pages of the concerns module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("concerns", __name__)

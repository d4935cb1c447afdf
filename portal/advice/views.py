"""Pages of the advice module."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("advice", __name__)

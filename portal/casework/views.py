"""Shared casework pages: a pupil's chronology and its PDF exports, and attachment downloads."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("casework", __name__)

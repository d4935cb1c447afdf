"""The blueprint of the public pages (accessibility statement, privacy notice, cookies). The error pages are
not on it: ``portal.pages.errors`` registers them on the app."""

from flask import Blueprint

bp = Blueprint("pages", __name__, template_folder="templates")

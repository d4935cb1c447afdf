"""The notifications blueprint: the page of a person's notifications adds its routes to it."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")

"""The meetings blueprint: every page module of the school partnership meetings adds its routes to it."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, template_folder="templates")

"""The accounts blueprint: the pages for signing in and out, two-factor authentication, invitations,
password resets and the account page add their routes to it."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, template_folder="templates")

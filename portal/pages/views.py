"""Public pages: the accessibility statement, the privacy notice and the cookies page."""

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")

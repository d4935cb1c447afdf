"""Public pages: the accessibility statement, the privacy notice and the cookies page."""

from flask import render_template

from portal.pages.blueprint import bp


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")

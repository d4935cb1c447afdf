"""Pages for signing in and out, two-factor authentication, invitations, password resets and the
account page."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.accounts import service
from portal.accounts.blueprint import bp
from portal.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    RecoveryCodeForm,
    SignInForm,
    TwoFactorForm,
)
from portal.accounts.models import TokenPurpose, UserSession
from portal.accounts.security import find_token, new_totp_secret, password_problem, split_token, totp_uri
from portal.accounts.sessions import SESSION_EXPIRED, current_authority
from portal.authorities.models import Authority
from portal.extensions import db, limiter
from portal.qr import qr_svg
from portal.text import normalise_email
from tenants.context import tenant_scope

TOTP_SETUP_SECRET = "totp_setup_secret"


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


def _attempt_key() -> str:
    """Who is being tried, from where: the address with the account asked for (the email, the account
    owing a second factor, or the link). Keyed this way, one person's mistakes do not lock out the rest
    of a school that shares one public address; the looser per-address limit still holds."""
    pending = session.get(service.PENDING_TWO_FACTOR) or {}
    target = normalise_email(request.form.get("email")) or pending.get("u") or request.path
    return f"{request.remote_addr}|{target}"


def rate_limited(view):
    """The sign-in family's limits (POST only): per address and account, and per address."""
    view = limiter.limit(_login_rate_limit, key_func=_attempt_key, methods=["POST"])(view)
    return limiter.limit(_address_rate_limit, methods=["POST"])(view)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in. Control characters are refused: browsers (and
    Werkzeug, writing the Location header) drop tabs and newlines, so ``/<TAB>/evil.example`` would
    become ``//evil.example``, another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and not any(ch < " " or ch == "\x7f" for ch in target):
        return target
    return url_for("dashboard.home")


def _minutes(count: int) -> str:
    return "1 minute" if count == 1 else f"{count} minutes"


@bp.route("/sign-in", methods=["GET", "POST"])
@rate_limited
def sign_in():
    """Email and password; then the second factor if the account has one."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignInForm()
    if form.validate_on_submit():
        with service.even_time():
            outcome = service.sign_in_with_password(form.email.data, form.password.data)
        if outcome.status == "signed_in":
            return redirect(_safe_next(request.args.get("next")))
        if outcome.status == "two_factor":
            return redirect(url_for("accounts.sign_in_two_factor", next=request.args.get("next")))
        # A locked account gets the same answer as a wrong password or an unknown address (its owner is
        # told by email): the page never confirms that an address has an account.
        form.password.errors.append("Enter a correct email address and password")
        form.password.data = ""
    # The timeout is noticed on whatever page the browser asked for, which then sends it here.
    expired = bool(session.pop(SESSION_EXPIRED, False) or g.get("session_expired"))
    if expired:
        session.pop("_flashes", None)  # the explanation replaces the generic "Sign in to continue."
    return render_template("accounts/sign_in.html", form=form, expired=expired)


def _second_factor(recovery: bool):
    if service.pending_two_factor() is None:
        flash("Your sign-in timed out. Sign in again.")
        return redirect(url_for("accounts.sign_in"))
    form = RecoveryCodeForm() if recovery else TwoFactorForm()
    if form.validate_on_submit():
        outcome = service.sign_in_second_factor(form.code.data, recovery=recovery)
        if outcome.status == "signed_in":
            if outcome.recovery_codes_left is not None:
                flash(
                    f"You signed in with a recovery code. You have {outcome.recovery_codes_left} left. "
                    "If you have lost your phone, ask your authority administrator to reset your two-factor authentication."
                )
            return redirect(_safe_next(request.args.get("next")))
        if outcome.status == "expired":
            flash("Your sign-in timed out. Sign in again.")
            return redirect(url_for("accounts.sign_in"))
        if outcome.status == "locked":
            form.code.errors.append(f"You have entered the wrong details too many times. Try again in {_minutes(outcome.locked_minutes)}.")
        else:
            form.code.errors.append(
                "The recovery code is not right, or has been used"
                if recovery
                else "The security code is not right, or has been used already. Wait for a new code and try again"
            )
        form.code.data = ""
    return render_template("accounts/two_factor.html", form=form, recovery=recovery)


@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@rate_limited
def sign_in_two_factor():
    return _second_factor(recovery=False)


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@rate_limited
def sign_in_recovery():
    return _second_factor(recovery=True)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if current_user.is_authenticated:
        service.sign_out(current_user._get_current_object())
        db.session.commit()
    else:
        session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account")
@login_required
def account():
    sessions = (
        db.session.execute(
            select(UserSession).where(UserSession.user_id == current_user.id, UserSession.revoked_at.is_(None)).order_by(UserSession.last_seen_at.desc())
        )
        .scalars()
        .all()
    )
    return render_template("accounts/account.html", sessions=sessions, current_session_id=g.get("user_session_id"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@rate_limited
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not service.current_password_accepted(user, form.current_password.data):
            form.current_password.errors.append("Your current password is not right")
            db.session.commit()
        elif problem := password_problem(form.password.data, email=user.email, name=user.full_name):
            form.password.errors.append(problem)
        else:
            service.change_password(user, form.password.data)
            db.session.commit()
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    """Set up an authenticator app: scan the QR code (or type the key), enter a code, save recovery codes."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return render_template("accounts/two_factor_on.html")
    secret = session.get(TOTP_SETUP_SECRET)
    if not secret:
        secret = new_totp_secret()
        session[TOTP_SETUP_SECRET] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        codes = service.enrol_two_factor(user, secret, form.code.data)
        if codes is not None:
            db.session.commit()
            session.pop(TOTP_SETUP_SECRET, None)
            # Shown once, in this response only: the codes are never stored in a readable form.
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append("The security code is not right. Check the time on your phone is correct and try the newest code")
        form.code.data = ""
    grouped_secret = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "accounts/two_factor_setup.html",
        form=form,
        qr_svg=qr_svg(totp_uri(user, secret)),
        secret=grouped_secret,
        required=current_authority().require_two_factor,
    )


@bp.route("/password-reset", methods=["GET", "POST"])
@rate_limited
def password_reset_request():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        with service.even_time():
            service.request_password_reset(form.email.data)
        return render_template("accounts/password_reset_sent.html", email=form.email.data)
    return render_template("accounts/password_reset_request.html", form=form)


def _split_or_404(raw: str):
    """``(authority_id, secret)`` from a token in a URL (the token is then looked up in that authority)."""
    parts = split_token(raw)
    if parts is None:
        abort(404)
    return parts


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@rate_limited
def password_reset(token):
    authority_id, secret = _split_or_404(token)
    with tenant_scope(authority_id):
        account_token, problem = find_token(secret, TokenPurpose.PASSWORD_RESET)
        if account_token is None:
            abort(404)
        user = account_token.user
        if problem or user.status != "active":
            return render_template("accounts/token_problem.html", problem=problem or "used", purpose="password reset link"), 410
        form = NewPasswordForm()
        if form.validate_on_submit():
            if problem := password_problem(form.password.data, email=user.email, name=user.full_name):
                form.password.errors.append(problem)
            else:
                service.reset_password(account_token, form.password.data)
                db.session.commit()
                flash(
                    "Your password has been reset. Sign in with your new password"
                    + (" and a security code from your authenticator app." if user.two_factor_enabled else "."),
                    "success",
                )
                return redirect(url_for("accounts.sign_in"))
        return render_template("accounts/password_reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@rate_limited
def accept_invitation(token):
    """Someone invited by their authority administrator sets their name and password.

    Someone already signed in is asked to sign out first, rather than signed out by opening a link
    (a link or image crafted by someone else must not be able to end their session)."""
    if current_user.is_authenticated:
        return render_template("accounts/signed_in_already.html"), 409
    authority_id, secret = _split_or_404(token)
    with tenant_scope(authority_id):
        account_token, problem = find_token(secret, TokenPurpose.INVITATION)
        if account_token is None:
            abort(404)
        user = account_token.user
        if problem or user.status != "invited":
            return render_template("accounts/token_problem.html", problem=problem or "used", purpose="invitation"), 410
        form = AcceptInvitationForm()
        if request.method == "GET":
            form.full_name.data = user.full_name
        if form.validate_on_submit():
            if problem := password_problem(form.password.data, email=user.email, name=form.full_name.data):
                form.password.errors.append(problem)
            else:
                service.accept_invitation(account_token, full_name=form.full_name.data.strip(), password=form.password.data)
                db.session.commit()
                flash("Your account has been created.", "success")
                return redirect(url_for("accounts.two_factor_setup"))
        authority_name = db.session.get(Authority, authority_id).name
        return render_template("accounts/accept_invitation.html", form=form, user=user, invited_to=authority_name)

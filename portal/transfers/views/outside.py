"""The pages a school not on the portal uses: its designated safeguarding lead opens the one-time link
emailed to them, enters the access code the sending DSL gave by phone, downloads the file (its PDF and
attachments in one ZIP) and confirms receipt.

Nobody signs in here. The link's secret starts with the authority's id, so it is looked up only inside that
authority; the page shows that one file and nothing else. A link stops after the receipt, when the sender
revokes it or sends a new one, after too many wrong codes, or after 14 days. Every view is audited in the
sending authority's log.
"""

from __future__ import annotations

import zipfile
from functools import wraps
from io import BytesIO

from flask import abort, current_app, make_response, redirect, render_template, send_file, session, url_for
from flask_login import current_user

from portal.accounts.security import split_token
from portal.audit.service import record
from portal.casework import files
from portal.clock import uk_today, utcnow
from portal.extensions import db, limiter
from portal.transfers import links
from portal.transfers.actions import Action
from portal.transfers.blueprint import bp
from portal.transfers.forms import AccessCodeForm, ReceiptForm
from portal.transfers.models import TransferFile, TransferLink
from portal.uploads import download_name
from tenants.context import tenant_scope

#: The links whose access code this browser has given (ids only).
OPENED = "transfer_links_opened"


def _code_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _private(response):
    """The file's pages are never cached. (The link, in the address, is never sent on to another site: the
    portal's referrer policy is same-origin on every page.)"""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _link_or_404(token: str) -> tuple:
    parts = split_token(token)
    if parts is None:
        abort(404)
    return parts


def _opened_here(link: TransferLink) -> bool:
    return str(link.id) in session.get(OPENED, [])


def _gone(link: TransferLink, problem: str):
    links.link_refused(link, problem)
    db.session.commit()
    return _private((render_template("transfers/outside_gone.html", link=link, problem=problem), 410))


def _file_of(link: TransferLink) -> TransferFile:
    return db.session.execute(db.select(TransferFile).where(TransferFile.transfer_id == link.transfer_id)).scalar_one()


def _file_page(link: TransferLink, receipt: ReceiptForm):
    sent = _file_of(link)
    links.link_seen(link, "file")
    page = render_template(
        "transfers/outside_file.html", link=link, transfer=link.transfer, file=sent.content, note=sent.note, receipt=receipt, ready=files.exists(sent.pdf_key)
    )
    db.session.commit()
    return _private(page)


def _link_page(*, needs_code: bool):
    """Run the page inside the link's authority with the link found: 404 for no such link, "no longer
    works" for one that has stopped, and (``needs_code``) back to the access code for a browser that has
    not given it. A browser signed in to the portal is asked to sign out first (before anything of the
    link is looked up): the file is for someone outside the portal, and a person of one authority is never
    shown a page of another's (as for the tablet links)."""

    def decorate(view):
        @wraps(view)
        def page(token):
            if current_user.is_authenticated:
                record(Action.LINK_REFUSED, object_type="transfer_link", details={"problem": "signed_in"})
                db.session.commit()
                return _private((render_template("transfers/outside_signed_in.html"), 403))
            authority_id, secret = _link_or_404(token)
            with tenant_scope(authority_id):
                link = links.find_link(secret)
                if link is None:
                    abort(404)
                if problem := link.problem(utcnow()):
                    return _gone(link, problem)
                if needs_code and not _opened_here(link):
                    return redirect(url_for("transfers.outside_file", token=token))
                return view(token, link)

        return page

    return decorate


@bp.route("/cp-file/<token>", methods=["GET", "POST"])
@limiter.limit(_code_rate_limit, methods=["POST"])
@_link_page(needs_code=False)
def outside_file(token, link):
    """The access code, then the file and the receipt form."""
    if _opened_here(link):
        return _file_page(link, ReceiptForm())
    form = AccessCodeForm()
    if form.validate_on_submit():
        if links.check_code(link, form.code.data):
            session[OPENED] = [*session.get(OPENED, [])[-9:], str(link.id)]
            db.session.commit()
            return redirect(url_for("transfers.outside_file", token=token))
        db.session.commit()
        if link.ended_at is not None:
            return _gone(link, "ended")
        left = links.WRONG_CODES_ALLOWED - link.wrong_codes
        form.code.errors.append(f"The access code is not right. Check it with the school that sent the file: {left} {'try' if left == 1 else 'tries'} left")
    else:
        links.link_seen(link, "code")
        db.session.commit()
    return _private(render_template("transfers/outside_code.html", link=link, transfer=link.transfer, form=form))


@bp.route("/cp-file/<token>/download")
@_link_page(needs_code=True)
def outside_download(token, link):
    """The whole file in one ZIP: its PDF and every attachment."""
    sent = _file_of(link)
    if not files.exists(sent.pdf_key):
        abort(404)
    reference = link.transfer.pupil.reference.lower()
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(f"cp-file-{reference}.pdf", files.read(sent.pdf_key))
        for number, item in enumerate(sent.content.get("attachments", []), start=1):
            bundle.writestr(f"attachments/{number:02d}-{download_name(item['filename'], item['content_type'])}", files.read(item["storage_key"]))
    links.link_seen(link, "download")
    db.session.commit()
    buffer.seek(0)
    return _private(send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"cp-file-{reference}.zip", max_age=0))


@bp.route("/cp-file/<token>/receipt", methods=["POST"])
@limiter.limit(_code_rate_limit, methods=["POST"])
@_link_page(needs_code=True)
def outside_receipt(token, link):
    """The new school confirms receipt: the link then stops."""
    form = ReceiptForm()
    if form.validate_on_submit() and form.received_on.data > uk_today():
        form.received_on.errors.append("The date received must be today or in the past")
    if form.errors:
        return _file_page(link, form)
    links.give_receipt(link, name=form.name.data.strip(), role=form.role.data.strip(), school=form.school.data.strip(), received_on=form.received_on.data)
    db.session.commit()
    session[OPENED] = [i for i in session.get(OPENED, []) if i != str(link.id)]
    return _private(render_template("transfers/outside_done.html", link=link, transfer=link.transfer))

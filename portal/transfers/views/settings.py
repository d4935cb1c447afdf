"""The authority's setting for child-protection files sent: what a school keeps once the new school has
received one. Kept by the authority's administrator; the removal is done by the ``transfers.dispose_sent_copies``
job."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from portal.accounts.models import Role
from portal.accounts.sessions import current_authority
from portal.audit.service import record
from portal.locking import saving
from portal.policies import roles_required
from portal.transfers.actions import Action
from portal.transfers.blueprint import bp
from portal.transfers.forms import SentCopyForm

admin_only = roles_required(Role.AUTHORITY_ADMIN)


@bp.route("/settings/transfers", methods=["GET", "POST"])
@admin_only
def sent_copies():
    authority = current_authority()
    form = SentCopyForm()
    if request.method == "GET":
        form.keep.data = "copy" if authority.sent_copy_days else "record"
        form.days.data = str(authority.sent_copy_days or "")
        form.version.data = str(authority.version)
    if form.validate_on_submit():
        days = form.kept_days()
        if form.version.version != authority.version:
            form.keep.errors.append("Someone else changed this setting while you were editing it. Check the setting shown and save again")
            form.keep.data = "copy" if authority.sent_copy_days else "record"
            form.days.data, form.version.data = str(authority.sent_copy_days or ""), str(authority.version)
        elif not form.days.errors:
            with saving() as save:
                if authority.sent_copy_days != days:
                    authority.sent_copy_days = days
                    record(Action.SENT_COPY_SETTING_CHANGED, object_type="authority", object_id=authority.id, details={"sent_copy_days": days})
            if save.stale:
                flash("Someone else changed this setting at the same moment. Check it and save again.")
                return redirect(url_for("transfers.sent_copies"))
            flash(
                "Saved: "
                + (
                    f"a school keeps a read-only copy for {days} day{'' if days == 1 else 's'} after the receipt."
                    if days
                    else "a school keeps only the record of the transfer and its receipt."
                ),
                "success",
            )
            return redirect(url_for("transfers.sent_copies"))
    return render_template("transfers/sent_copies.html", form=form)

"""The demo DSL network, ready to use: the authority's administrator is named network lead, three
categories are there, and two threads with replies, so a DSL can read and post at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

CATEGORIES = (
    ("Ask the network", "Questions about practice and procedure. Never name a child or give details that could identify one."),
    ("Training and events", "Training for DSLs, deputies and staff, network meetings and conferences."),
    ("Policy and guidance", "Changes to Keeping Children Safe in Education, local procedures and the partnership's guidance."),
)


def seed_network(users: dict) -> int:
    """Add the demo network for one authority (in its tenant scope) if it has no category. Returns how many
    threads were added."""
    from portal.authorities.models import AuthorityDuty, Duty
    from portal.clock import travel, utcnow
    from portal.extensions import db
    from portal.forums import service
    from portal.forums.models import ForumCategory

    lead = users["admin"]
    if not db.session.execute(select(AuthorityDuty.id).where(AuthorityDuty.duty == Duty.NETWORK_LEAD)).first():
        db.session.add(AuthorityDuty(user_id=lead.id, duty=Duty.NETWORK_LEAD))
    if db.session.execute(select(func.count()).select_from(ForumCategory)).scalar_one():
        return 0
    categories = [
        service.add_category({"name": name, "description": description, "position": position}, actor_id=lead.id)
        for position, (name, description) in enumerate(CATEGORIES, start=1)
    ]
    now = utcnow()
    with travel(now - timedelta(days=2), tick=True):
        thread, _ = service.start_thread(
            categories[0],
            title="Sending a child protection file to a college that is not on the portal",
            body=(
                "One of our Year 6 pupils is moving out of the area to a school that does not use the portal. "
                "Has anyone used the one-time link yet? Do you phone the access code through to the DSL before or after the email arrives?"
            ),
            author_id=users["dsl.oakfield"].id,
        )
    with travel(now - timedelta(days=1), tick=True):
        service.add_reply(
            thread,
            body=(
                "I phoned first, so that the DSL knew to expect the email, then gave the code once they had the link open. "
                "They confirmed receipt the same afternoon and the transfer page showed it straight away."
            ),
            author_id=users["dsl.riverside"].id,
        )
    with travel(now - timedelta(hours=5), tick=True):
        service.start_thread(
            categories[1],
            title="DSL refresher training: spring term dates",
            body="The partnership runs the two-year DSL refresher on 3 February and 10 March, 9:30am to 3:30pm. Book through the training team.",
            author_id=lead.id,
        )
    return 2

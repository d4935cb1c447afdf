"""The DSL network's daily digest, run as the portal runs it: the scheduler enqueues ``forums.daily_digest``
each morning for every authority. Each person who follows something gets one email a day listing the
threads with new posts the day before (the UK day, GMT or BST) that they may see, not their own: titles,
counts and links, never what was written. Run twice, retried or failed, nobody gets it twice or misses it;
and one authority's posts never reach another's people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from jobs.schedule import SCHEDULE, tick
from portal.clock import UK, travel
from portal.forums.models import ForumDigest, ForumGuest
from tests.factories import _scope
from tests.forums.support import invite_guest, make_category, make_post, make_thread, name_network_lead
from tests.forums.test_subscriptions import follow
from tests.support import audit_events, detached_rows

#: Monday 14 June 2027 (British Summer Time): the day the posts are made.
DAY = date(2027, 6, 14)
#: The next morning, after the digest's 6:30am slot.
MORNING = datetime(2027, 6, 15, 6, 45, tzinfo=UK)

SECRET = "Jordan in Year 6 was upset by what was said"


@pytest.fixture(autouse=True)
def _threads_started_in_january():
    """The threads (and their opening posts) are made on 4 January 2027, before every day whose posts a
    digest here counts, whatever the real date or the run's clock."""
    with travel(datetime(2027, 1, 4, 9, 0, tzinfo=UK), tick=True):
        yield


def _tick(app, moment):
    with travel(moment), app.app_context():
        tick(moment)


def _run_for(app, side, moment):
    """The digest job for one authority only (as a retry or a second scheduler would run it)."""
    from jobs.outbox import enqueue
    from portal.extensions import db
    from tenants import tenant_scope

    with travel(moment), app.app_context():
        with tenant_scope(side.authority_id):
            enqueue("forums.daily_digest")
            db.session.commit()


def _at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK)


def _thread(app, side, *, title: str = "Year 6 group chats", category_name: str = "Online safety"):
    category = make_category(app, side, category_name)
    thread_id, _opening = make_thread(app, side, category, by="head1", title=title, body="How do other schools handle group chats?")
    return category, thread_id


def _emails(mailbox) -> dict[str, tuple[str, str]]:
    """Each email by its recipient: (subject, plain text)."""
    out = {}
    for message in mailbox():
        assert message["To"] not in out, f"two emails to {message['To']}"
        out[message["To"]] = (message["Subject"], message.get_body(preferencelist=("plain",)).get_content())
    return out


def _digests(app, side) -> dict:
    return {row.user_id: (row.digest_on, row.post_count) for row in detached_rows(app, ForumDigest, side.authority_id)}


def test_each_follower_gets_one_email_a_day_listing_titles_and_counts_never_the_text(app, world, mailbox):
    a = world.a
    category, thread_id = _thread(app, a)
    follow(app, a, "dsl1", thread_id=thread_id)
    follow(app, a, "assessor", category_id=category)
    follow(app, a, "dsl2", thread_id=thread_id)
    make_post(app, a, thread_id, by="dsl2", body=SECRET, created_at=_at(10))
    make_post(app, a, thread_id, by="dsl2", body="We talk to parents at the Year 6 meeting.", created_at=_at(15, 30))
    make_post(app, a, thread_id, by="dsl1", body="Thanks, that helps.", created_at=_at(16))

    _tick(app, MORNING)
    emails = _emails(mailbox)
    assert sorted(emails) == sorted([a.dsl1.email, a.assessor.email, a.dsl2.email])
    subject, text = emails[a.dsl1.email]
    assert subject == "DSL network: 2 new posts in what you follow, 14 June 2027"  # not their own post
    assert "On Monday 14 June 2027 there were 2 new posts in the DSL network in what you follow:" in text
    assert "Year 6 group chats (Online safety): 2 new posts" in text
    assert f"http://127.0.0.1:5000/network/threads/{thread_id}" in text
    assert "http://127.0.0.1:5000/network/subscriptions" in text
    assert emails[a.assessor.email][0] == "DSL network: 3 new posts in what you follow, 14 June 2027"
    assert emails[a.dsl2.email][0] == "DSL network: 1 new post in what you follow, 14 June 2027"
    for message in mailbox():
        whole = message.as_string()
        assert "Jordan" not in whole and "upset" not in whole and "parents at the Year 6 meeting" not in whole
    assert _digests(app, a) == {a.dsl1.id: (DAY, 2), a.assessor.id: (DAY, 3), a.dsl2.id: (DAY, 1)}
    sent = audit_events(app, a.authority_id, "forum.digest_sent")
    assert len(sent) == 3 and {e.actor_id for e in sent} == {None}

    # The scheduler's next ticks that morning, and the job run again by hand: nothing is sent twice.
    _tick(app, MORNING + timedelta(hours=2))
    _run_for(app, a, MORNING + timedelta(hours=3))
    assert len(mailbox()) == 3 and len(audit_events(app, a.authority_id, "forum.digest_sent")) == 3


@pytest.mark.parametrize(
    ("day", "inside", "outside"),
    [
        # British Summer Time: the UK day is 23:00 to 23:00 UTC.
        (date(2027, 6, 14), [datetime(2027, 6, 13, 23, 0), datetime(2027, 6, 14, 22, 59)], [datetime(2027, 6, 13, 22, 59), datetime(2027, 6, 14, 23, 0)]),
        # The clocks go back on 31 October 2027: a day of 25 hours, 23:00 UTC to midnight UTC.
        (date(2027, 10, 31), [datetime(2027, 10, 30, 23, 0), datetime(2027, 10, 31, 23, 59)], [datetime(2027, 10, 30, 22, 59), datetime(2027, 11, 1, 0, 0)]),
    ],
    ids=["summer time", "clocks go back"],
)
def test_the_day_is_the_uk_day_in_summer_time_and_when_the_clocks_change(app, world, mailbox, day, inside, outside):
    a = world.a
    _category, thread_id = _thread(app, a)
    follow(app, a, "dsl1", thread_id=thread_id)
    for moment in inside + outside:
        make_post(app, a, thread_id, by="dsl2", body="A reply.", created_at=moment.replace(tzinfo=UTC))

    _tick(app, datetime(day.year, day.month, day.day, 6, 45, tzinfo=UK) + timedelta(days=1))
    [(subject, text)] = _emails(mailbox).values()
    assert subject == f"DSL network: 2 new posts in what you follow, {day.strftime('%-d %B %Y')}"
    assert _digests(app, a) == {a.dsl1.id: (day, 2)}


def test_only_what_each_person_may_see_is_counted(app, world, mailbox):
    """A hidden post counts for the moderator only; a partner removed from the network gets nothing."""
    from portal.clock import utcnow
    from portal.extensions import db

    a = world.a
    name_network_lead(app, a)
    category, thread_id = _thread(app, a)
    guest = invite_guest(app, a, "partner")
    for key in ("dsl2", "front_door", "partner"):
        follow(app, a, key, category_id=category)
    make_post(app, a, thread_id, by="dsl1", body="A reply everyone sees.", created_at=_at(9))
    make_post(app, a, thread_id, by="dsl1", body=SECRET, created_at=_at(10), hidden_at=utcnow(), hidden_by_id=a.front_door.id, hidden_reason="Names a pupil")
    with _scope(app, a, a.front_door):
        from sqlalchemy import select

        db.session.delete(db.session.execute(select(ForumGuest).where(ForumGuest.id == guest)).scalar_one())
        db.session.commit()

    _tick(app, MORNING)
    emails = _emails(mailbox)
    assert sorted(emails) == sorted([a.dsl2.email, a.front_door.email])
    assert "Year 6 group chats (Online safety): 1 new post\n" in emails[a.dsl2.email][1]
    assert "Year 6 group chats (Online safety): 2 new posts" in emails[a.front_door.email][1]  # the moderator sees the hidden one
    assert _digests(app, a) == {a.dsl2.id: (DAY, 1), a.front_door.id: (DAY, 2)}


def test_nothing_new_means_no_email(app, world, mailbox):
    a = world.a
    _category, thread_id = _thread(app, a)
    follow(app, a, "dsl1", thread_id=thread_id)
    make_post(app, a, thread_id, by="dsl2", body="The day before.", created_at=_at(12, day=DAY - timedelta(days=1)))
    make_post(app, a, thread_id, by="dsl1", body="Their own post.", created_at=_at(12))
    _tick(app, MORNING)
    assert mailbox() == [] and _digests(app, a) == {}


def test_one_authoritys_posts_never_reach_another_authoritys_people(app, world, mailbox):
    a, b = world.a, world.b
    _a_category, a_thread = _thread(app, a, title="Avonford lunchtime rota")
    _b_category, b_thread = _thread(app, b, title="Brackley bus stop worries")
    for side, thread in ((a, a_thread), (b, b_thread)):
        follow(app, side, "dsl1", thread_id=thread)
        make_post(app, side, thread, by="dsl2", body="A reply.", created_at=_at(11))

    _run_for(app, a, MORNING)  # authority A's run only
    assert list(_emails(mailbox)) == [a.dsl1.email]
    assert "Brackley" not in mailbox()[0].as_string()
    assert _digests(app, b) == {}

    _tick(app, MORNING)  # the scheduler's run: B's people get B's digest only
    emails = _emails(mailbox)
    assert sorted(emails) == sorted([a.dsl1.email, b.dsl1.email])
    assert "Brackley bus stop worries" in emails[b.dsl1.email][1] and "Avonford" not in emails[b.dsl1.email][1]


def test_an_email_that_fails_is_retried_and_sent_once(app, world, mailbox, monkeypatch):
    from jobs.dispatch import relay
    from jobs.models import JobStatus, OutboxJob
    from portal.forums import jobs as forum_digest

    a = world.a
    _category, thread_id = _thread(app, a)
    follow(app, a, "dsl1", thread_id=thread_id)
    make_post(app, a, thread_id, by="dsl2", body="A reply.", created_at=_at(11))
    real = forum_digest.send_templated
    failures = []

    def flaky(**kwargs):
        if not failures:
            failures.append(kwargs["to"])
            raise ConnectionError("the mail server said no")
        return real(**kwargs)

    monkeypatch.setattr(forum_digest, "send_templated", flaky)
    _tick(app, MORNING)
    assert mailbox() == [] and failures == [a.dsl1.email]
    assert _digests(app, a) == {a.dsl1.id: (DAY, 1)}  # the day is claimed...
    [email_job] = [j for j in detached_rows(app, OutboxJob, a.authority_id) if j.name == "forums.digest_email"]
    assert (email_job.status, email_job.attempts) == (JobStatus.PENDING, 1)  # ...and its email waits for a retry

    _run_for(app, a, MORNING + timedelta(seconds=10))  # another run meanwhile makes no second email job
    assert len([j for j in detached_rows(app, OutboxJob, a.authority_id) if j.name == "forums.digest_email"]) == 1
    with travel(MORNING + timedelta(seconds=45)), app.app_context():
        relay()
    assert list(_emails(mailbox)) == [a.dsl1.email]
    [email_job] = [j for j in detached_rows(app, OutboxJob, a.authority_id) if j.name == "forums.digest_email"]
    assert email_job.status == JobStatus.DONE


def test_the_digest_is_scheduled_once_a_day_at_half_past_six_uk_time(app, world):
    from jobs.models import OutboxJob

    [entry] = [e for e in SCHEDULE if e.job == "forums.daily_digest"]
    for day in (date(2027, 6, 15), date(2027, 12, 15)):  # summer time and winter
        before = entry.slot(datetime(day.year, day.month, day.day, 6, 29, tzinfo=UK))
        after = entry.slot(datetime(day.year, day.month, day.day, 6, 30, tzinfo=UK))
        assert after == before + 1
        assert entry.slot(datetime(day.year, day.month, day.day, 23, 59, tzinfo=UK)) == after
        assert entry.slot(datetime(day.year, day.month, day.day, 6, 29, tzinfo=UK) + timedelta(days=1)) == after

    _tick(app, MORNING)
    _tick(app, MORNING + timedelta(hours=5))
    _tick(app, MORNING + timedelta(days=1))
    for side in (world.a, world.b):
        jobs = [j for j in detached_rows(app, OutboxJob, side.authority_id) if j.name == "forums.daily_digest"]
        assert len(jobs) == 2

"""Platform and demo commands: what an operator runs, and what it must not reveal."""

import json

from sqlalchemy import select

from portal.accounts.models import Membership, Role, User
from portal.authorities.models import Authority
from portal.extensions import db
from portal.notifications.mail import read_mailbox
from tenants import tenant_scope
from tests.support import audit_events


def test_create_authority_and_its_first_administrator(app):
    """Can the operator create an authority and invite its first administrator, who gets an email with a link?"""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "create-authority", "Eastwick Safeguarding Partnership", "--slug", "eastwick"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tenants", "create-admin", "--authority", "eastwick", "--email", "Lead@Eastwick.example.org", "--name", "Lee Admin"])
    assert result.exit_code == 0, result.output
    assert "Invited lead@eastwick.example.org" in result.output
    with app.app_context():
        authority = db.session.execute(select(Authority).where(Authority.slug == "eastwick")).scalar_one()
        assert authority.require_two_factor is True  # on by default for real authorities
        authority_id = authority.id
        with tenant_scope(authority_id):
            user = db.session.execute(select(User)).unique().scalar_one()
            assert user.status == "invited" and user.has_role(Role.AUTHORITY_ADMIN)
    [message] = read_mailbox(app.config["MAIL_FILE_PATH"])
    assert message["To"] == "lead@eastwick.example.org" and "/invitation/" in message.get_content()
    actions = [e.action for e in audit_events(app, authority_id)]
    assert actions == ["authority.created", "membership.added", "account.invitation_sent"]


def test_commands_refuse_bad_input_with_a_reason(app):
    """Are a bad slug, a duplicate authority, an unknown authority and a taken email refused with a reason?"""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "create-authority", "Bad", "--slug", "Not A Slug"]).exit_code != 0
    runner.invoke(args=["tenants", "create-authority", "Eastwick", "--slug", "eastwick"])
    duplicate = runner.invoke(args=["tenants", "create-authority", "Eastwick", "--slug", "eastwick-2"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    unknown = runner.invoke(args=["tenants", "create-admin", "--authority", "nowhere", "--email", "a@b.example.org", "--name", "A"])
    assert unknown.exit_code != 0 and "No authority" in unknown.output
    runner.invoke(args=["tenants", "create-admin", "--authority", "eastwick", "--email", "a@b.example.org", "--name", "A"])
    taken = runner.invoke(args=["tenants", "create-admin", "--authority", "eastwick", "--email", "a@b.example.org", "--name", "A"])
    assert taken.exit_code != 0 and "already has an account" in taken.output


def test_listing_authorities_shows_no_tenant_data(app, world):
    """Does `flask tenants list` show authorities' names and slugs, and nothing of their people?"""
    result = app.test_cli_runner().invoke(args=["tenants", "list"])
    assert result.exit_code == 0
    assert "avonford" in result.output and "brackley" in result.output
    assert "@" not in result.output


def test_demo_seed_is_idempotent_and_lists_every_login(app):
    """Does `flask demo seed` make two authorities with every role, and running it again change nothing?"""
    runner = app.test_cli_runner()
    assert "22 new user(s)" in runner.invoke(args=["demo", "seed"]).output
    assert "0 new user(s)" in runner.invoke(args=["demo", "seed"]).output
    logins = json.loads(runner.invoke(args=["demo", "users", "--json"]).output)
    assert {row["authority"] for row in logins} == {"Northbridge Safeguarding Children Partnership", "Southmoor Safeguarding Children Partnership"}
    for authority in {row["authority"] for row in logins}:
        roles = {row["role"] for row in logins if row["authority"] == authority}
        assert roles == {r.value for r in Role}
    with app.app_context():
        for authority in db.session.execute(select(Authority)).scalars().all():
            with tenant_scope(authority.id):
                schools = [m.organisation for m in db.session.execute(select(Membership)).scalars() if m.organisation and m.organisation.kind == "school"]
                assert len({s.id for s in schools}) >= 2
                # One school assessment (run twice, still one) with findings in each domain and a plan.
                from portal.assessments.models import AssessmentFinding, SchoolAssessment
                from portal.partnership.models import PlanAction

                assessments = db.session.execute(select(SchoolAssessment)).unique().scalars().all()
                assert [a.stage.value for a in assessments] == ["plan_agreed"]
                assert {f.domain.value for f in db.session.execute(select(AssessmentFinding)).unique().scalars()} == {
                    "pupil_development",
                    "guardianship",
                    "environment",
                }
                assert len(db.session.execute(select(PlanAction).where(PlanAction.assessment_id == assessments[0].id)).unique().scalars().all()) == 4


def test_demo_logins_work(app):
    """Can a demo login printed by `flask demo users` actually sign in?"""
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed"])
    login = next(row for row in json.loads(runner.invoke(args=["demo", "users", "--json"]).output) if row["role"] == "dsl")
    response = app.test_client().post("/sign-in", data={"email": login["email"], "password": login["password"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/home")


def test_the_demo_network_is_ready_to_post_in(app):
    """After `flask demo seed`, a DSL finds the network's categories and threads and can start a thread at
    once: the network has a lead and categories (run twice, still three)."""
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed"])
    runner.invoke(args=["demo", "seed"])
    logins = json.loads(runner.invoke(args=["demo", "users", "--json"]).output)
    dsl = next(row for row in logins if row["email"].startswith("dsl.oakfield@northbridge"))
    client = app.test_client()
    assert client.post("/sign-in", data={"email": dsl["email"], "password": dsl["password"]}).status_code == 302
    page = client.get("/network").get_data(as_text=True)
    assert page.count('href="/network/categories/') == 3 and "Nobody leads the network yet" not in page
    assert "Sending a child protection file to a college that is not on the portal" in page or "DSL refresher training" in page
    from portal.forums.models import ForumCategory

    with app.app_context():
        authority = db.session.execute(select(Authority).where(Authority.slug == "northbridge")).scalar_one()
        with tenant_scope(authority.id):
            category = db.session.execute(select(ForumCategory).where(ForumCategory.name == "Ask the network")).scalar_one()
            category_id = category.id
    started = client.post(f"/network/categories/{category_id}/threads/new", data={"title": "Hello", "body": "A first post in the network."})
    assert started.status_code == 302, started.status_code


def test_demo_data_is_refused_in_production(make_app, monkeypatch, database):
    """Is demo data refused when the portal runs in production?"""
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", database.app_url)
    monkeypatch.setenv("ALLOW_IN_PROCESS_JOBS", "1")
    monkeypatch.setenv("TOTP_KEYS", "cHJvZHVjdGlvbi10ZXN0LXRvdHAta2V5LTMyLWJ5dGU=")
    app = make_app(PORTAL_ENV="production")
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "development only" in result.output

"""In-app notifications: the unread count in the header, the list, opening one, marking all read."""

from portal.extensions import db
from portal.notifications.service import notify
from tenants import tenant_scope
from tests.support import sign_in, text_of


def _notify(app, person, title, link="/account"):
    with app.app_context(), tenant_scope(person.authority_id):
        notification = notify(person.id, title, body="Sign in to see it.", link=link)
        db.session.commit()
        return notification.id


def test_header_shows_the_unread_count_and_the_list_shows_them(app, world):
    """Does a DSL see how many notifications are unread, and each one in the list, newest first?"""
    _notify(app, world.a.dsl1, "First")
    _notify(app, world.a.dsl1, "Second")
    _notify(app, world.a.dsl2, "For someone else")
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    home = text_of(client.get("/home"))
    assert "Notifications 2 unread" in home
    page = text_of(client.get("/notifications"))
    assert page.index("Second") < page.index("First")
    assert "For someone else" not in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(app, world):
    """Does opening a notification take you to its page and take it off the unread count?"""
    notification_id = _notify(app, world.a.dsl1, "Your role changed", link="/account")
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    response = client.get(f"/notifications/{notification_id}")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "unread" not in text_of(client.get("/home"))


def test_a_link_off_the_portal_is_never_followed(app, world):
    """If a notification's link pointed outside the portal, would opening it stay on the portal?"""
    notification_id = _notify(app, world.a.dsl1, "Odd link", link="https://evil.example.com/")
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    assert client.get(f"/notifications/{notification_id}").headers["Location"] == "/notifications"


def test_mark_all_as_read(app, world):
    """Does 'Mark all as read' clear the unread count, for me only?"""
    _notify(app, world.a.dsl1, "One")
    _notify(app, world.a.dsl2, "Someone else's")
    client = app.test_client()
    sign_in(client, world.a.dsl1)
    client.post("/notifications/read-all")
    assert "unread" not in text_of(client.get("/home"))
    other = app.test_client()
    sign_in(other, world.a.dsl2)
    assert "Notifications 1 unread" in text_of(other.get("/home"))


def test_notification_email_has_a_link_and_no_details(app, world):
    """Is a notification also emailed, with its title and a link to sign in, and nothing else about it?"""
    from portal.notifications.mail import read_mailbox

    _notify(app, world.a.dsl1, "A referral needs your attention")
    [message] = read_mailbox(app.config["MAIL_FILE_PATH"])
    assert message["To"] == world.a.dsl1.email
    body = message.get_content()
    assert "A referral needs your attention" in body and "/notifications/" in body

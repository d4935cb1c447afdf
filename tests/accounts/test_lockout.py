"""Locking an account after too many wrong passwords or security codes, and unlocking it again when the
lockout is over."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from portal.accounts.actions import Action
from tests.accounts.conftest import emails_to, is_signed_in, link_in, wrong_code
from tests.support import audit_events, next_totp, sign_in, text_of
from tests.world import create_user

LOCKED = "You have entered the wrong details too many times. Try again in {}"
REFUSED = "Enter a correct email address and password"


def _wrong_passwords(client, person, times: int):
    responses = [client.post("/sign-in", data={"email": person.email, "password": f"wrong password number {n}"}) for n in range(times)]
    return responses[-1]


def test_five_wrong_passwords_lock_the_account_and_only_its_owner_is_told(client, world, frozen, mailbox):
    """After five wrong passwords the account is locked, so that even the right password is refused; the
    page says what it says to an address with no account (nothing confirms the account exists), and the
    owner is told by email, once."""
    person = world.a.dsl1
    fourth = _wrong_passwords(client, person, 4)
    assert REFUSED in text_of(fourth)
    fifth = _wrong_passwords(client, person, 1)
    assert REFUSED in text_of(fifth) and "too many times" not in text_of(fifth)
    unknown = client.post("/sign-in", data={"email": "nobody.here@avonford.example.org", "password": "wrong password"})
    assert text_of(unknown) == text_of(fifth)
    [notice] = emails_to(mailbox, person.email)
    assert (
        "locked until" in notice.get_body(preferencelist=("plain",)).get_content()
        and "/password-reset" in notice.get_body(preferencelist=("plain",)).get_content()
    )

    frozen.shift(timedelta(minutes=5))
    response = sign_in(client, person)
    assert response.status_code == 200
    assert REFUSED in text_of(response)
    assert not is_signed_in(client)
    assert len(emails_to(mailbox, person.email)) == 1


def test_lockout_is_audited_in_the_users_authority(client, world):
    """Are the failed attempts and the lockout recorded in the audit log of the user's own authority,
    and not in the other authority's?"""
    person = world.b.head1
    _wrong_passwords(client, person, 5)
    sign_in(client, person)  # the right password, while locked

    failed = audit_events(client.application, world.b.authority_id, Action.SIGN_IN_FAILED)
    assert [e.details["reason"] for e in failed] == ["password"] * 5 + ["locked"]
    assert {e.object_id for e in failed} == {str(person.id)}
    locked = audit_events(client.application, world.b.authority_id, Action.LOCKED_OUT)
    assert [(e.object_id, e.details["minutes"]) for e in locked] == [(str(person.id), 15)]
    assert audit_events(client.application, world.a.authority_id, Action.LOCKED_OUT) == []
    assert audit_events(client.application, world.a.authority_id, Action.SIGN_IN_FAILED) == []


def test_right_password_works_again_after_the_lockout(client, world, frozen):
    """Once the 15 minutes are over, does the right password sign the person in again?"""
    person = world.a.dsl1
    _wrong_passwords(client, person, 5)
    frozen.shift(timedelta(minutes=14, seconds=59))
    assert REFUSED in text_of(sign_in(client, person))
    assert not is_signed_in(client)
    frozen.shift(timedelta(seconds=2))
    response = sign_in(client, person)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_failures_start_counting_again_after_a_lockout(client, world, frozen):
    """After a lockout ends, does a single wrong password leave the account open (the count starts
    again) rather than locking it at once?"""
    person = world.a.dsl1
    _wrong_passwords(client, person, 5)
    frozen.shift(timedelta(minutes=16))
    assert "Enter a correct email address and password" in text_of(_wrong_passwords(client, person, 1))
    assert sign_in(client, person).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, world):
    """Do four wrong passwords, a successful sign-in, and four more wrong passwords leave the account
    open?"""
    person = world.a.dsl1
    _wrong_passwords(client, person, 4)
    assert sign_in(client, person).status_code == 302
    client.post("/sign-out")
    assert "Enter a correct email address and password" in text_of(_wrong_passwords(client, person, 4))
    assert sign_in(client, person).status_code == 302


def test_lockout_of_one_user_leaves_others_alone(client, world):
    """Can a colleague still sign in while someone else's account is locked?"""
    _wrong_passwords(client, world.a.dsl1, 5)
    assert sign_in(client, world.a.dsl2).status_code == 302


def test_wrong_security_codes_count_towards_lockout(client, world, frozen):
    """Do five wrong security codes lock the account, so that the password and a right code are then
    refused, with the failures audited?"""
    person = create_user(client.application, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    response = sign_in(client, person)
    assert urlsplit(response.headers["Location"]).path == "/sign-in/two-factor"
    for _ in range(4):
        response = client.post("/sign-in/two-factor", data={"code": wrong_code(person.totp_secret)})
        assert "The security code is not right" in text_of(response)
    response = client.post("/sign-in/two-factor", data={"code": wrong_code(person.totp_secret)})
    assert LOCKED.format("15 minutes") in text_of(response)

    response = sign_in(client, person)
    assert response.status_code == 200
    assert REFUSED in text_of(response)
    # The half-finished sign-in was dropped: the code page sends them back to sign in.
    response = client.post("/sign-in/two-factor", data={"code": next_totp(person.totp_secret)})
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
    assert not is_signed_in(client)

    failed = audit_events(client.application, world.a.authority_id, Action.TWO_FACTOR_FAILED)
    assert len(failed) == 5
    assert [e.object_id for e in audit_events(client.application, world.a.authority_id, Action.LOCKED_OUT)] == [str(person.id)]

    frozen.shift(timedelta(minutes=16))
    response = sign_in(client, person, totp_secret=person.totp_secret)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_wrong_passwords_and_wrong_codes_add_up(client, world):
    """Do three wrong passwords and then two wrong security codes lock the account together?"""
    person = create_user(client.application, world.a.authority_id, "two.factor@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    _wrong_passwords(client, person, 3)
    sign_in(client, person)
    client.post("/sign-in/two-factor", data={"code": wrong_code(person.totp_secret)})
    response = client.post("/sign-in/two-factor", data={"code": wrong_code(person.totp_secret)})
    assert LOCKED.format("15 minutes") in text_of(response)


def test_resetting_the_password_unlocks_the_account(client, world, mailbox):
    """As the lockout message suggests, does resetting the password let a locked-out person sign in
    straight away with the new one?"""
    person = world.a.dsl1
    _wrong_passwords(client, person, 5)
    client.post("/password-reset", data={"email": person.email})
    link = link_in(emails_to(mailbox, person.email)[-1])  # the reset email (the first told them of the lockout)
    new_password = "purple elephant marmalade kettle"
    assert client.post(link, data={"password": new_password, "confirm": new_password}).status_code == 302
    assert sign_in(client, person, password=new_password).status_code == 302
    assert is_signed_in(client)

"""Two-factor secrets are sealed at rest: the database holds a Fernet token, never the secret a one-time
code is made from; the keys are TOTP_KEYS (not SECRET_KEY), and they rotate: a new key first, the secrets
sealed again with ``flask accounts reseal-totp``, the old key dropped, and everyone still signs in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from tests.accounts.test_two_factor import _enrol, _password_step
from tests.support import audit_events, next_totp, sign_in

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(app, side, person) -> str:
    """The secret as the database holds it (read past the column's type)."""
    from portal.accounts.models import User
    from portal.extensions import db
    from tenants.context import tenant_scope

    with app.app_context(), tenant_scope(side.authority_id):
        return db.session.execute(sa.select(sa.type_coerce(User.totp_secret, sa.String())).where(User.id == person.id)).scalar_one()


def test_a_secret_set_up_in_the_portal_is_stored_sealed(app, client, world, frozen):
    sign_in(client, world.a.dsl1)
    secret, _codes = _enrol(client, frozen)
    stored = _stored(app, world.a, world.a.dsl1)
    assert stored.startswith("gAAAAA") and secret not in stored
    assert Fernet(app.config["TOTP_KEYS"][0].encode()).decrypt(stored.encode()).decode() == secret
    # Signing in with a code from the secret still works.
    client.post("/sign-out")
    _password_step(client, world.a.dsl1)
    response = client.post("/sign-in/two-factor", data={"code": next_totp(secret)})
    assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]


def test_keys_rotate_without_anyone_losing_their_second_factor(make_app, world):
    from tests.world import create_user

    old_app = make_app(TOTP_KEYS=[OLD])
    person = create_user(old_app, world.a.authority_id, "rotating.dsl@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    sealed_old = _stored(old_app, world.a, person)
    Fernet(OLD.encode()).decrypt(sealed_old.encode())

    # The new key first, the old one still there: secrets sealed with either open.
    both = make_app(TOTP_KEYS=[NEW, OLD])
    assert sign_in(both.test_client(), person, totp_secret=person.totp_secret).status_code == 302
    result = both.test_cli_runner().invoke(args=["accounts", "reseal-totp"])
    assert result.exit_code == 0, result.output
    assert "avonford: " in result.output and "sealed with the first key" in result.output
    sealed_new = _stored(both, world.a, person)
    assert sealed_new != sealed_old and Fernet(NEW.encode()).decrypt(sealed_new.encode()).decode() == person.totp_secret
    with pytest.raises(InvalidToken):
        Fernet(OLD.encode()).decrypt(sealed_new.encode())
    assert len(audit_events(both, world.a.authority_id, "auth.two_factor_secrets_resealed")) == 1

    # The old key dropped: the person still signs in with their app's codes.
    new_only = make_app(TOTP_KEYS=[NEW])
    client = new_only.test_client()
    response = sign_in(client, person, totp_secret=person.totp_secret)
    assert response.status_code == 302 and "/sign-in" not in response.headers["Location"]


def test_pages_that_show_people_never_unseal_a_second_factor(app, world, monkeypatch):
    """A second factor is unsealed to check a code, never to show a name: the session, the menu and a
    list of people (the administrator's users, each with two factors set up) leave the secrets sealed in
    the database."""
    from portal.accounts import sealing
    from tests.support import signed_in_client
    from tests.world import create_user

    for n in range(3):
        create_user(app, world.a.authority_id, f"second.factor{n}@avonford.example.org", "dsl", world.a.school1, two_factor=True)
    client = signed_in_client(app, world.a.admin)
    unsealed = []
    real_unseal = sealing.unseal
    monkeypatch.setattr(sealing, "unseal", lambda value: unsealed.append(value) or real_unseal(value))
    page = client.get("/admin/users")
    assert page.status_code == 200 and "second.factor2@avonford.example.org" in page.get_data(as_text=True)
    assert client.get("/accessibility").status_code == 200
    assert unsealed == []

"""Sign-in, lockout and password-reset answers take as long for an address with an account as for one
without: medians within 20% of each other over 50 tries (the answers' words are compared in
test_lockout.py and test_password_reset.py).

The floor here is 50 ms (production's is 400 ms, ``ACCOUNT_ANSWER_MS``): above what each case's work
takes on the test database, so what is measured is the floor doing its job; without it a reset for a known
address (a job queued, an audit row) took about twice as long as for an unknown one."""

from __future__ import annotations

import statistics
import time

TRIES = 50
FLOOR_MS = 50


def _median_ms(client, path: str, data: dict) -> float:
    times = []
    for _ in range(TRIES):
        started = time.perf_counter()
        response = client.post(path, data=data)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(times)


def _alike(known: float, unknown: float) -> bool:
    return abs(known - unknown) <= 0.2 * min(known, unknown)


def test_a_wrong_password_for_an_account_takes_as_long_as_an_unknown_address(make_app, world):
    app = make_app(ACCOUNT_ANSWER_MS=FLOOR_MS, LOGIN_MAX_FAILURES=1000)
    client = app.test_client()
    known = _median_ms(client, "/sign-in", {"email": world.a.dsl1.email, "password": "not the password at all"})
    unknown = _median_ms(client, "/sign-in", {"email": "nobody.here@avonford.example.org", "password": "not the password at all"})
    assert known >= FLOOR_MS and unknown >= FLOOR_MS
    assert _alike(known, unknown), (known, unknown)


def test_a_locked_account_takes_as_long_as_an_unknown_address(make_app, world):
    app = make_app(ACCOUNT_ANSWER_MS=FLOOR_MS, LOGIN_MAX_FAILURES=3)
    client = app.test_client()
    locked = _median_ms(client, "/sign-in", {"email": world.a.dsl2.email, "password": "not the password at all"})
    unknown = _median_ms(client, "/sign-in", {"email": "nobody.else@avonford.example.org", "password": "not the password at all"})
    assert _alike(locked, unknown), (locked, unknown)


def test_a_reset_for_an_account_takes_as_long_as_for_an_unknown_address(make_app, world):
    app = make_app(ACCOUNT_ANSWER_MS=FLOOR_MS)
    client = app.test_client()
    known = _median_ms(client, "/password-reset", {"email": world.a.dsl1.email})
    unknown = _median_ms(client, "/password-reset", {"email": "nobody.here@avonford.example.org"})
    assert known >= FLOOR_MS and unknown >= FLOOR_MS
    assert _alike(known, unknown), (known, unknown)

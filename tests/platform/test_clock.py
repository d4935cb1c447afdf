"""The portal's one clock (portal/clock.py): what it reads, how a test run sets it, that production cannot,
and that no code of the portal or of its tests reads the machine's clock another way."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from portal import clock
from portal.settings import ConfigurationError
from tests.moments import AWKWARD_MOMENTS, moment_for_run

REPO = Path(__file__).resolve().parents[2]

#: Files allowed to read the machine's clock, and why.
READS_THE_MACHINE_CLOCK = {
    "portal/clock.py": "it is the clock",
    # The rate limiter (Flask-Limiter) keeps its window by the machine's clock; the `frozen` fixture holds
    # that still with time-machine, beside the portal's clock.
    "tests/accounts/conftest.py": "holds the rate limiter's clock still",
}


def _machine_clock_calls(path: Path) -> list[str]:
    """Calls such as ``datetime.now()``, ``date.today()``, ``time.time()``, ``datetime.utcnow()``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            owner, name = node.func.value.id, node.func.attr
            if (owner, name) in {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"), ("time", "time"), ("time", "time_ns")}:
                found.append(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path.name}:{node.lineno}: {owner}.{name}()")
    return found


def test_nothing_reads_the_machine_clock_but_the_clock():
    """Does every "now" and "today" in the portal, its jobs and its tests come from portal.clock? (A test
    that typed today's date from the machine's clock is how the suite came to fail between midnight and
    08:40 UK time.)"""
    offenders = []
    for folder in ("portal", "jobs", "tenants", "forms", "tests", "e2e", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if str(path.relative_to(REPO)) not in READS_THE_MACHINE_CLOCK:
                offenders.extend(_machine_clock_calls(path))
    assert offenders == []


def test_the_check_finds_a_call_to_the_machines_clock(tmp_path):
    """The check above would find one (it is not looking at nothing)."""
    sample = tmp_path / "reads_the_machine_clock.py"
    sample.write_text("from datetime import date, datetime\nimport time\nx = date.today()\ny = datetime.now()\nz = time.time()\n")
    assert [line.split(": ")[1] for line in _machine_clock_calls(sample)] == ["date.today()", "datetime.now()", "time.time()"]


def test_travel_freezes_or_ticks_and_puts_the_clock_back():
    before = clock.utcnow()
    moment = datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    with clock.travel(moment) as traveller:
        assert clock.utcnow() == moment
        traveller.shift(timedelta(minutes=2))
        assert clock.utcnow() == moment + timedelta(minutes=2)
        assert clock.uk_now().strftime("%H:%M %Z") == "02:01 BST"  # the clocks went forward at 01:00 UTC
        with clock.travel(moment, tick=True):
            assert timedelta(0) <= clock.utcnow() - moment < timedelta(seconds=5)
        assert clock.utcnow() == moment + timedelta(minutes=2)
    assert abs(clock.utcnow() - before) < timedelta(minutes=5)


def test_uk_days_begin_at_uk_midnight():
    summer = datetime(2027, 6, 14, 23, 30, tzinfo=UTC)  # 00:30 BST on 15 June
    assert clock.uk_today(summer) == date(2027, 6, 15)
    assert clock.uk_midnight(date(2027, 6, 15)) == datetime(2027, 6, 14, 23, 0, tzinfo=UTC)
    assert clock.uk_midnight(date(2027, 1, 15)) == datetime(2027, 1, 15, 0, 0, tzinfo=UTC)


def test_the_hour_the_clocks_skip_and_the_hour_they_repeat():
    assert clock.missing_uk_time(date(2027, 3, 28), time(1, 30))
    assert not clock.missing_uk_time(date(2027, 3, 28), time(2, 30))
    assert not clock.missing_uk_time(date(2027, 10, 31), time(1, 30))
    assert clock.uk_moment(date(2027, 10, 31), time(1, 30)) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # BST, the first time


def test_a_test_run_may_start_the_clock_and_production_may_not(make_app, monkeypatch):
    """PORTAL_CLOCK starts the clock in a test run; in development or production the portal refuses to
    start, saying why."""
    from portal.settings import load_settings

    with clock.travel(clock.utcnow()):  # whatever the app sets is undone after the test
        make_app(PORTAL_CLOCK="2028-02-29T09:00:00+00:00")
        assert timedelta(0) <= clock.utcnow() - datetime(2028, 2, 29, 9, 0, tzinfo=UTC) < timedelta(seconds=5)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://portal@127.0.0.1/portal")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("TOTP_KEYS", "cHJvZHVjdGlvbi10ZXN0LXRvdHAta2V5LTMyLWJ5dGU=")
    monkeypatch.setenv("PORTAL_CLOCK", "2028-02-29T09:00:00+00:00")
    for env in ("development", "production"):
        with pytest.raises(ConfigurationError, match="PORTAL_CLOCK .* refused unless PORTAL_ENV=test"):
            load_settings(env)


def test_a_moment_without_its_offset_is_refused():
    with pytest.raises(clock.ClockSettingRefused, match="offset"):
        clock.parse_moment("2028-02-29T09:00:00")
    with pytest.raises(clock.ClockSettingRefused, match="ISO 8601"):
        clock.parse_moment("tomorrow")


def test_the_run_moment_is_chosen_by_name_by_day_or_given():
    assert moment_for_run("real") is None and moment_for_run("") is None
    assert moment_for_run("leap-day") == ("leap-day", AWKWARD_MOMENTS["leap-day"])
    name, moment = moment_for_run("daily")
    assert AWKWARD_MOMENTS[name] == moment
    names = list(AWKWARD_MOMENTS)
    assert moment_for_run("daily:1")[0] == names[(names.index(name) + 1) % len(names)]
    assert moment_for_run("2027-06-15T00:30:00+01:00") == ("2027-06-15T00:30:00+01:00", datetime(2027, 6, 14, 23, 30, tzinfo=UTC))

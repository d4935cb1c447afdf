"""`make bench`, part three: the CPU one request costs the portal's process, at two sizes of authority.

Seeds the large authority of ``benchmarks.large_authority`` (200 schools; at ``--scale 1.0`` 250 pupils a
school, 4 referrals a pupil, 1,000,000 audit rows; ``--scale 0.1`` has a tenth of the pupils, referrals and
audit rows, and the same schools), with concerns, advice requests and notifications so that the other
lists are not empty. Builds the portal in this process with its production settings on the application
role (row-level security applies), signs in a front-door officer, a DSL of School 000 and the authority
admin with Flask's test client, and finds every list page: each GET route without arguments that answers
one of them with an HTML page, plus the pages with ids part two measures. For each page: 3 warm-up
requests, then ``--repeat`` requests, each timed by ``time.process_time()`` (this process's CPU: the
portal's Python, not PostgreSQL's) and by the wall clock, with its SQL statements counted.

For the front-door queue, one referral and the chronology it also measures the same requests with the
tenant hook (``tenants.orm._scope_to_tenant``) off and with the audit's sealing off, for their shares of the
CPU. ``--both`` runs both sizes (each in a process of its own) and prints one table with the goals:

* the front-door queue at most 12 ms of CPU; a school's referral list, one referral, the chronology 10 ms;
  a static page (``/accessibility``) 4 ms and at most 2 statements (a signed-in page's fixed cost);
* every page's CPU grows at most 20% from the tenth to the full authority, with the same statements;
* the tenant hook at most 5% of a page's CPU.

Writes test-output/bench/cpu_per_request.json.

    python -m benchmarks.cpu_per_request [--scale 1.0] [--repeat 30] [--both]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.large_authority import PASSWORD, ROOT, BenchDatabase, build_database, loadavg, ok, production_env, scaled, seed

WARM_UP = 3
OUT = ROOT / "test-output" / "bench"

#: Goals, in ms of this process's CPU per request (median), by page label.
CPU_GOALS = {
    "front-door referral queue": 12.0,
    "a school's referral list": 10.0,
    "one referral's page": 10.0,
    "chronology of a pupil with 500 events": 10.0,
}
STATIC_PAGE = "/accessibility"
STATIC_CPU_GOAL = 4.0
STATIC_STATEMENTS_GOAL = 2
GROWTH_GOAL = 20.0
#: PostgreSQL's CPU is read in clock ticks of 10 ms.
DB_TICK_MS = 10.0
#: How far the database's time per request may move between two runs without growing.
DB_SLACK_MS = 1.0
HOOK_SHARE_GOAL = 5.0
#: Requests of each variant when measuring a share (interleaved).
SHARE_REPEAT = 150
#: The pages whose tenant hook and audit shares are measured.
SHARE_PAGES = ("front-door referral queue", "one referral's page", "chronology of a pupil with 500 events")

#: Endpoints that are not list pages: assets, probes, signing in and out.
SKIPPED_ENDPOINTS = re.compile(r"^(static|govuk_assets|.*\.?healthz|.*\.?readyz)$|sign_?in|sign_?out|log_?in|log_?out")
SKIPPED_PATHS = re.compile(r"(^/(static|govuk|healthz|readyz)\b)|sign-in|sign-out|\.(csv|pdf)$|/(csv|pdf|download|export)\b")

LIST_SEED_SQL = """
SELECT set_config('app.authority_id', %(a)s, true);
INSERT INTO concerns (id, authority_id, organisation_id, pupil_id, raised_by_id, category, seen_or_heard, child_words,
                      occurred_at, location, urgent, status, triaged_by_id, triaged_at, action_taken, outcome,
                      response_to_reporter, version, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, p.organisation_id, p.id, %(dsl)s::uuid, 'neglect', 'Seeded concern for the benchmark.',
       NULL, now() - (c.n * interval '7 days') - (hashtext(p.id::text) %% 1000) * interval '1 minute', 'Classroom',
       c.n = 1 AND hashtext(p.id::text) %% 10 = 0,
       CASE WHEN c.n = 1 AND hashtext(p.id::text) %% 5 = 0 THEN 'new' ELSE 'triaged' END,
       CASE WHEN c.n = 1 AND hashtext(p.id::text) %% 5 = 0 THEN NULL ELSE %(dsl)s::uuid END,
       CASE WHEN c.n = 1 AND hashtext(p.id::text) %% 5 = 0 THEN NULL ELSE now() - (c.n * interval '7 days') + interval '1 hour' END,
       CASE WHEN c.n = 1 AND hashtext(p.id::text) %% 5 = 0 THEN NULL ELSE 'Spoke to the family.' END,
       CASE WHEN c.n = 1 AND hashtext(p.id::text) %% 5 = 0 THEN NULL ELSE 'monitor' END,
       NULL, 1, now() - (c.n * interval '7 days') - (hashtext(p.id::text) %% 1000) * interval '1 minute'
FROM pupils p CROSS JOIN generate_series(1, %(concerns_per_pupil)s) c(n)
WHERE hashtext(p.id::text || 'concern') %% 4 = 0 OR p.organisation_id = (SELECT id FROM organisations WHERE name = 'School 000');

INSERT INTO advice_requests (id, authority_id, organisation_id, pupil_id, requested_by_id, question, categories, urgency,
                             status, taken_by_id, taken_at, outcome, answer, answered_by_id, answered_at, version, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, p.organisation_id, p.id, %(dsl)s::uuid, 'Seeded question for the benchmark.',
       '["neglect"]', CASE WHEN hashtext(p.id::text) %% 7 = 0 THEN 'today' ELSE 'routine' END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN 'waiting' ELSE 'answered' END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE %(fd)s::uuid END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE now() - interval '20 days' END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE 'advice_given' END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE 'Seeded answer.' END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE %(fd)s::uuid END,
       CASE WHEN hashtext(p.id::text) %% 10 = 0 THEN NULL ELSE now() - interval '19 days' END,
       1, now() - (hashtext(p.id::text || 'advice') %% 100000) * interval '1 minute' - n * interval '1 day'
FROM pupils p
-- School 000's DSL has a full page of 50 at a tenth too (3 a pupil), as with concerns: the growth measured
-- is the data's, not a longer page's.
CROSS JOIN generate_series(1, CASE WHEN p.organisation_id = (SELECT id FROM organisations WHERE name = 'School 000') THEN 3 ELSE 1 END) n
WHERE hashtext(p.id::text || 'advice') %% 10 = 0 OR p.organisation_id = (SELECT id FROM organisations WHERE name = 'School 000');

INSERT INTO notifications (id, authority_id, user_id, title, body, link, read_at, emailed_at, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, u.id, 'Seeded notification ' || g, NULL, '/notifications',
       CASE WHEN g %% 3 = 0 THEN NULL ELSE now() - g * interval '1 hour' END, NULL, now() - g * interval '2 hours'
FROM users u CROSS JOIN generate_series(1, %(notifications)s) g;
"""


def seed_lists(bench: BenchDatabase, *, scale: float) -> dict:
    """Concerns (every pupil of School 000 and about a quarter of the others have two: the DSL's list has
    a full page at a tenth too), advice requests (a tenth of the pupils, and three for each of School
    000's: a full page at a tenth too) and notifications (400 for each person at full size), in SQL as the
    owner in the authority."""
    started = time.perf_counter()
    owner = bench.db_info.owner_url.replace("postgresql+psycopg://", "postgresql://")
    params = {
        "a": str(bench.authority_id),
        "dsl": str(bench.dsl.id),
        "fd": str(bench.front_door.id),
        "concerns_per_pupil": 2,
        "notifications": scaled(400, scale),
    }
    with psycopg.connect(owner, autocommit=False) as conn:
        for statement in [s for s in LIST_SEED_SQL.split(";\n") if s.strip()]:
            conn.execute(statement, params)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE concerns, advice_requests, notifications")
        conn.execute("SELECT set_config('app.authority_id', %s, false)", (str(bench.authority_id),))
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("concerns", "advice_requests", "notifications")}
        school0 = conn.execute("SELECT id FROM organisations WHERE name = 'School 000'").fetchone()[0]
        counts["concerns of School 000"] = conn.execute("SELECT count(*) FROM concerns WHERE organisation_id = %s", (school0,)).fetchone()[0]
        counts["advice requests of School 000"] = conn.execute("SELECT count(*) FROM advice_requests WHERE organisation_id = %s", (school0,)).fetchone()[0]
    return {"counts": counts, "seconds": round(time.perf_counter() - started, 1), "school0": school0}


class Statements:
    """Counts the SQL statements sent on an engine."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


def sign_in(client, email: str) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("No CSRF token on the sign-in page")
    response = client.post("/sign-in", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    if response.status_code != 302 or "/sign-in" in response.headers.get("Location", ""):
        raise RuntimeError(f"Sign-in failed for {email}: {response.status_code}")


SIGN_INS = 10


def time_sign_in(app, email: str, statements: Statements, repeat: int = SIGN_INS) -> dict:
    """Signing in with a password, counted apart from the pages: the POST alone (its page and token read
    first, not timed). Most of it is argon2id at the README's parameters, which is the point of it (the
    process's CPU counts all of argon2's threads: its parallelism is 4)."""
    samples = []
    for _ in range(repeat):
        client = app.test_client()
        page = client.get("/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise RuntimeError("No CSRF token on the sign-in page")
        statements.count = 0
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        response = client.post("/sign-in", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
        cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
        samples.append((cpu, wall, statements.count, 200 if response.status_code == 302 else response.status_code))
    return {"page": "signing in (argon2id), counted apart", "path": "/sign-in (POST)", "as": "DSL", **medians(samples)}


def is_html_page(response) -> bool:
    return response.status_code == 200 and (response.mimetype or "") == "text/html"


def list_pages(app) -> list[str]:
    """Every GET route with no arguments in the path that could be a page."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.arguments or SKIPPED_ENDPOINTS.search(rule.endpoint) or SKIPPED_PATHS.search(rule.rule):
            continue
        paths.add(rule.rule)
    return sorted(paths)


def timed_get(client, path: str, statements: Statements) -> tuple[float, float, int, int]:
    """One request: this process's CPU seconds, wall seconds, statements, status."""
    statements.count = 0
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    response = client.get(path)
    cpu = time.process_time() - cpu_start
    wall = time.perf_counter() - wall_start
    return cpu, wall, statements.count, response.status_code


def medians(samples: list[tuple[float, float, int, int]]) -> dict:
    cpu, wall, counts, statuses = zip(*samples, strict=True)
    return {
        "cpu_ms": round(statistics.median(cpu) * 1000, 2),
        "wall_ms": round(statistics.median(wall) * 1000, 2),
        "statements": statistics.median_low(counts),
        "statements_min_max": [min(counts), max(counts)],
        "errors": sorted({s for s in statuses if s != 200}),
    }


class DatabaseCPU:
    """The CPU time PostgreSQL's backends serving one database have used (from /proc: the database runs on
    this machine). What a page costs the database is invisible to this process's CPU: a query that reads
    more rows as the authority grows shows here, and in the wall time, and nowhere else."""

    TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __init__(self, database: str):
        self.pattern = re.compile(rf"postgres: .*\b{re.escape(database)}\b")

    def seconds(self) -> float:
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if not self.pattern.search((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")):
                    continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / self.TICK


def time_requests(client, path: str, statements: Statements, repeat: int, database: DatabaseCPU | None = None) -> dict:
    """3 warm-up requests, then ``repeat`` measured ones: medians of CPU and wall ms, the statements, and
    the database's CPU per request over the measured ones (its clock ticks are 10 ms: a mean, not a median)."""
    for _ in range(WARM_UP):
        client.get(path)
    before = database.seconds() if database else 0.0
    result = medians([timed_get(client, path, statements) for _ in range(repeat)])
    if database:
        result["db_cpu_ms"] = round((database.seconds() - before) / repeat * 1000, 2)
    return result


def time_variants(client, path: str, statements: Statements, repeat: int, variants: dict[str, Callable[[], Any]]) -> dict[str, dict]:
    """The same page under each variant (a context manager switching something off), interleaved request
    by request so that the machine's other load falls on all of them alike."""
    samples: dict[str, list] = {name: [] for name in variants}
    for switch in variants.values():
        with switch():
            for _ in range(WARM_UP):
                client.get(path)
    for _ in range(repeat):
        for name, switch in variants.items():
            with switch():
                samples[name].append(timed_get(client, path, statements))
    return {name: medians(values) for name, values in samples.items()}


@contextmanager
def tenant_hook_off() -> Iterator[None]:
    """The ORM's tenant criteria off (row-level security still keeps the requests to their authority)."""
    from sqlalchemy import event

    from tenants.orm import TenantSession, _scope_to_tenant

    event.remove(TenantSession, "do_orm_execute", _scope_to_tenant)
    try:
        yield
    finally:
        event.listen(TenantSession, "do_orm_execute", _scope_to_tenant)


def _drop_pending(session) -> None:
    from portal.audit.service import PENDING

    session.info.pop(PENDING, None)


@contextmanager
def audit_sealing_off() -> Iterator[None]:
    """Recorded events are dropped at commit instead of sealed into the chain (no lock, no read of the
    chain's last row, no hashing, no insert). ``record()`` still builds its event."""
    from sqlalchemy import event

    from portal.audit.service import _seal
    from tenants.orm import TenantSession

    event.remove(TenantSession, "before_commit", _seal)
    event.listen(TenantSession, "before_commit", _drop_pending)
    try:
        yield
    finally:
        event.remove(TenantSession, "before_commit", _drop_pending)
        event.listen(TenantSession, "before_commit", _seal)


def run_scale(scale: float, repeat: int, profile: list[str] | None = None) -> dict:
    """Build, seed and measure one size of authority; the database is dropped whatever happens."""
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-cpu-"))
    print(f"[scale {scale}] building the database...", flush=True)
    bench = build_database(tmp)
    try:
        seeded = seed(bench.db_info, bench.authority_id, bench.dsl, bench.front_door, scale=scale)
        print(f"[scale {scale}] seeded in {seeded['seconds']}s: {seeded['counts']}", flush=True)
        lists = seed_lists(bench, scale=scale)
        print(f"[scale {scale}] list pages seeded in {lists['seconds']}s: {lists['counts']}", flush=True)
        if profile:
            return profile_pages(bench, tmp, seeded, lists, repeat, profile)
        return measure_all(bench, tmp, seeded, lists, scale, repeat)
    finally:
        from tests import database as test_database

        try:
            from portal.extensions import db

            db.engine.dispose()
        except Exception:  # noqa: BLE001 - no app was made; nothing to close
            pass
        test_database.drop(bench.db_info)
        print(f"[scale {scale}] database dropped", flush=True)


def signed_in_clients(bench: BenchDatabase, tmp: Path) -> tuple[Any, dict[str, Any]]:
    """The portal built with its production settings, and a client signed in as each person."""
    os.environ.update(production_env(bench.db_info, tmp))
    from portal import create_app

    app = create_app({"PORTAL_ENV": "production"})
    people = {"front door": bench.front_door.email, "DSL": bench.dsl.email, "admin": bench.admin.email}
    clients = {}
    for name, email in people.items():
        client = app.test_client()
        sign_in(client, email)
        clients[name] = client
    return app, clients


def named_pages(seeded: dict, lists: dict) -> list[tuple[str, str, str]]:
    """The pages measured by name (label, path, person): part two's four and the decided referrals."""
    return [
        ("front-door referral queue", "/front-door/referrals", "front door"),
        ("front-door decided referrals", "/front-door/referrals?view=decided", "front door"),
        ("a school's referral list", f"/referrals?school={lists['school0']}", "DSL"),
        ("one referral's page", f"/referrals/{seeded['referral_id']}", "front door"),
        ("chronology of a pupil with 500 events", f"/pupils/{seeded['pupil_id']}/chronology", "DSL"),
    ]


class StatementTimes:
    """The wall time of each SQL statement sent on an engine, by its text."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._started: list[float] = []

    def before(self, *args: Any) -> None:
        self._started.append(time.perf_counter())

    def after(self, conn, cursor, statement: str, *args: Any) -> None:
        self.times.setdefault(statement, []).append(time.perf_counter() - self._started.pop())


def profile_pages(bench: BenchDatabase, tmp: Path, seeded: dict, lists: dict, repeat: int, wanted: list[str]) -> dict:
    """``--profile``: for each page whose label or path contains one of ``wanted`` (``/dashboard``, ``queue``,
    ``chronology``…), ``repeat`` requests under cProfile (written to test-output/bench/profile-*.prof, the
    functions of most own time printed), and each SQL statement's wall time. No goals: this is for finding
    where a page's time goes, not for the table."""
    import cProfile
    import pstats

    from sqlalchemy import event

    from portal.extensions import db

    app, clients = signed_in_clients(bench, tmp)
    with app.app_context():
        engine = db.engine
    pages = named_pages(seeded, lists) + [(path, path, person) for path in list_pages(app) for person in clients]
    OUT.mkdir(parents=True, exist_ok=True)
    profiled = []
    for label, path, person in pages:
        if not any(w in label or w in path for w in wanted) or any(p == path for p, _ in profiled):
            continue
        client = clients[person]
        if not is_html_page(client.get(path)):
            continue
        for _ in range(WARM_UP):
            client.get(path)
        times = StatementTimes()
        event.listen(engine, "before_cursor_execute", times.before)
        event.listen(engine, "after_cursor_execute", times.after)
        profiler = cProfile.Profile()
        cpu_start = time.process_time()
        profiler.enable()
        for _ in range(repeat):
            client.get(path)
        profiler.disable()
        cpu_ms = (time.process_time() - cpu_start) / repeat * 1000
        event.remove(engine, "before_cursor_execute", times.before)
        event.remove(engine, "after_cursor_execute", times.after)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:60] or "page"
        out = OUT / f"profile-{slug}.prof"
        profiler.dump_stats(out)
        print(f"\n== {label} ({path}) as {person}: {cpu_ms:.2f} ms of CPU a request under the profiler; {out}")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        print("   statements, by wall ms a request:")
        for statement, spent in sorted(times.times.items(), key=lambda item: -sum(item[1]))[:15]:
            print(f"   {sum(spent) / repeat * 1000:8.2f} ms  x{len(spent) / repeat:g}  {' '.join(statement.split())[:220]}")
        profiled.append((path, label))
    with app.app_context():
        db.engine.dispose()
    return {"profiled": [label for _, label in profiled]}


def measure_all(bench: BenchDatabase, tmp: Path, seeded: dict, lists: dict, scale: float, repeat: int) -> dict:
    from sqlalchemy import event

    from portal.extensions import db

    app, clients = signed_in_clients(bench, tmp)
    statements = Statements()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statements)

    # Which person sees each page.
    found: list[tuple[str, str, str]] = []  # (label, path, person)
    not_pages: dict[str, dict[str, int | str]] = {}
    for path in list_pages(app):
        answers: dict[str, int | str] = {}
        for name, client in clients.items():
            response = client.get(path)
            answers[name] = response.status_code if response.status_code != 200 else (response.mimetype or "?")
            if is_html_page(response):
                found.append((path, path, name))
                break
        else:
            not_pages[path] = answers
    named = named_pages(seeded, lists)
    # /accessibility as each person: the fixed cost of a signed-in page for each role.
    found = [f for f in found if f[1] != STATIC_PAGE and f[1] not in {path for _, path, _ in named}]
    found += [(f"{STATIC_PAGE} (as {name})", STATIC_PAGE, name) for name in clients] + named
    database_cpu = DatabaseCPU(bench.db_info.name)
    print(f"[scale {scale}] measuring {len(found)} pages, {repeat} requests each...", flush=True)
    results = []
    for label, path, person in found:
        result = {"page": label, "path": path, "as": person, **time_requests(clients[person], path, statements, repeat, database_cpu)}
        results.append(result)
        flag = f"  ERRORS {result['errors']}" if result["errors"] else ""
        print(
            f"  {label[:60]:<60} {person:<10} cpu {result['cpu_ms']:>7} ms  db {result.get('db_cpu_ms', '-'):>6} ms  wall {result['wall_ms']:>7} ms  statements {result['statements']:>3}{flag}",
            flush=True,
        )

    sign_in_cost = time_sign_in(app, bench.dsl.email, statements)
    print(f"  {sign_in_cost['page']:<60} {'DSL':<10} cpu {sign_in_cost['cpu_ms']:>7} ms  wall {sign_in_cost['wall_ms']:>7} ms", flush=True)

    shares = []
    by_label = {r["page"]: r for r in results}
    for label in SHARE_PAGES:
        page = by_label[label]
        client = clients[page["as"]]
        variants: dict[str, Callable[[], Any]] = {"on": nullcontext, "tenant hook off": tenant_hook_off, "audit sealing off": audit_sealing_off}
        # A share of 5% is half a millisecond of a 10 ms page, inside what 30 requests' medians move by on a
        # shared machine (one run read the queue's hook share as -8%, another as +14%): more requests here.
        measured = time_variants(client, page["path"], statements, max(repeat, SHARE_REPEAT), variants)
        on = measured["on"]["cpu_ms"]
        share = {
            "page": label,
            "cpu_ms": {k: v["cpu_ms"] for k, v in measured.items()},
            "statements": {k: v["statements"] for k, v in measured.items()},
            "errors": {k: v["errors"] for k, v in measured.items() if v["errors"]},
            "tenant_hook_share_pct": round((on - measured["tenant hook off"]["cpu_ms"]) / on * 100, 1),
            "audit_share_pct": round((on - measured["audit sealing off"]["cpu_ms"]) / on * 100, 1),
        }
        shares.append(share)
        print(
            f"  {label:<45} cpu on {on} ms, hook off {share['cpu_ms']['tenant hook off']} ms ({share['tenant_hook_share_pct']}%), audit sealing off {share['cpu_ms']['audit sealing off']} ms ({share['audit_share_pct']}%)",
            flush=True,
        )
    event.remove(engine, "before_cursor_execute", statements)
    with app.app_context():
        db.engine.dispose()
    return {
        "scale": scale,
        "repeat": repeat,
        "seeded": {"counts": {**seeded["counts"], **lists["counts"]}, "seconds": seeded["seconds"], "list_seconds": lists["seconds"]},
        "loadavg": loadavg(),
        "results": results,
        "sign_in": sign_in_cost,
        "shares": shares,
        "no_page_for_these_people": not_pages,
    }


def errors_in(run: dict) -> list[str]:
    """The pages that answered anything but 200 while measured, and the routes that gave a 5xx."""
    bad = [f"{r['page']}: {r['errors']}" for r in run["results"] + ([run["sign_in"]] if "sign_in" in run else []) if r["errors"]]
    bad += [f"{s['page']} ({k}): {v}" for s in run["shares"] for k, v in s["errors"].items()]
    bad += [f"{path}: {answers}" for path, answers in run["no_page_for_these_people"].items() if any(isinstance(v, int) and v >= 500 for v in answers.values())]
    return bad


def summary(full: dict, tenth: dict | None) -> tuple[list[str], bool]:
    """The table (full size beside a tenth) and whether every goal was met."""
    lines, passed = [], True
    tenth_by = {r["page"]: r for r in tenth["results"]} if tenth else {}
    lines.append(f"{'page':<52} {'as':<10} {'CPU full':>9} {'CPU 1/10':>9} {'growth':>7} {'stmts':>7} {'DB full':>8} {'DB 1/10':>8} {'wall full':>10}  goals")
    for r in full["results"]:
        t = tenth_by.get(r["page"])
        goals = []
        goal = CPU_GOALS.get(r["page"]) or (STATIC_CPU_GOAL if r["path"] == STATIC_PAGE else None)
        if goal is not None:
            met = r["cpu_ms"] <= goal
            goals.append(f"CPU ≤ {goal:g} ms {ok(met)}")
            passed &= met
        if r["path"] == STATIC_PAGE:
            met = r["statements"] <= STATIC_STATEMENTS_GOAL
            goals.append(f"≤ {STATIC_STATEMENTS_GOAL} statements {ok(met)}")
            passed &= met
        growth = "-"
        stmts = f"{r['statements']}"
        if t:
            pct = (r["cpu_ms"] - t["cpu_ms"]) / t["cpu_ms"] * 100
            growth = f"{pct:+.0f}%"
            met = pct <= GROWTH_GOAL
            goals.append(f"growth ≤ {GROWTH_GOAL:g}% {ok(met)}")
            same = r["statements"] == t["statements"]
            goals.append(f"same statements {ok(same)}")
            passed &= met and same
            stmts = f"{r['statements']}/{t['statements']}"
            if "db_cpu_ms" in r and "db_cpu_ms" in t:
                # The database's time may grow by 20% and by what its clock's 10 ms ticks let it be read to on a
                # shared machine (two runs of the same static page read 0.83 and 1.33 ms): 1 ms. A scan that
                # grows with the authority is far past that (the dashboard's was 27 against 7 ms).
                db_met = r["db_cpu_ms"] <= t["db_cpu_ms"] * (1 + GROWTH_GOAL / 100) + max(DB_SLACK_MS, 2 * DB_TICK_MS / max(1, full["repeat"]))
                goals.append(f"database time flat {ok(db_met)}")
                passed &= db_met
        errors = sorted(set(r["errors"]) | set(t["errors"] if t else []))
        if errors:
            goals.append(f"ERROR HTTP {errors} ❌")
            passed = False
        tenth_cpu = f"{t['cpu_ms']:.2f}" if t else "-"
        db_full = f"{r['db_cpu_ms']:.2f}" if "db_cpu_ms" in r else "-"
        db_tenth = f"{t['db_cpu_ms']:.2f}" if t and "db_cpu_ms" in t else "-"
        lines.append(
            f"{r['page'][:52]:<52} {r['as']:<10} {r['cpu_ms']:>9.2f} {tenth_cpu:>9} {growth:>7} {stmts:>7} {db_full:>8} {db_tenth:>8} {r['wall_ms']:>10.2f}  {'; '.join(goals)}"
        )
    if "sign_in" in full:
        signed = full["sign_in"]
        tenth_signed = tenth.get("sign_in") if tenth else None
        tenth_cpu = f"{tenth_signed['cpu_ms']:.2f}" if tenth_signed else "-"
        errors = sorted(set(signed["errors"]) | set(tenth_signed["errors"] if tenth_signed else []))
        mark = f"ERROR HTTP {errors} ❌" if errors else "no goal: argon2id at the README's parameters"
        passed &= not errors
        lines.append(
            f"{signed['page'][:52]:<52} {signed['as']:<10} {signed['cpu_ms']:>9.2f} {tenth_cpu:>9} {'-':>7} {signed['statements']:>7} {signed['wall_ms']:>10.2f}  {mark}"
        )
    lines.append("")
    lines.append(f"{'share of CPU':<52} {'':<10} {'full':>9} {'1/10':>9}")
    tenth_shares = {s["page"]: s for s in tenth["shares"]} if tenth else {}
    for s in full["shares"]:
        t = tenth_shares.get(s["page"])
        for key, name, goal in (("tenant_hook_share_pct", "tenant hook", HOOK_SHARE_GOAL), ("audit_share_pct", "audit sealing", None)):
            values = [s[key]] + ([t[key]] if t else [])
            mark = ""
            if goal is not None:
                met = all(v <= goal for v in values)
                passed &= met
                mark = f"≤ {goal:g}% {ok(met)}"
            tenth_value = f"{t[key]:.1f}%" if t else "-"
            lines.append(f"{name + ': ' + s['page']:<52} {'':<10} {s[key]:>8.1f}% {tenth_value:>9}  {mark}")
        errors = {**s["errors"], **(t["errors"] if t else {})}
        if errors:
            lines.append(f"    ERROR HTTP with {errors} ❌")
            passed = False
    runs = [full] + ([tenth] if tenth and tenth["no_page_for_these_people"] != full["no_page_for_these_people"] else [])
    for run in runs:
        if run["no_page_for_these_people"]:
            lines.append("")
            sizes = f"scale {run['scale']}" if len(runs) > 1 or not tenth else "both sizes"
            lines.append(f"GET routes with no HTML page for any of the three ({sizes}): status or type as front door / DSL / admin")
            for path, answers in run["no_page_for_these_people"].items():
                server_error = any(isinstance(v, int) and v >= 500 for v in answers.values())
                if server_error:
                    passed = False
                lines.append(f"  {'ERROR ' if server_error else ''}{path}: {' / '.join(str(v) for v in answers.values())}")
    return lines, passed


def write_report(report: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "cpu_per_request.json"
    path.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the authority: 1.0 is 200 schools of 250 pupils")
    parser.add_argument("--repeat", type=int, default=30, help="measured requests per page, after 3 to warm up")
    parser.add_argument("--both", action="store_true", help="run at --scale 1.0 and 0.1, each in a process of its own, and compare")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # where a child process of --both writes its run
    parser.add_argument(
        "--profile", action="append", metavar="PAGE", help="profile the pages whose label or path contains PAGE (repeatable) instead of measuring every page"
    )
    args = parser.parse_args()

    if args.profile:
        run_scale(args.scale, args.repeat, args.profile)
        return 0

    if not args.both:
        run = run_scale(args.scale, args.repeat)
        if args.json:
            args.json.write_text(json.dumps(run, default=str, ensure_ascii=False))
            return 0
        lines, passed = summary(run, None)
        print("\n" + "\n".join(lines))
        print(f"\nload average: {run['loadavg']}\nwrote {write_report({'runs': [run], 'goals_met': passed})}")
        return report_errors(errors_in(run))

    runs = {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-cpu-") as tmp:
        for scale in (0.1, 1.0):
            out = Path(tmp) / f"{scale}.json"
            started = time.perf_counter()
            code = subprocess.call(
                [sys.executable, "-m", "benchmarks.cpu_per_request", "--scale", str(scale), "--repeat", str(args.repeat), "--json", str(out)], cwd=ROOT
            )
            if code != 0 or not out.exists():
                print(f"The run at scale {scale} failed (exit {code}).", file=sys.stderr)
                return 1
            runs[scale] = json.loads(out.read_text())
            runs[scale]["run_seconds"] = round(time.perf_counter() - started, 1)
    full, tenth = runs[1.0], runs[0.1]
    lines, passed = summary(full, tenth)
    print("\n" + "\n".join(lines))
    print(
        f"\nseeding: full {full['seeded']['seconds']}s + {full['seeded']['list_seconds']}s lists; tenth {tenth['seeded']['seconds']}s + {tenth['seeded']['list_seconds']}s lists"
    )
    print(f"load average at the end of each run: full {full['loadavg']}; tenth {tenth['loadavg']}")
    print(f"wrote {write_report({'runs': [full, tenth], 'goals_met': passed})}")
    return report_errors(errors_in(full) + errors_in(tenth))


def report_errors(errors: list[str]) -> int:
    """A page that fails is an error (exit 1); a goal not met is shown with ❌ and is not."""
    if errors:
        print("Errors:\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

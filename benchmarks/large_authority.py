"""`make bench`, part two: page latency in a large authority, under gunicorn, with concurrent clients.

Seeds one authority into a fresh PostgreSQL database (production layout: an owner role for migrations,
an application role under row-level security) with 200 schools, 50,000 pupils, 200,000 referrals,
200,500 chronology lines (one pupil has 500) and 1,000,000 audit rows; serves the portal and a bare
Flask app (a constant) with gunicorn on loopback; signs in a front-door officer and a DSL; then sends
concurrent requests to each page and reports the median and 95th percentile, and their ratio to the
bare endpoint measured in the same run. Writes test-output/bench/large_authority.json.

    python -m benchmarks.large_authority [--clients 8] [--requests 200] [--workers 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark-password-2026"
SCHOOLS = 200
PUPILS_PER_SCHOOL = 250
REFERRALS_PER_PUPIL = 4
AUDIT_ROWS = 1_000_000
CHRONOLOGY_OF_ONE = 500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class BenchDatabase:
    """The bench authority's database and the people signed in to measure it."""

    db_info: Any
    authority_id: uuid.UUID
    dsl: Any
    front_door: Any
    admin: Any


def build_database(tmp: Path, *, schools: int = SCHOOLS) -> BenchDatabase:
    """A migrated database with the bench authority's ``schools``, front door and people (a DSL of
    School 000, a front-door officer, the authority admin) made through the portal's own models."""
    os.environ["PORTAL_TEST_DATABASE"] = "postgresql"
    from tests import database as test_database

    db_info = test_database.create(tmp)
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"PORTAL_ENV": "test", **db_info.config(), "INSTANCE_PATH": str(tmp / "instance")})
    with app.app_context():
        upgrade()
    from tests.world import create_authority, create_organisation, create_user

    authority_id = create_authority(app, "Largeshire Safeguarding Children Partnership", "largeshire")
    try:
        school_ids = [create_organisation(app, authority_id, f"School {n:03d}", "school", urn=f"{300000 + n}", phase="primary") for n in range(schools)]
        social_care = create_organisation(app, authority_id, "Largeshire Front Door", "social_care")
        dsl = create_user(app, authority_id, "dsl@largeshire.example.org", "dsl", school_ids[0], password=PASSWORD)
        front_door = create_user(app, authority_id, "frontdoor@largeshire.example.org", "front_door", social_care, password=PASSWORD)
        admin = create_user(app, authority_id, "admin@largeshire.example.org", "authority_admin", password=PASSWORD)
    except BaseException:
        test_database.drop(db_info)
        raise
    finally:
        with app.app_context():
            from portal.extensions import db

            db.engine.dispose()
    return BenchDatabase(db_info, authority_id, dsl, front_door, admin)


SEED_SQL = """
SELECT set_config('app.authority_id', %(a)s, true);
INSERT INTO pupils (id, authority_id, organisation_id, legal_forename, legal_surname, date_of_birth, year_group,
                    sen, looked_after, child_protection_plan, eal, updated_at, version, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, o.id, 'Pupil' || g, 'Surname' || (g %% 97), DATE '2014-09-01' + (g %% 1500),
       ((g %% 6) + 1)::text, g %% 9 = 0, g %% 50 = 0, g %% 70 = 0, g %% 6 = 0, now(), 1, now()
FROM organisations o CROSS JOIN generate_series(1, %(per_school)s) g WHERE o.kind = 'school';

INSERT INTO referrals (id, authority_id, organisation_id, pupil_id, created_by_id, status, categories, what_happened,
                       child_voice, immediate_danger, police_called, parents_aware, school_view_level,
                       submitted_at, due_at, acknowledged_at, acknowledged_by_id, decision, decision_reason, decided_at,
                       decided_by_id, closed_at, last_feedback_at, decision_level, version, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, p.organisation_id, p.id, %(dsl)s::uuid,
       CASE WHEN r.n = 1 AND (hashtext(p.id::text) %% 100) = 0 THEN 'acknowledged' ELSE 'closed' END,
       '["neglect"]', 'Seeded referral for the benchmark.', NULL, false, false, 'yes', 'early_help',
       r.at, r.at + interval '1 day', r.at + interval '2 hours', %(fd)s::uuid,
       CASE WHEN r.n = 1 AND (hashtext(p.id::text) %% 100) = 0 THEN NULL ELSE 'early_help' END,
       CASE WHEN r.n = 1 AND (hashtext(p.id::text) %% 100) = 0 THEN NULL ELSE 'Early help offer accepted by the family.' END,
       CASE WHEN r.n = 1 AND (hashtext(p.id::text) %% 100) = 0 THEN NULL ELSE r.at + interval '20 hours' END,
       %(fd)s::uuid,
       CASE WHEN r.n = 1 AND (hashtext(p.id::text) %% 100) = 0 THEN NULL ELSE r.at + interval '30 days' END,
       r.at + interval '2 hours',
       -- The level the front door found (the oldest referral of each pupil was decided before levels were recorded).
       CASE WHEN r.n = 4 OR (r.n = 1 AND (hashtext(p.id::text) %% 100) = 0) THEN NULL
            ELSE (ARRAY['universal', 'early_help', 'child_in_need', 'child_protection'])[1 + abs(hashtext(p.id::text || r.n)) %% 4] END,
       1, r.at
FROM pupils p
CROSS JOIN LATERAL (SELECT n, now() - (n * interval '90 days') - ((hashtext(p.id::text || n) %% 1000) * interval '1 minute') AS at
                    FROM generate_series(1, %(per_pupil)s) n) r;

INSERT INTO chronology_entries (id, authority_id, pupil_id, organisation_id, occurred_at, kind, title, substance, significant,
                                actor_id, object_type, object_id, created_at)
SELECT gen_random_uuid(), %(a)s::uuid, r.pupil_id, r.organisation_id, r.created_at, 'referral', 'Submitted by the school',
       '[]', false, %(dsl)s::uuid, 'referral', r.id, r.created_at
FROM referrals r;

INSERT INTO audit_events (id, authority_id, seq, occurred_at, actor_id, organisation_id, action, object_type, object_id,
                          ip_address, user_agent, details, prev_hash, hash)
SELECT gen_random_uuid(), %(a)s::uuid, (SELECT coalesce(max(seq), 0) FROM audit_events) + g,
       now() - (g * interval '1 second'), %(dsl)s::uuid, NULL, 'record.viewed', 'referral', g::text, '127.0.0.1', 'seed', '{}',
       md5(g::text) || md5(g::text), md5((g + 1)::text) || md5((g + 1)::text)
FROM generate_series(1, %(audit)s) g;
"""


REFERRAL_DETAIL_SQL = """
WITH r AS (SELECT * FROM referrals WHERE id = %(r)s),
transitions AS (
    INSERT INTO referral_transitions (id, authority_id, referral_id, actor_id, from_status, to_status, comment, created_at)
    SELECT gen_random_uuid(), r.authority_id, r.id, t.actor, t.from_status, t.to_status, t.comment, r.submitted_at + t.after
    FROM r CROSS JOIN (VALUES (%(dsl)s::uuid, NULL, 'submitted', NULL, interval '0'),
                              (%(fd)s::uuid, 'submitted', 'acknowledged', 'Received; we are checking what we hold.', interval '2 hours')
                      ) AS t(actor, from_status, to_status, comment, after)
    RETURNING 1
),
messages AS (
    INSERT INTO referral_messages (id, authority_id, referral_id, author_id, from_front_door, body, created_at)
    SELECT gen_random_uuid(), r.authority_id, r.id, m.author, m.front_door, m.body, r.submitted_at + m.after
    FROM r CROSS JOIN (VALUES (%(fd)s::uuid, true, 'Can you tell us who else lives at the address?', interval '3 hours'),
                              (%(dsl)s::uuid, false, 'Mum, her partner and an older brother at secondary school.', interval '4 hours')
                      ) AS m(author, front_door, body, after)
    RETURNING 1
),
people AS (
    INSERT INTO referral_people (id, authority_id, referral_id, kind, name, relationship, date_of_birth, lives_in_household,
                                 parental_responsibility, contact_details, first_language, interpreter_needed, school, version, created_at)
    SELECT gen_random_uuid(), r.authority_id, r.id, p.kind, p.name, p.relationship, p.born, p.lives, p.pr, p.contact, 'English', false,
           p.school, 1, r.created_at + p.n * interval '1 minute'
    FROM r CROSS JOIN (VALUES (1, 'household', 'Dawn Example', 'Mother', DATE '1990-03-02', true, 'yes', '07700 900123', NULL),
                              (2, 'household', 'Lee Example', 'Mother''s partner', NULL, true, 'no', NULL, NULL),
                              (3, 'household', 'Joan Example', 'Grandmother', DATE '1962-11-20', false, 'not_known', '01632 960123', NULL),
                              (4, 'sibling', 'Kai Example', 'Brother', DATE '2011-06-14', true, NULL, NULL, 'Northfield Academy')
                      ) AS p(n, kind, name, relationship, born, lives, pr, contact, school)
    RETURNING 1
)
INSERT INTO referral_agencies (id, authority_id, referral_id, agency_type, professional_name, organisation, contact_details, version, created_at)
SELECT gen_random_uuid(), r.authority_id, r.id, a.kind, a.person, a.organisation, a.contact, 1, r.created_at + a.n * interval '1 minute'
FROM r CROSS JOIN (VALUES (1, 'gp', 'Dr Patel', 'Riverside Surgery', '01632 960456'),
                          (2, 'school_nurse', 'Sam Jones', 'School nursing service', NULL)
                  ) AS a(n, kind, person, organisation, contact)
"""


def scaled(full: int, scale: float) -> int:
    """``full`` at ``scale`` (1.0 is the full-size authority), at least one."""
    return max(1, round(full * scale))


def seed(db_info, authority_id, dsl, front_door, *, scale: float = 1.0) -> dict:
    """Bulk rows in SQL (as the owner, with the tenant set so row-level security's WITH CHECK passes).

    ``scale`` shrinks the authority without changing its shape: every school keeps its place (the filter
    lists are the same), each has ``scale`` of its pupils (so of their referrals and chronology lines),
    and there are ``scale`` of the audit rows. The pupil with the long chronology keeps all 500 lines."""
    started = time.perf_counter()
    owner = db_info.owner_url.replace("postgresql+psycopg://", "postgresql://")
    params = {
        "a": str(authority_id),
        "dsl": str(dsl.id),
        "fd": str(front_door.id),
        "per_school": scaled(PUPILS_PER_SCHOOL, scale),
        "per_pupil": REFERRALS_PER_PUPIL,
        "audit": scaled(AUDIT_ROWS, scale),
    }
    with psycopg.connect(owner, autocommit=False) as conn:
        for statement in [s for s in SEED_SQL.split(";\n") if s.strip()]:
            conn.execute(statement, params)
        # One pupil of the DSL's school with a 500-line chronology.
        pupil_id = conn.execute(
            "SELECT p.id FROM pupils p JOIN organisations o ON o.id = p.organisation_id WHERE o.name = 'School 000' ORDER BY p.id LIMIT 1"
        ).fetchone()[0]
        conn.execute(
            """INSERT INTO chronology_entries (id, authority_id, pupil_id, organisation_id, occurred_at, kind, title, substance,
                                               significant, actor_id, object_type, object_id, created_at)
               SELECT gen_random_uuid(), %(a)s::uuid, p.id, p.organisation_id, now() - g * interval '6 hours', 'concern',
                      'Concern logged', '[]', false, %(dsl)s::uuid, 'concern', gen_random_uuid(), now()
               FROM pupils p CROSS JOIN generate_series(1, %(n)s - (SELECT count(*) FROM chronology_entries c WHERE c.pupil_id = %(p)s)) g
               WHERE p.id = %(p)s""",
            {**params, "p": pupil_id, "n": CHRONOLOGY_OF_ONE},
        )
        referral_id = conn.execute("SELECT id FROM referrals WHERE status = 'acknowledged' ORDER BY due_at LIMIT 1").fetchone()[0]
        # The measured referral carries what a real one does: its time line, a thread, the household and
        # a sibling, and the agencies involved (the bulk referrals have none of these).
        conn.execute(REFERRAL_DETAIL_SQL, {**params, "r": referral_id})
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    with psycopg.connect(owner) as conn:
        conn.execute("SELECT set_config('app.authority_id', %s, false)", (str(authority_id),))
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("organisations", "pupils", "referrals", "chronology_entries", "audit_events")
        }
        counts["chronology of the measured pupil"] = conn.execute("SELECT count(*) FROM chronology_entries WHERE pupil_id = %s", (pupil_id,)).fetchone()[0]
    return {"pupil_id": pupil_id, "referral_id": referral_id, "counts": counts, "scale": scale, "seconds": round(time.perf_counter() - started, 1)}


def production_env(db_info, tmp: Path) -> dict[str, str]:
    """The settings the portal runs with in production, on the application role (row-level security
    applies), with plain HTTP on loopback and a generous sign-in rate limit."""
    from cryptography.fernet import Fernet

    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "TOTP_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": db_info.app_url,
        "DATABASE_APP_ROLE": "portal_test_app",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "FORCE_HTTPS": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PORTAL_INSTANCE_PATH": str(tmp / "instance"),
    }


#: An empty gunicorn configuration, for the bare endpoint and the floor.
NO_CONFIG = Path(__file__).resolve().parent / "gunicorn_plain.conf.py"


def start_gunicorn(app_spec: str, port: int, env: dict, workers: int, threads: int = 1, *, config: bool = False) -> subprocess.Popen:
    """gunicorn serving ``app_spec`` on loopback with ``workers`` processes of ``threads`` threads; with
    ``config`` through the portal's gunicorn.conf.py (its preload, its fork hook), the set-up given by
    the environment variables it reads; otherwise the same set-up from the command line, preloaded."""
    command = [str(Path(sys.executable).parent / "gunicorn")]
    if config:
        command += ["-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
        env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    else:
        # Not the portal's gunicorn.conf.py (gunicorn reads ./gunicorn.conf.py unless given another).
        command += ["-c", str(NO_CONFIG), "-w", str(workers), "--threads", str(threads), "--preload", "-b", f"127.0.0.1:{port}"]
    process = subprocess.Popen([*command, "--log-level", "warning", app_spec], cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn for {app_spec} exited with {process.returncode}") from None
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except Exception:  # noqa: BLE001 - whatever happened, it must go
        process.kill()
        process.wait(timeout=5)


class Client:
    """One keep-alive HTTP connection with its own cookies."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, dict]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.getheaders())

    def sign_in(self, email: str) -> None:
        status, page, _ = self.request("GET", "/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, _, headers = self.request("POST", "/sign-in", {"csrf_token": token, "email": email, "password": PASSWORD})
        if status != 302 or "/sign-in" in headers.get("Location", ""):
            raise RuntimeError(f"Sign-in failed for {email}: {status}")


def measure(port: int, path: str, *, clients: int, requests: int, email: str | None) -> dict:
    """``clients`` threads, each with its own signed-in session, sending ``requests`` GETs one after another."""
    workers = []
    for _ in range(clients):
        client = Client(port)
        if email:
            client.sign_in(email)
        for _ in range(3):  # warm up: connection, caches, the worker's first request
            client.request("GET", path)
        workers.append(client)
    timings: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()

    def run(client: Client) -> None:
        mine, bad = [], []
        for _ in range(requests):
            started = time.perf_counter()
            status, _, _ = client.request("GET", path)
            mine.append(time.perf_counter() - started)
            if status != 200:
                bad.append(status)
        with lock:
            timings.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=run, args=(c,)) for c in workers]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "path": path,
        "requests": len(timings),
        "errors": len(errors),
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 2),
        "throughput_rps": round(len(timings) / elapsed, 1),
    }


#: The worker set-ups measured, each as (workers, threads) for a machine of ``cores`` cores. The first is
#: gunicorn.conf.py's: the goals are judged on it.
def worker_setups(cores: int) -> list[tuple[str, int, int]]:
    return [
        (f"sync, 1 a core ({cores}) - gunicorn.conf.py", cores, 1),
        (f"sync, 2 a core ({2 * cores})", 2 * cores, 1),
        (f"sync, 2 a core + 1 ({2 * cores + 1}, gunicorn's docs)", 2 * cores + 1, 1),
        (f"gthread, 1 a core ({cores}) x 4 threads", cores, 4),
    ]


#: Goals under gunicorn (gunicorn.conf.py's set-up, 8 clients).
QUEUE_P95_GOAL_MS = 120.0
SHARE_OF_BARE_GOAL = 15.0
FLOOR_RATIO_GOAL = 3.0
AUDITED_RATIO_GOAL = 80.0
AUDIT_CLIENTS = 16


def capture_pages(port: int, pages: list[tuple[str, str, str | None]]) -> dict[str, str]:
    """Each page's HTML as the portal serves it to its person (the floor renders the same)."""
    captured = {}
    for n, (_, path, email) in enumerate(pages):
        client = Client(port)
        if email:
            client.sign_in(email)
        status, html, _ = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        captured[f"page{n}"] = html
    return captured


def with_ratios(results: list[dict]) -> list[dict]:
    base = results[0]
    for result in results:
        result["median_ratio"] = round(result["median_ms"] / base["median_ms"], 1)
        result["share_of_bare_pct"] = round(result["throughput_rps"] / base["throughput_rps"] * 100, 1)
    return results


def measure_setup(name: str, workers: int, threads: int, *, env: dict, pages: list, floor_file: Path, clients: int, requests: int) -> dict:
    """The bare endpoint, then each page and its floor, on fresh servers with this set-up."""
    ports = {"portal": _free_port(), "bare": _free_port(), "floor": _free_port()}
    processes = [
        start_gunicorn("wsgi:app", ports["portal"], env, workers, threads, config=True),
        start_gunicorn("benchmarks.bare_app:app", ports["bare"], env, workers, threads),
    ]
    try:
        if not floor_file.exists():
            floor_file.write_text(json.dumps(capture_pages(ports["portal"], pages)))
        processes.append(start_gunicorn("benchmarks.floor_app:app", ports["floor"], {**env, "FLOOR_PAGES": str(floor_file)}, workers, threads))
        print(f"\n[{name}] {workers} workers x {threads} threads, {clients} clients, {requests} requests each", flush=True)
        results = [{"page": "bare Flask endpoint (constant)", **measure(ports["bare"], "/", clients=clients, requests=requests, email=None)}]
        for n, (label, path, email) in enumerate(pages):
            page = {"page": label, **measure(ports["portal"], path, clients=clients, requests=requests, email=email)}
            floor = measure(ports["floor"], f"/page{n}", clients=clients, requests=requests, email=None)
            page["floor"] = {k: floor[k] for k in ("median_ms", "p95_ms", "throughput_rps", "errors")}
            page["floor_ratio"] = round(floor["throughput_rps"] / page["throughput_rps"], 2)
            results.append(page)
        with_ratios(results)
        for r in results:
            floor = f"  floor {r['floor']['throughput_rps']:>7} rps (x{r['floor_ratio']})" if "floor" in r else ""
            print(
                f"  {r['page']:<40} median {r['median_ms']:>7} ms  p95 {r['p95_ms']:>7} ms  {r['throughput_rps']:>7} rps ({r['share_of_bare_pct']}% of bare){floor}  errors {r['errors']}",
                flush=True,
            )
        return {"setup": name, "workers": workers, "threads": threads, "results": results, "loadavg": loadavg()}
    finally:
        for process in processes:
            stop(process)


def measure_audit_ratio(workers: int, threads: int, *, env: dict, pages: list, requests: int, rounds: int = 2) -> list[dict]:
    """``AUDIT_CLIENTS`` clients on each page of the portal, then of the same portal with its audit's sealing
    off (``benchmarks.unaudited_app``), alternated ``rounds`` times so that the machine's other load falls
    on both alike: the throughput with auditing as a share of the throughput without."""
    ports = {"audited": _free_port(), "unaudited": _free_port()}
    processes = [
        start_gunicorn("wsgi:app", ports["audited"], env, workers, threads, config=True),
        start_gunicorn("benchmarks.unaudited_app:app", ports["unaudited"], env, workers, threads, config=True),
    ]
    print(f"\n[audited vs unaudited] {AUDIT_CLIENTS} clients, {workers} workers x {threads} threads", flush=True)
    out = []
    try:
        for label, path, email in pages:
            runs: dict[str, list[dict]] = {"audited": [], "unaudited": []}
            for _ in range(rounds):
                for variant, port in ports.items():
                    runs[variant].append(measure(port, path, clients=AUDIT_CLIENTS, requests=requests, email=email))
            result = {"page": label}
            for variant, measured in runs.items():
                result[variant] = {
                    "throughput_rps": round(statistics.mean(m["throughput_rps"] for m in measured), 1),
                    "median_ms": round(statistics.mean(m["median_ms"] for m in measured), 1),
                    "p95_ms": round(statistics.mean(m["p95_ms"] for m in measured), 1),
                    "errors": sum(m["errors"] for m in measured),
                }
            result["audited_pct"] = round(result["audited"]["throughput_rps"] / result["unaudited"]["throughput_rps"] * 100, 1)
            out.append(result)
            print(
                f"  {label:<40} audited {result['audited']['throughput_rps']:>7} rps, unaudited {result['unaudited']['throughput_rps']:>7} rps: {result['audited_pct']}%",
                flush=True,
            )
    finally:
        for process in processes:
            stop(process)
    return out


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "?"


def ok(passed: bool) -> str:
    return "✅" if passed else "❌"


def summary(setups: list[dict], audit: list[dict], clients: int) -> tuple[list[str], bool]:
    """One table: every set-up's pages, with the goals judged on gunicorn.conf.py's set-up (the first)."""
    lines, passed = [], True
    lines.append(f"{clients} clients; goals judged on gunicorn.conf.py's set-up (the first)")
    lines.append(f"{'set-up / page':<52} {'median':>8} {'p95':>8} {'rps':>7} {'% bare':>7} {'x floor':>8}  goals")
    for n, setup in enumerate(setups):
        lines.append(f"{setup['setup']}   (load average after: {setup['loadavg']})")
        for r in setup["results"]:
            goals = []
            if n == 0 and "floor" in r:
                met = r["share_of_bare_pct"] >= SHARE_OF_BARE_GOAL
                goals.append(f"≥ {SHARE_OF_BARE_GOAL:g}% of bare {ok(met)}")
                met_floor = r["floor_ratio"] <= FLOOR_RATIO_GOAL
                goals.append(f"≤ {FLOOR_RATIO_GOAL:g}x floor {ok(met_floor)}")
                passed &= met and met_floor
                if r["page"] == "front-door referral queue":
                    met = r["p95_ms"] <= QUEUE_P95_GOAL_MS
                    goals.append(f"p95 ≤ {QUEUE_P95_GOAL_MS:g} ms {ok(met)}")
                    passed &= met
            if r["errors"] or r.get("floor", {}).get("errors"):
                goals.append("ERRORS ❌")
                passed = False
            floor = f"{r['floor_ratio']:>8}" if "floor" in r else f"{'-':>8}"
            lines.append(
                f"  {r['page'][:50]:<50} {r['median_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['throughput_rps']:>7.1f} {r['share_of_bare_pct']:>6.1f}% {floor}  {'; '.join(goals)}"
            )
    if audit:
        lines.append("")
        lines.append(f"{'audited vs unaudited, ' + str(AUDIT_CLIENTS) + ' clients':<52} {'audited':>8} {'unaud.':>8} {'ratio':>7}")
        for r in audit:
            met = r["audited_pct"] >= AUDITED_RATIO_GOAL and not r["audited"]["errors"] and not r["unaudited"]["errors"]
            passed &= met
            lines.append(
                f"  {r['page'][:50]:<50} {r['audited']['throughput_rps']:>8.1f} {r['unaudited']['throughput_rps']:>8.1f} {r['audited_pct']:>6.1f}%  ≥ {AUDITED_RATIO_GOAL:g}% {ok(met)}"
            )
    return lines, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=100, help="requests each client sends to each page")
    parser.add_argument("--setups", type=int, default=4, help="how many of the four worker set-ups to measure (the first is gunicorn.conf.py's)")
    parser.add_argument("--no-audit-ratio", action="store_true", help="skip the audited-vs-unaudited measurement")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    print("Building the database and seeding a large authority (this takes a minute or two)...", flush=True)
    bench = build_database(tmp)
    db_info, authority_id, dsl, front_door = bench.db_info, bench.authority_id, bench.dsl, bench.front_door
    try:
        seeded = seed(db_info, authority_id, dsl, front_door)
        print(f"Seeded in {seeded['seconds']}s: {seeded['counts']}", flush=True)
        env = {**os.environ, **production_env(db_info, tmp)}
        with psycopg.connect(db_info.owner_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            conn.execute("SELECT set_config('app.authority_id', %s, false)", (str(authority_id),))
            school0 = conn.execute("SELECT id FROM organisations WHERE name = 'School 000'").fetchone()[0]
        pages = [
            ("front-door referral queue", "/front-door/referrals", front_door.email),
            ("a school's referral list", f"/referrals?school={school0}", dsl.email),
            ("one referral's page", f"/referrals/{seeded['referral_id']}", front_door.email),
            ("chronology of a pupil with 500 events", f"/pupils/{seeded['pupil_id']}/chronology", dsl.email),
        ]
        cores = os.cpu_count() or 1
        floor_file = tmp / "floor_pages.json"
        setups = [
            measure_setup(name, workers, threads, env=env, pages=pages, floor_file=floor_file, clients=args.clients, requests=args.requests)
            for name, workers, threads in worker_setups(cores)[: args.setups]
        ]
        audit = [] if args.no_audit_ratio else measure_audit_ratio(cores, 1, env=env, pages=pages, requests=max(10, args.requests // 2))
        lines, passed = summary(setups, audit, args.clients)
        print("\n" + "\n".join(lines))
        out = ROOT / "test-output" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        report = {
            "clients": args.clients,
            "requests_per_client": args.requests,
            "cores": cores,
            "seeded": {k: v for k, v in seeded.items() if k in ("counts", "seconds")},
            "setups": setups,
            "audited_vs_unaudited": audit,
            "goals_met": passed,
        }
        (out / "large_authority.json").write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
        print(f"wrote {out / 'large_authority.json'}")
        failed = [f"{s['setup']}: {r['page']}" for s in setups for r in s["results"] if r["errors"] or r.get("floor", {}).get("errors")]
        failed += [r["page"] for r in audit if r["audited"]["errors"] or r["unaudited"]["errors"]]
        if failed:
            print(f"Errors on: {failed}", file=sys.stderr)
            return 1
        return 0
    finally:
        from tests import database as test_database

        test_database.drop(db_info)


if __name__ == "__main__":
    sys.exit(main())

"""Fixtures for the end-to-end journeys.

* ``live_server`` (once per session): the portal on a fresh, migrated SQLite database, served over HTTP
  by werkzeug in a daemon thread. Emails are written as ``.eml`` files (``live_server.mailbox()``).
* ``seed`` (once per session): one authority, one primary school, an authority administrator and a
  staff member (for the sign-in failure test).
* ``browser`` (once per session): Debian's Chromium, through Playwright. Never Playwright's own download.
* ``new_page`` / ``page`` (per test): each page in a fresh browser context (its own cookies).
* ``checkpoint`` (per test): call it after every navigation. It screenshots the page to
  ``test-output/e2e/<test>/<nn>-<step>.png``, fails on JavaScript errors (including Content-Security-Policy
  refusals) and runs axe-core, failing with every WCAG 2.2 AA violation it finds, then the checks axe
  cannot make (``BEYOND_AXE``: focus visible and not obscured, target size, no positive tabindex, password
  fields a password manager can fill, no copy/paste handlers, nothing to drag, error summaries, the title;
  ``_reflow_problems``: no sideways scrolling at 320 and 640 CSS pixels, i.e. 400% and 200% zoom, and at
  320 the focus order going down the page); the page's HTML is saved beside the screenshot.
* ``valid_html`` (the session, automatically): at the end, no two kinds of page share a title, and the
  Nu HTML Checker over every saved page.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.moments import moment_for_run
from tests.support import PASSWORD
from tests.world import Person, create_authority, create_organisation, create_user

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = REPO / "test-output" / "e2e"
RUN_CLOCK = moment_for_run(os.environ.get("PORTAL_TEST_CLOCK"))


def pytest_sessionstart(session):
    """Say the run's clock even with -q (the header is hidden then), so a failure can be run again at it."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and session.config.get_verbosity() < 0:
        reporter.write_line(pytest_report_header(session.config))


def pytest_report_header(config):
    from portal.clock import uk_datetime

    if not RUN_CLOCK:
        return "portal clock: the machine's (PORTAL_TEST_CLOCK=real)"
    name, moment = RUN_CLOCK
    return f"portal clock: starts at {name}, {moment.isoformat()} = {uk_datetime(moment, '%A %-d %B %Y %H:%M %Z')} in the UK (PORTAL_TEST_CLOCK)"


# The portal, served ----------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: object
    mail_dir: Path

    def mailbox(self):
        """Every email sent so far (oldest first)."""
        from portal.notifications.mail import read_mailbox

        return read_mailbox(self.mail_dir)

    def emails_to(self, address: str):
        return [m for m in self.mailbox() if m["To"] == address]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The portal on a new SQLite database (made by the migrations), answering on 127.0.0.1."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.extensions import db

    root = tmp_path_factory.mktemp("e2e")
    mail_dir = root / "mail"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "PORTAL_ENV": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'portal-e2e.sqlite3'}",
            "INSTANCE_PATH": str(root / "instance"),
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(mail_dir),
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
            "REDIS_URL": None,
            "PUBLIC_BASE_URL": url,
            # The portal's clock for the journeys (PORTAL_TEST_CLOCK, tests/moments.py): ticking on from
            # an awkward moment, the same clock the journeys read when they type a date or a time.
            "PORTAL_CLOCK": RUN_CLOCK[1].isoformat() if RUN_CLOCK else None,
        }
    )
    with app.app_context():
        upgrade()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request buries the failures
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="portal-e2e-server", daemon=True)
    thread.start()
    yield LiveServer(url=url, app=app, mail_dir=mail_dir)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class Seed:
    authority_id: uuid.UUID
    authority_name: str
    school_id: uuid.UUID
    school_name: str
    admin: Person
    staff: Person
    password: str = PASSWORD


@pytest.fixture(scope="session")
def seed(live_server) -> Seed:
    """One authority (two-factor authentication not yet required: the journey's administrator turns it
    on), one primary school, its administrator and a member of the school's staff."""
    app = live_server.app
    authority_name = "Avonford Safeguarding Children Partnership"
    school_name = "Avonford Primary School"
    authority_id = create_authority(app, authority_name, "avonford", require_two_factor=False)
    school_id = create_organisation(app, authority_id, school_name, "school", urn="123456", phase="primary")
    admin = create_user(app, authority_id, "admin@avonford.example.org", "authority_admin", None, full_name="Alex Morgan", password=PASSWORD)
    staff = create_user(app, authority_id, "sam.taylor@avonford.example.org", "staff", school_id, full_name="Sam Taylor", password=PASSWORD)
    return Seed(authority_id, authority_name, school_id, school_name, admin, staff)


# The browser ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium. Missing is a failure, not a skip: the journeys are part of `make test`."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing. Install Debian's chromium (`make chromium`); do not run `playwright install`.", pytrace=False)
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing. Run `make assets` (npm ci).", pytrace=False)
    if not (REPO / "portal" / "static" / "build" / "portal.css").is_file():
        pytest.fail("portal/static/build/portal.css is missing. Run `make assets`.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Make a page in a fresh browser context (another person, at another computer)."""
    contexts = []

    def make(**options):
        """``options`` go to the browser context (for example ``java_script_enabled=False``)."""
        options.setdefault("viewport", {"width": 1024, "height": 768})
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.script_errors = []  # what checkpoint() reports
        page.javascript_disabled = options.get("java_script_enabled") is False
        page.on("pageerror", lambda error: page.script_errors.append(f"uncaught: {error}"))
        page.on("console", lambda message: message.type == "error" and page.script_errors.append(f"console: {message.text}"))
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# Screenshots and accessibility ----------------------------------------------------------------------


def _axe_violations(page) -> list[dict]:
    """Run axe-core on the page. The portal's Content-Security-Policy forbids inline script, so
    ``page.add_script_tag`` is refused; evaluating axe's source through the DevTools protocol is not
    subject to the policy, which stays on for the page's own scripts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;void 0;")
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )


def _axe_violations_without_javascript(page) -> list[dict]:
    """axe cannot finish in a page with JavaScript switched off (its checks are asynchronous), so it
    checks a copy: the same HTML, scripts removed, at the same address, with the same stylesheet."""
    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    context = page.context.browser.new_context(viewport=page.viewport_size, locale="en-GB")
    try:
        copy = context.new_page()
        copy.goto(page.url)
        copy.set_content(html, wait_until="load")
        assert copy.evaluate("() => !document.body.classList.contains('js-enabled')")
        return _axe_violations(copy)
    finally:
        context.close()


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        lines.extend(f"    at {target}" for target in v["targets"])
    return "\n".join(lines)


#: WCAG 2.2 checks axe does not make, run in the page: focus visible (2.4.7) and not obscured (2.4.11) on
#: each focusable element, targets of at least 24 by 24 CSS pixels (2.5.8; links in running text are
#: exempt), an error summary focused on load and linked to its fields, the title starting with the h1. Returns the problems found.
BEYOND_AXE = r"""() => {
  const problems = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')
    + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  const words = (el) => (el.innerText || '').replace(/\s+/g, ' ').trim();
  const h1 = document.querySelector('main h1, h1');
  if (h1) {
    const caption = h1.querySelector('.govuk-caption-xl, .govuk-caption-l, .govuk-caption-m');
    const own = words(h1).replace(caption ? words(caption) : '', '').trim();
    if (!document.title.replace(/^Error: /, '').startsWith(own)) problems.push('title "' + document.title + '" does not start with the h1 "' + own + '"');
  }
  // An error summary is GOV.UK Frontend's component (it focuses itself when the page loads, initialised
  // here), and each of its links goes to a field on the page.
  const summary = document.querySelector('.govuk-error-summary');
  if (summary && !summary.hasAttribute('data-govuk-error-summary-init')) problems.push('the error summary is not the initialised GOV.UK component (not focused on load)');
  if (summary) for (const link of summary.querySelectorAll('a[href^="#"]'))
    if (!document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)))) problems.push('the error summary links to no field: ' + link.getAttribute('href'));
  const focusable = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
    .filter((el) => el.getAttribute('tabindex') !== '-1')  // not in the tab order (a hidden default button for Enter)
    .filter((el) => !el.disabled && visible(el) || (el.matches('.govuk-checkboxes__input, .govuk-radios__input')));
  const before = document.activeElement;
  for (const el of focusable.slice(0, 60)) {
    const inText = el.tagName === 'A' && el.closest('p, li, td, dd, .govuk-hint, .govuk-inset-text, .govuk-warning-text__text') && !el.matches('.govuk-button');
    const plain = getComputedStyle(el);
    const look = (s) => [s.outlineStyle, s.outlineWidth, s.boxShadow, s.backgroundColor, s.color, s.textDecorationThickness].join('|');
    const unfocused = look(plain);
    el.focus({preventScroll: false});
    if (document.activeElement !== el) continue;
    const shown = el.matches('.govuk-checkboxes__input, .govuk-radios__input') ? el.nextElementSibling || el : el;
    const focused = getComputedStyle(el);
    const labelStyle = shown !== el ? getComputedStyle(shown, '::before').outlineStyle + getComputedStyle(shown, '::after').borderTopWidth : '';
    if (look(focused) === unfocused && !labelStyle) problems.push('no visible focus indicator: ' + describe(el));
    const fr = shown.getBoundingClientRect();
    // Target size, measured focused (a skip link shows itself then): at least 24 by 24, or no other
    // target's centre within 24 pixels of its centre (the spacing exception).
    if (!inText && !el.matches('.govuk-checkboxes__input, .govuk-radios__input') && (fr.width < 24 || fr.height < 24)) {
      const cx = fr.left + fr.width / 2, cy = fr.top + fr.height / 2;
      const crowded = focusable.some((other) => { if (other === el) return false; const o = other.getBoundingClientRect();
        return o.width > 0 && Math.hypot(o.left + o.width / 2 - cx, o.top + o.height / 2 - cy) < 24; });
      if (crowded) problems.push('target smaller than 24 by 24 CSS pixels (' + Math.round(fr.width) + 'x' + Math.round(fr.height) + ') with another within 24px: ' + describe(el));
    }
    const x = Math.min(Math.max(fr.left + fr.width / 2, 0), innerWidth - 1), y = Math.min(Math.max(fr.top + Math.min(fr.height, 20) / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (fr.bottom < 0 || fr.top > innerHeight || (top && !el.contains(top) && !shown.contains(top) && !top.contains(el) && !(el.labels && [...el.labels].some((l) => l.contains(top)))))
      problems.push('focused element hidden by ' + (top ? describe(top) : 'the edge of the window') + ': ' + describe(el));
  }
  // Focus order (2.4.3): a positive tabindex takes an element out of the reading order.
  for (const el of document.querySelectorAll('[tabindex]')) if (Number(el.getAttribute('tabindex')) > 0) problems.push('a positive tabindex takes focus out of the reading order: ' + describe(el));
  // Accessible authentication (3.3.8): a password can come from a password manager, and nothing stops
  // a code or a password being pasted. Dragging (2.5.7): nothing on a page needs dragging.
  for (const el of document.querySelectorAll('input[type=password]'))
    if (!/^(current|new)-password$/.test(el.getAttribute('autocomplete') || '')) problems.push('a password field a password manager cannot fill (autocomplete is not current-password or new-password): ' + describe(el));
  for (const el of document.querySelectorAll('[onpaste], [oncopy], [oncut], [ondrop]')) problems.push('the page handles copying or pasting itself: ' + describe(el));
  for (const el of document.querySelectorAll('[draggable=true]')) problems.push('an element to drag, with no single-pointer way (2.5.7): ' + describe(el));
  if (before && before.focus) before.focus(); else document.activeElement.blur();
  window.scrollTo(0, 0);
  return problems;
}"""


#: The widths reflow is checked at: 320 CSS pixels (a 1280-pixel window at 400%, WCAG 1.4.10) and 640 (at
#: 200% zoom, 1.4.4), each with the height the zoom leaves.
REFLOW_SIZES = ((320, 256, "320 CSS pixels (400% zoom)"), (640, 360, "640 CSS pixels (200% zoom)"))

#: At a width where everything is in one column, each focusable element in the tab order is not above the
#: one before it (2.4.3: focus order follows the reading order).
FOCUS_ORDER = r"""() => {
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.position !== 'fixed' && !el.closest('.govuk-skip-link, [hidden]')
      && el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true}); };  // not in a closed <details>
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '')
    + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || el.title || '').replace(/\s+/g, ' ').trim().slice(0, 40) + '"';
  const order = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
    .filter((el) => el.getAttribute('tabindex') !== '-1' && !el.disabled && shown(el));
  const problems = [];
  for (let i = 1; i < order.length; i++) {
    const before = order[i - 1].getBoundingClientRect(), now = order[i].getBoundingClientRect();
    if (now.bottom <= before.top + 1 && now.top < before.top - 2) problems.push('focus goes back up the page, from ' + name(order[i - 1]) + ' to ' + name(order[i]));
  }
  return problems.slice(0, 5);
}"""


def _reflow_problems(page) -> list[str]:
    """WCAG 1.4.10 and 1.4.4: at 320 and at 640 CSS pixels wide nothing scrolls sideways but a data table;
    at 320 the focus order goes down the page. The viewport is put back afterwards."""
    size = page.viewport_size
    problems: list[str] = []
    try:
        for width, height, label in REFLOW_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')].filter((el) => {
                     const r = el.getBoundingClientRect();
                     return r.right > document.documentElement.clientWidth + 1 && r.width > 0 && !el.closest('table, pre, .app-table-wrapper')
                       && getComputedStyle(el).position !== 'fixed' && !el.closest('.govuk-visually-hidden, .govuk-skip-link');
                   }).slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' (' + Math.round(el.getBoundingClientRect().right) + 'px)')"""
            )
            problems += [f"wider than {label}: {w}" for w in wide]
            if width == 320:
                problems += page.evaluate(FOCUS_ORDER)
    finally:
        page.set_viewport_size(size)
    return problems


class Checkpoint:
    """``checkpoint(page, "step")``: screenshot the page, then fail on script errors or axe violations."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.pages_checked: list[str] = []

    def __call__(self, page, step: str) -> None:
        page.wait_for_load_state("load")
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = str(self.folder / f"{self.count:02d}-{slug}.png")
        try:
            page.screenshot(path=path, full_page=True)
        except PlaywrightTimeoutError:
            # A page load that started just before (a form sent with Enter) can hold the screenshot up:
            # wait for that page, then take it once more (a second time-out fails the journey).
            page.wait_for_load_state("load")
            page.screenshot(path=path, full_page=True)
        self.pages_checked.append(page.url)
        TITLES.append((page.title(), page.url, step))
        saved = Path(path).with_suffix(".html")
        saved.write_text(page.content(), encoding="utf-8")
        SAVED_PAGES.append(saved)
        errors, page.script_errors[:] = list(page.script_errors), []
        assert not errors, f"JavaScript errors on {page.url} ({step}):\n" + "\n".join(errors)
        violations = _axe_violations_without_javascript(page) if page.javascript_disabled else _axe_violations(page)
        assert not violations, f"axe found {len(violations)} accessibility problem(s) on {page.url} ({step}):\n{_describe(violations)}"
        if not page.javascript_disabled:
            problems = page.evaluate(BEYOND_AXE) + _reflow_problems(page)
            assert not problems, f"WCAG 2.2 problems axe does not look for on {page.url} ({step}):\n- " + "\n- ".join(problems)


#: The pages the journeys saw, saved as HTML for the Nu HTML Checker at the end of the run.
SAVED_PAGES: list[Path] = []
#: Each page's title, address and step, for the check that different pages have different titles.
TITLES: list[tuple[str, str, str]] = []


def _page_kind(url: str) -> str:
    """The page an address is of: its path with ids (UUIDs, numbers, tokens) as ``{id}``."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path
    return re.sub(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+|[A-Za-z0-9_-]{20,})(?=/|$)", "/{id}", path)


def same_titles(titles: list[tuple[str, str, str]]) -> list[str]:
    """WCAG 2.4.2: a title that names more than one kind of page (``_page_kind``), each with the steps
    that showed it. A page titled ``Error: `` is a form's page drawn again at the address it was sent to,
    not a page of its own: left out."""
    kinds: dict[str, dict[str, str]] = {}
    for title, url, step in titles:
        if not title.startswith("Error: "):
            kinds.setdefault(title, {}).setdefault(_page_kind(url), step)
    return [
        f'"{title}" is the title of {len(pages)} pages: ' + "; ".join(f"{kind} ({step})" for kind, step in sorted(pages.items()))
        for title, pages in kinds.items()
        if len(pages) > 1
    ]


VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: What the Nu HTML Checker may report that is not ours to change, each with the reason. (None so far.)
VNU_EXCEPTIONS: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def valid_html():
    """After the journeys: every page they saved is valid HTML with unique ids, by the Nu HTML Checker
    (``vnu``, errors only). A missing Java or checker is a failure, not a skip."""
    yield
    if not SAVED_PAGES:
        return
    shared = same_titles(TITLES)
    if shared:
        pytest.fail("Different pages share a title (WCAG 2.4.2):\n" + "\n".join(shared), pytrace=False)
    errors = html_errors(SAVED_PAGES)
    if errors:
        pytest.fail(f"The Nu HTML Checker found {len(errors)} error(s) in the {len(SAVED_PAGES)} pages saved:\n" + "\n".join(errors[:40]), pytrace=False)


def html_errors(pages: list[Path]) -> list[str]:
    """The Nu HTML Checker's errors in ``pages`` (``folder/page.html:line: message``), but the exceptions."""
    import json
    import subprocess

    if not VNU.is_file() or shutil.which("java") is None:
        pytest.fail(f"The Nu HTML Checker needs Java and {VNU} (make java, npm ci)", pytrace=False)
    run = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error" and not any(re.search(p, m.get("message", "")) for p in VNU_EXCEPTIONS)]
    return [f"{Path(m.get('url', '')).parent.name}/{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in errors]


@pytest.fixture
def checkpoint(request) -> Checkpoint:
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Checkpoint(folder)

"""The portal's features, and how the application is put together from them.

A feature is a package ``portal/<name>/`` that owns everything about it: its models, its blueprint and page
modules, its policy rows (``policy.py``), its services, its job handlers (``jobs.py``), its templates
(``templates/<name>/``), its menu entries and its audit actions. Its ``__init__.py`` declares them in one
:class:`Feature`, named ``FEATURE``. ``create_app`` walks :data:`FEATURES`, the one list: adding a feature
touches its own package, that list, a migration and its tests.

The descriptor names modules by their dotted path, and they are imported when the app is built, so that
importing a feature's package costs nothing and a feature never needs another feature's pages.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask

#: The features, in the order their blueprints are registered and their menu entries are listed when two
#: entries share a position.
FEATURES: tuple[str, ...] = (
    "pages",
    "accounts",
    "authorities",
    "audit",
    "admin",
    "notifications",
    "dashboard",
    "pupils",
    "concerns",
    "advice",
    "referrals",
    "disagreements",
    "needs",
    "casework",
    "transfers",
    "partnership",
    "contexts",
    "meetings",
    "summits",
    "assessments",
    "forums",
    "selfreview",
    "demo",
)


@dataclass(frozen=True)
class MenuEntry:
    """One item of the service navigation."""

    text: str
    endpoint: str
    #: Its place in the navigation (lower first).
    order: int
    #: Who sees it: ``(user) -> bool``.
    shown: Callable[[Any], bool]
    #: Endpoints (or prefixes ending in ".") under which it is the current item; default its endpoint.
    current: tuple[str, ...] = ()
    #: Endpoints under which it is not current although a prefix above matches.
    not_current: tuple[str, ...] = ()
    #: A count shown beside it (``(user) -> int``), such as unread notifications.
    count: Callable[[Any], int] | None = None
    #: Words read after the count by a screen reader ("unread").
    count_label: str = ""

    def is_current(self, endpoint: str) -> bool:
        if endpoint in self.not_current:
            return False
        prefixes = self.current or (self.endpoint,)
        return any(endpoint == p or (p.endswith(".") and endpoint.startswith(p)) for p in prefixes)


@dataclass(frozen=True)
class Feature:
    """What a feature brings to the application (every module by its dotted path)."""

    name: str
    #: Modules defining its tables.
    models: tuple[str, ...] = ()
    #: ``"module:attribute"`` of each blueprint it registers.
    blueprints: tuple[str, ...] = ()
    #: Page modules that add their routes to a blueprint above (imported before it is registered).
    pages: tuple[str, ...] = ()
    #: The module whose ``POLICIES`` are its rows of the policy table.
    policy: str | None = None
    #: The module whose ``@job`` handlers register themselves.
    jobs: str | None = None
    #: What it runs on the schedule (``jobs.schedule.Every``), for every authority.
    schedule: tuple[Any, ...] = ()
    #: ``"module:attribute"`` of each click command group.
    commands: tuple[str, ...] = ()
    #: Its items of the service navigation.
    menu: tuple[MenuEntry, ...] = ()
    #: ``"module:attribute"`` of its class of audit actions.
    actions: str | None = None
    #: Anything else to set up on the app: ``"module:function"`` called with it.
    setup: tuple[str, ...] = field(default_factory=tuple)
    #: ``"module:function"`` of each function naming the files it keeps in the file store: ``() ->
    #: Iterable[str]``, the storage keys its rows hold in the authority in context. A file no feature
    #: names is an orphan, removed by the file store's sweep (``portal.casework.jobs``).
    stored_files: tuple[str, ...] = ()


def anyone(user: Any) -> bool:
    """A menu entry every signed-in person sees."""
    return True


def holds(*roles: str) -> Callable[[Any], bool]:
    """A menu entry for people holding one of ``roles`` (``portal.accounts.models.Role`` values)."""

    def shown(user: Any) -> bool:
        return bool(user.has_role(*roles))

    return shown


def _attribute(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def features() -> Iterator[Feature]:
    """Each feature's descriptor, in the order of :data:`FEATURES`."""
    for name in FEATURES:
        feature = importlib.import_module(f"portal.{name}").FEATURE
        if feature.name != name:
            raise ValueError(f"portal.{name} declares a feature called {feature.name!r}")
        yield feature


def load_models() -> None:
    """Import every feature's models so the mappers (and Alembic) see all tables."""
    importlib.import_module("jobs.models")
    for feature in features():
        for module in feature.models:
            importlib.import_module(module)


def register_features(app: Flask) -> None:
    """Put every feature into ``app``: policies, job handlers and schedule, audit actions, blueprints,
    commands and set-up; the menu is read from the descriptors when a page is drawn."""
    from jobs import schedule
    from portal import policies
    from portal.audit.actions import register_actions

    load_models()
    for feature in features():
        if feature.policy:
            policies.register(importlib.import_module(feature.policy).POLICIES)
        if feature.jobs:
            importlib.import_module(feature.jobs)
        for entry in feature.schedule:
            schedule.add(entry)
        if feature.actions:
            register_actions(_attribute(feature.actions))
        for module in feature.pages:
            importlib.import_module(module)
        for path in feature.blueprints:
            blueprint: Blueprint = _attribute(path)
            app.register_blueprint(blueprint)
        for path in feature.commands:
            app.cli.add_command(_attribute(path))
        for path in feature.setup:
            _attribute(path)(app)


def stored_file_keys() -> set[str]:
    """Every storage key a feature's rows hold in the authority in context (see ``Feature.stored_files``)."""
    keys: set[str] = set()
    for feature in features():
        for path in feature.stored_files:
            keys.update(key for key in _attribute(path)() if key)
    return keys


@functools.cache
def menu_entries() -> tuple[MenuEntry, ...]:
    """Every feature's navigation items, in their order (read once: the features do not change while the
    process runs, and every signed-in page draws the menu)."""
    entries = [entry for feature in features() for entry in feature.menu]
    return tuple(sorted(entries, key=lambda entry: entry.order))

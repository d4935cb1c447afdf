"""In-app notifications and email."""

from __future__ import annotations

from portal.features import Feature, MenuEntry, anyone


def _unread(user) -> int:
    from portal.notifications.service import unread_count

    return unread_count(user.id)


FEATURE = Feature(
    name="notifications",
    models=("portal.notifications.models",),
    pages=("portal.notifications.views",),
    blueprints=("portal.notifications.blueprint:bp",),
    policy="portal.notifications.policy",
    jobs="portal.notifications.jobs",
    menu=(MenuEntry("Notifications", "notifications.index", 10, anyone, current=("notifications.",), count=_unread, count_label="unread"),),
)

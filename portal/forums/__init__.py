"""The DSL network: forums (categories, threads, replies, moderation, the identifiable-child check),
shared resources, subscriptions and the daily digest."""

from __future__ import annotations

from datetime import time, timedelta

from jobs.schedule import Every
from portal.features import Feature, MenuEntry


def _in_the_network(user) -> bool:
    from portal.forums.policy import forum_member

    return forum_member(user)


FEATURE = Feature(
    name="forums",
    models=("portal.forums.models",),
    pages=(
        "portal.forums.views.categories",
        "portal.forums.views.threads",
        "portal.forums.views.posts",
        "portal.forums.views.moderation",
        "portal.forums.views.guests",
        "portal.forums.views.resources",
        "portal.forums.views.search",
        "portal.forums.views.subscriptions",
    ),
    blueprints=("portal.forums.blueprint:bp",),
    policy="portal.forums.policy",
    jobs="portal.forums.jobs",
    # Yesterday's posts in what each person follows, emailed before the school day starts.
    schedule=(Every("forums.daily_digest", timedelta(days=1), uk_time=time(6, 30)),),
    actions="portal.forums.actions:Action",
    stored_files=("portal.forums.service:stored_files",),
    menu=(MenuEntry("DSL network", "forums.index", 130, _in_the_network, current=("forums.",)),),
)

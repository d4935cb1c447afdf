"""The levels-of-need guidance and the indicators ticked against it.

* The guidance is versioned per authority (:func:`current_guidance`, :func:`new_version`). The first
  version is made from ``levels_of_need.json`` when the authority first needs it (its administrator's
  page, a referral or an advice request), so every authority has one — those created later from the
  command line too — with no data migration and nothing for the authority's creation to remember.
* :func:`suggest_level` turns the indicators ticked into a level: the highest level with one ticked.
* :func:`tick_referral` / :func:`tick_advice` keep what was ticked on a referral or an advice request.

Each function flushes and audits; the caller has checked the person's right and commits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import delete, func, select

from portal.audit.service import record
from portal.extensions import db
from portal.model_base import as_uuid
from portal.needs.actions import Action
from portal.needs.models import AdviceNeedIndicator, NeedGuidance, NeedIndicator, ReferralNeedIndicator
from portal.policies import visible_query
from portal.vocabulary import Level

#: The continuum of need, lowest first.
LEVELS = (Level.UNIVERSAL, Level.EARLY_HELP, Level.CHILD_IN_NEED, Level.CHILD_PROTECTION)
RANK = {level: number for number, level in enumerate(LEVELS, start=1)}
HEADINGS = {
    Level.UNIVERSAL: "Universal",
    Level.EARLY_HELP: "Early help",
    Level.CHILD_IN_NEED: "Child in need",
    Level.CHILD_PROTECTION: "Child protection",
}

_SEED = Path(__file__).with_name("levels_of_need.json")


class IndicatorsChanged(ValueError):
    """Indicators were posted that are not of the version the form was drawn from."""

    message = "The levels-of-need guidance was changed while you were writing. Check the indicators again."


def seed_indicators() -> dict[Level, list[str]]:
    data = json.loads(_SEED.read_text(encoding="utf-8"))
    return {Level(level): list(texts) for level, texts in data["levels"].items()}


def current_guidance() -> NeedGuidance:
    """The authority's guidance in force: the highest version, made from the seed if there is none."""
    latest = db.session.execute(select(NeedGuidance).order_by(NeedGuidance.number.desc()).limit(1)).scalar_one_or_none()
    if latest is not None:
        return latest
    return new_version(seed_indicators(), note="First version: the portal's example continuum of need.", created_by_id=None)


def guidance(guidance_id) -> NeedGuidance | None:
    if guidance_id is None:
        return None
    return db.session.execute(select(NeedGuidance).where(NeedGuidance.id == guidance_id)).scalar_one_or_none()


def new_version(indicators: dict[Level, list[str]], *, note: str | None, created_by_id) -> NeedGuidance:
    """Save ``indicators`` as the next version (versions are never edited in place)."""
    number = (db.session.execute(select(func.max(NeedGuidance.number))).scalar() or 0) + 1
    version = NeedGuidance(number=number, note=(note or "").strip() or None, created_by_id=created_by_id)
    db.session.add(version)
    db.session.flush()
    for level in LEVELS:
        for position, text in enumerate(t.strip() for t in indicators.get(level, []) if t and t.strip()):
            db.session.add(NeedIndicator(guidance_id=version.id, level=level, rank=RANK[level], position=position, text=text))
    db.session.flush()
    if created_by_id is not None:
        record(Action.NEED_GUIDANCE_CHANGED, object_type="need_guidance", object_id=version.id, details={"version": number})
    return version


def suggest_level(indicators: Iterable[NeedIndicator]) -> Level | None:
    """The level the ticked indicators point to: the highest level with an indicator ticked (none if none)."""
    ranks = [RANK[i.level] for i in indicators]
    return LEVELS[max(ranks) - 1] if ranks else None


def by_level(indicators: Iterable[NeedIndicator]) -> list[tuple[Level, list[NeedIndicator]]]:
    """The indicators grouped by level, lowest level first (levels with none left out)."""
    indicators = list(indicators)
    groups = [(level, sorted((i for i in indicators if i.level == level), key=lambda i: i.position)) for level in LEVELS]
    return [(level, items) for level, items in groups if items]


def chosen(version: NeedGuidance, ids: Iterable[str]) -> list[NeedIndicator]:
    """The indicators of ``version`` whose ids were posted; :class:`IndicatorsChanged` if any is not one
    of its own (the form was drawn from another version)."""
    wanted = [as_uuid(i) for i in ids if i]
    own = {i.id: i for i in version.indicators}
    if any(w not in own for w in wanted):
        raise IndicatorsChanged(IndicatorsChanged.message)
    return [own[w] for w in dict.fromkeys(wanted)]


# Referrals and advice requests ----------------------------------------------------------------------


def referral_indicators(referral_id) -> list[NeedIndicator]:
    """The indicators ticked on a referral, by level then as the guidance lists them."""
    query = (
        visible_query(NeedIndicator)
        .join(ReferralNeedIndicator, ReferralNeedIndicator.indicator_id == NeedIndicator.id)
        .where(ReferralNeedIndicator.referral_id == referral_id)
        .order_by(NeedIndicator.rank, NeedIndicator.position)
    )
    return list(db.session.execute(query).scalars())


def advice_indicators(advice_id) -> list[NeedIndicator]:
    query = (
        visible_query(NeedIndicator)
        .join(AdviceNeedIndicator, AdviceNeedIndicator.indicator_id == NeedIndicator.id)
        .where(AdviceNeedIndicator.advice_request_id == advice_id)
        .order_by(NeedIndicator.rank, NeedIndicator.position)
    )
    return list(db.session.execute(query).scalars())


def tick_referral(referral_id: uuid.UUID, indicators: list[NeedIndicator]) -> None:
    """Replace what is ticked on a referral (the caller audits the save it is part of)."""
    db.session.execute(delete(ReferralNeedIndicator).where(ReferralNeedIndicator.referral_id == referral_id))
    for indicator in indicators:
        db.session.add(ReferralNeedIndicator(referral_id=referral_id, indicator_id=indicator.id))
    db.session.flush()


def tick_advice(advice_id: uuid.UUID, indicators: list[NeedIndicator]) -> None:
    """Keep what was ticked on a new advice request (a request is not edited once asked)."""
    for indicator in indicators:
        db.session.add(AdviceNeedIndicator(advice_request_id=advice_id, indicator_id=indicator.id))
    db.session.flush()


def carried(indicators: Iterable[NeedIndicator], version: NeedGuidance) -> list[NeedIndicator]:
    """The indicators of ``version`` that were ticked as ``indicators``: the same ones when they are of
    that version; of another version, those ``version`` still has at the same level in the same words."""
    own = {i.id: i for i in version.indicators}
    worded = {(i.level, i.text): i for i in version.indicators}
    found = [own.get(i.id) or worded.get((i.level, i.text)) for i in indicators]
    return list(dict.fromkeys(i for i in found if i is not None))


def reason_missing(view: Level | None, suggested: Level | None, reason: str | None, *, who: str) -> str | None:
    """The message asking why ``who`` ("the school thinks", "you think") sees another level than the one
    the ticked indicators suggest, when a view is given, it differs and no reason is; else ``None``."""
    if view is None or suggested is None or view == suggested or (reason or "").strip():
        return None
    return f"Say why {who} this is {view.label.lower()} when the indicators ticked suggest {HEADINGS[suggested].lower()}"


def checklist(version: NeedGuidance, checked: Iterable, suggested: Level | None) -> dict:
    """What a levels-of-need checklist on a form shows (``needs/_checklist.html``): the version's
    indicators by level, which are ticked (ids as posted or saved), and the level they suggest."""
    return {
        "guidance": version,
        "groups": by_level(version.indicators),
        "checked": {str(c) for c in checked or []},
        "suggested": suggested,
        "headings": HEADINGS,
    }


def indicator_lines(indicators: Iterable[NeedIndicator]) -> str | None:
    """The ticked indicators as the chronology keeps them: "Level: indicator; ..."."""
    text = "; ".join(f"{HEADINGS[i.level]}: {i.text}" for i in indicators)
    return text or None

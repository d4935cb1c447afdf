"""What the referral and advice request pages show of the levels of need, as template globals: those pages
include this feature's templates with one line each, and the template asks for what it shows (a constant
two statements a page, whatever was ticked)."""

from __future__ import annotations

from flask import Flask

from portal.needs import service


def _summary(guidance_id, indicators) -> dict:
    return {
        "guidance": service.guidance(guidance_id),
        "groups": service.by_level(indicators),
        "suggested": service.suggest_level(indicators),
        "headings": service.HEADINGS,
    }


def referral_needs(referral) -> dict:
    """The levels of need of a referral: its guidance version, what was ticked, the level it suggests."""
    return _summary(referral.need_guidance_id, service.referral_indicators(referral.id))


def advice_needs(advice) -> dict:
    return _summary(advice.need_guidance_id, service.advice_indicators(advice.id))


def init_templates(app: Flask) -> None:
    app.jinja_env.globals.update(referral_needs=referral_needs, advice_needs=advice_needs)

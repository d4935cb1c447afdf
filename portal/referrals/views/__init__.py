"""Pages of referrals, by topic: the school's pages (``school``), the referral's page and its thread
(``detail``), the front door's workflow steps (``steps``) and its queue (``queue``); ``shared`` holds what
several of them use. Each page module adds its routes to ``portal.referrals.blueprint.bp``.

The school's DSL (or head) starts a referral from a pupil or from an advice request, saves it as a draft
as often as they like, and submits it; the front door works its queue (oldest deadline first),
acknowledges, asks for information, decides with a written reason and closes. Every change goes through
``portal.referrals.service`` (recorded, audited, on the chronology, fed back to the school), and every
object through ``portal.policies``.
"""

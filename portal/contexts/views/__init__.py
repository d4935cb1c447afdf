"""Pages of the contexts feature, by topic: context referrals, the context panel and the threshold
indicators; each module adds its routes to ``portal.contexts.blueprint.bp``.

A school's DSL or head, a front-door officer, an assessor or a summit's organiser raises a context
referral (about a school, a peer group linked to it or a place near it) against the school threshold
indicators in force; the context panel (children's social care, the people named as panel members and
the partner organisations it invites) lists it on a meeting's agenda, records who attended and decides.
The decision opens the workspace it chose (``portal.contexts.service.decide``). The authority's
administrator keeps the indicators, as versions.
"""

"""Pages of the summits feature, by topic: Student Safety Summits (on ``portal.summits.blueprint.bp``) and
their safety maps (on ``maps_bp``).

A summit is run by the multi-agency partnership and usually hosted by a school for half a day. Its
organisers (children's social care, the host school's DSLs and head, and people named as organisers)
plan it, invite schools and partner agencies (each accepts or declines), add the practitioners
attending and the activities on the day, then record findings, an action plan with named owners and
dates, and "You said, we did". An organisation invited but not yet answered sees only the invitation;
one that declined sees only that it declined. Every object goes through ``portal.policies``; every change
through ``portal.summits.service`` (the maps' through ``portal.summits.map_service``).
"""

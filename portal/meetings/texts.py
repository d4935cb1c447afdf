"""The starting texts of a school partnership meeting's terms of reference and information-sharing
agreement. The lead edits them for each meeting; each attendee accepts the agreement before they see
the meeting's papers."""

from __future__ import annotations


def default_terms_of_reference(school: str) -> str:
    return (
        f"Purpose: children's social care and {school}, with partner agencies, identify the concerns and the "
        "strengths within a peer group, or in a place linked to the school, and agree a plan to increase safety.\n\n"
        "Level: early help. The meeting supports the school to address issues at the lowest possible level.\n\n"
        "Who attends: the school's Designated Safeguarding Lead and pastoral staff, children's social care "
        "practitioners trained in Contextual Safeguarding, and partners such as local policing and voluntary "
        "and community services.\n\n"
        "Before the meeting: the school completes the pre-meeting return (trends and themes affecting students, "
        "places, peer groups, strengths).\n\n"
        "After the meeting: actions are recorded with an owner and a due date, progress is reviewed at a "
        "follow-up meeting, and referrals are made where the threshold is met."
    )


def default_information_sharing_agreement(school: str) -> str:
    return (
        f"Information shared at or for this meeting about {school}, its students, peer groups and places is "
        "shared for the purpose of safeguarding young people only (Working Together to Safeguard Children).\n\n"
        "I will:\n"
        "- share only what is necessary and proportionate for that purpose;\n"
        "- not name or identify individual young people unless it is needed to keep them safe;\n"
        "- keep the meeting's papers within this portal, and not copy them elsewhere;\n"
        "- not share what I learn here outside my organisation's safeguarding role;\n"
        "- tell the meeting's lead at once if information is shared or lost by mistake."
    )

"""The planning checklist of a safety summit, from the Student Safety Summit guide ("Planning and
preparation" and "Next steps"). ``SafetySummit.checklist`` stores the keys ticked; the labels and hints
are what the summit's page shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    hint: str


ITEMS: tuple[Item, ...] = (
    Item("invite", "Who to invite: schools, colleges and agencies", "In one area, all local secondary schools and colleges were invited."),
    Item("inclusive", "How the summit is made inclusive for young people", "Think about access needs, language, and young people who may find a group hard."),
    Item(
        "practitioners",
        "Which practitioners attend",
        "For example safeguarding leads, teachers, youth workers, police and social care, to support and observe the sessions.",
    ),
    Item("involvement", "How young people get involved, and their consent", "Who takes part, how they are chosen, and how consent is arranged."),
    Item(
        "activities",
        "The activities chosen, each with a facilitator",
        "Online spaces, neighbourhood mapping, school mapping, friendships and peers.",
    ),
    Item(
        "follow_up",
        "A plan for following up with students: named owners and timeframes",
        "Make a plan, name who is responsible and commit to timeframes.",
    ),
    Item("keep_informed", "How young people will be kept informed", "Tell them what changed because of what they said (You said, we did)."),
)

KEYS = tuple(item.key for item in ITEMS)
LABELS = {item.key: item.label for item in ITEMS}


def ticked(keys) -> list[Item]:
    """The items among ``keys``, in the checklist's order (unknown keys are ignored)."""
    chosen = set(keys or [])
    return [item for item in ITEMS if item.key in chosen]


def clean(keys) -> list[str]:
    """Known keys only, once each, in the checklist's order: what is stored."""
    return [item.key for item in ticked(keys)]

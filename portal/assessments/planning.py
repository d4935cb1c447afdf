"""The planning checklist of a school assessment: the seed's "things to consider", as keyed questions.

``SchoolAssessment.planning`` holds the answers agreed, by key. Keys are stable (answers are stored
under them); the wording is the seed's.
"""

from __future__ import annotations

#: (key, question) in the order the seed asks them.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("pathway", "What is the pathway for referring and overseeing school contexts?"),
    ("responsibility", "Who holds overall responsibility for this school assessment?"),
    ("conducts", "Who will conduct the school assessment?"),
    ("collaboration", "How are you going to work collaboratively with the school?"),
    ("young_people_and_parents", "In what ways are young people and parents or carers involved?"),
    (
        "individual_concerns",
        "What will the referral or decision-making pathway be if concerns about individual children and young people are identified during the assessment?",
    ),
    ("after_the_plan", "What will happen after the plan has been pulled together, who will oversee the plan and measure impact?"),
)

KEYS = tuple(key for key, _ in QUESTIONS)
LABELS = dict(QUESTIONS)


def answers(planning: dict | None) -> dict[str, str]:
    """Every question's answer (empty text where none is agreed yet); unknown keys are ignored."""
    planning = planning or {}
    return {key: (planning.get(key) or "").strip() for key in KEYS}


def answered(planning: dict | None) -> int:
    return sum(1 for value in answers(planning).values() if value)

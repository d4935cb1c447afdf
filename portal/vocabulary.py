"""The words of safeguarding casework, as enums with the labels the screens show.

Categories of harm follow Keeping Children Safe in Education (abuse and neglect, and the extra-familial
harms the seeds name); levels follow the continuum of need the seeds use (universal, early help, child in
need, child protection).
"""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """A string enum whose members carry a label (``LABELS`` on the class)."""

    @property
    def label(self) -> str:
        return type(self).LABELS[self.value]

    @classmethod
    def pairs(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class HarmCategory(LabelledEnum):
    PHYSICAL_ABUSE = "physical_abuse"
    EMOTIONAL_ABUSE = "emotional_abuse"
    SEXUAL_ABUSE = "sexual_abuse"
    NEGLECT = "neglect"
    CRIMINAL_EXPLOITATION = "criminal_exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation"
    CHILD_ON_CHILD = "child_on_child"
    ONLINE_HARM = "online_harm"
    RADICALISATION = "radicalisation"
    DOMESTIC_ABUSE = "domestic_abuse"
    FGM = "fgm"
    OTHER = "other"


HarmCategory.LABELS = {
    "physical_abuse": "Physical abuse",
    "emotional_abuse": "Emotional abuse",
    "sexual_abuse": "Sexual abuse",
    "neglect": "Neglect",
    "criminal_exploitation": "Child criminal exploitation (including county lines)",
    "sexual_exploitation": "Child sexual exploitation",
    "child_on_child": "Child-on-child abuse",
    "online_harm": "Online harm",
    "radicalisation": "Radicalisation",
    "domestic_abuse": "Domestic abuse",
    "fgm": "Female genital mutilation (FGM)",
    "other": "Other",
}

#: Extra-familial harms (harm outside the home), grouped apart on the forms.
EXTRA_FAMILIAL = {
    HarmCategory.CRIMINAL_EXPLOITATION,
    HarmCategory.SEXUAL_EXPLOITATION,
    HarmCategory.CHILD_ON_CHILD,
    HarmCategory.ONLINE_HARM,
    HarmCategory.RADICALISATION,
}


def harm_labels(values) -> list[str]:
    """Labels of stored category values (unknown values shown as they are)."""
    out = []
    for value in values or []:
        try:
            out.append(HarmCategory(value).label)
        except ValueError:
            out.append(str(value))
    return out


class Level(LabelledEnum):
    UNIVERSAL = "universal"
    EARLY_HELP = "early_help"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"


Level.LABELS = {
    "universal": "Universal (needs met by universal services)",
    "early_help": "Early help",
    "child_in_need": "Child in need",
    "child_protection": "Child protection",
}


class Urgency(LabelledEnum):
    ROUTINE = "routine"
    TODAY = "today"


Urgency.LABELS = {
    "routine": "Routine: within one working day",
    "today": "Urgent: today, please",
}

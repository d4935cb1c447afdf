"""The identifiable-child check: before a forum post is saved, find what in it could identify a child.

:func:`find_matches` looks for three things and returns each distinct piece of text once, in the order
it appears in the post:

* ``name``: a pupil's name from the registers of the poster's own schools (pupils on roll, and leavers of
  the last two years). The forename (legal or preferred) and surname must appear together: ``Jordan
  Example``, ``jordan example's``, ``Example, Jordan``, ``J. Example`` / ``J Example``, ``Mary O'Brien`` for
  Mary-Jane O'Brien, with at most one typo in the whole name (a letter added, missed, changed or two
  swapped, in a name of five letters or more; shorter names must be exact). A forename or a surname alone
  is never a match (too many false alarms).
* ``date_of_birth``: a real calendar date that would make someone aged 2 to 19 today (UK time), in the
  usual UK ways of writing it (``03/04/2014``, ``3/4/14``, ``03-04-2014``, ``03.04.2014``, ``2014-04-03``,
  ``3 April 2014``, ``3rd April 2014``, ``April 3, 2014``); any date at all straight after "born", "DOB",
  "d.o.b" or "date of birth". A day and month without a year is not a date of birth.
* ``upn``: the shape of a DfE unique pupil number: a letter then 12 digits, or 11 digits and a letter (a
  temporary UPN), as one word.

The reasons never name a pupil: the poster learns only that the words look like a name on their register.
The caller passes the poster's own schools; the query runs in the current tenant, so another authority's
pupils can never match.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.pupils.models import Pupil, age_on

NAME_REASON = "Matches the name of a pupil on your school's register."
NEAR_NAME_REASON = "Looks like the name of a pupil on your school's register."
DATE_REASON = "Looks like a date of birth: it would make someone of school age today."
BORN_REASON = 'Comes after "born" or "date of birth", so it looks like a date of birth.'
UPN_REASON = "Has the shape of a unique pupil number (UPN)."

#: Leavers stay in the check this long after they left.
LEAVERS_FOR = timedelta(days=731)
#: Names this long or longer may differ from the register by one typo ...
FUZZY_FROM = 5
#: ... and a whole name (forename and surname) by this many.
MAX_TYPOS = 1
#: The ages a date of birth is flagged for: school age (the pupil register's own range starts at 2). A
#: date in the last two years is far more often a meeting or a training day than a birthday.
YOUNGEST, OLDEST = 2, 19


@dataclass(frozen=True)
class Match:
    kind: str  # "name", "date_of_birth" or "upn"
    text: str  # the words of the post that matched, exactly as typed
    reason: str  # one sentence for the poster


def find_matches(text: str, school_ids: set) -> list[Match]:
    """What in ``text`` could identify a child: names of pupils of ``school_ids`` (the poster's own
    schools, in the current tenant), dates of birth and UPNs. Each distinct text once, in order."""
    if not text:
        return []
    found: list[tuple[int, Match]] = []
    if school_ids:
        found += _name_matches(text, _Register.load(school_ids))
    found += _date_matches(text, uk_today())
    found += _upn_matches(text)
    found.sort(key=lambda pair: pair[0])
    seen: set[str] = set()
    out = []
    for _, match in found:
        if match.text not in seen:
            seen.add(match.text)
            out.append(match)
    return out


# ---------------------------------------------------------------------------------------------- names

#: A word, with apostrophes inside it (O'Brien). Hyphens and other punctuation split words; a word with
#: digits in it (A123, Y6) is no part of a name.
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_LETTERS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’][sS]$")


def _fold(word: str) -> str:
    """Lower case, accents and apostrophes removed: ``Zoë`` → ``zoe``, ``O'Brien`` → ``obrien``."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "'’")


def _name_tokens(name: str | None) -> tuple[str, ...]:
    return tuple(_fold(w) for w in _LETTERS.findall(name or ""))


@dataclass(frozen=True)
class _Token:
    key: str  # folded, without a possessive 's
    start: int
    end: int  # end of the word as typed, without a possessive 's
    typed: str


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _WORD.finditer(text):
        word, end = m.group(), m.end()
        if not _LETTERS.fullmatch(word):
            out.append(_Token("", m.start(), end, word))  # keeps the words either side apart
            continue
        possessive = _POSSESSIVE.search(word)
        if possessive:
            word, end = word[: possessive.start()], m.start() + possessive.start()
        out.append(_Token(_fold(word), m.start(), end, word))
    return out


def _within_one(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one letter added, removed, changed, or two neighbours
    swapped."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


class _Register:
    """The names on some schools' registers, indexed so that a post is checked without comparing every
    word with every pupil: by the first word of the forename and of the surname, and the distinct name
    words by first letter and length (a typo is looked for only among words of the same first letter and
    a length within one)."""

    def __init__(self, names):
        self.variants: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        for forenames, surname in names:
            surname_tokens = _name_tokens(surname)
            if not surname_tokens:
                continue
            for forename in forenames:
                forename_tokens = _name_tokens(forename)
                if forename_tokens:
                    self.variants.add((forename_tokens, surname_tokens))
                    if len(forename_tokens) > 1:  # "Mary Smith" for Mary-Jane Smith
                        self.variants.add((forename_tokens[:1], surname_tokens))
        self.by_forename: dict[str, list] = {}
        self.by_surname: dict[str, list] = {}
        self.words: dict[tuple[str, int], set[str]] = {}
        for variant in self.variants:
            forename_tokens, surname_tokens = variant
            self.by_forename.setdefault(forename_tokens[0], []).append(variant)
            self.by_surname.setdefault(surname_tokens[0], []).append(variant)
            for word in forename_tokens + surname_tokens:
                self.words.setdefault((word[0], len(word)), set()).add(word)
        self._near: dict[str, frozenset[str]] = {}

    @classmethod
    def load(cls, school_ids) -> _Register:
        ids = [s if isinstance(s, uuid.UUID) else uuid.UUID(str(s)) for s in school_ids]
        left_since = utcnow() - LEAVERS_FOR
        rows = db.session.execute(
            select(Pupil.legal_forename, Pupil.preferred_name, Pupil.legal_surname).where(
                Pupil.organisation_id.in_(ids),
                or_(Pupil.left_at.is_(None), Pupil.left_at >= left_since),
            )
        ).all()
        return cls(((legal, preferred), surname) for legal, preferred, surname in rows)

    def near(self, key: str) -> frozenset[str]:
        """The register's name words that ``key`` (a word of the post) may stand for."""
        if not key:
            return frozenset()
        if key not in self._near:
            out = set()
            for length in (len(key) - 1, len(key), len(key) + 1):
                for word in self.words.get((key[0], length), ()):
                    if word == key or (len(word) >= FUZZY_FROM and _within_one(word, key)):
                        out.add(word)
            self._near[key] = frozenset(out)
        return self._near[key]


def _run(register: _Register, tokens: list[_Token], at: int, words: tuple[str, ...]) -> int | None:
    """How many typos ``words`` appear with at ``tokens[at:]``; ``None`` when they do not appear there."""
    if at + len(words) > len(tokens):
        return None
    typos = 0
    for offset, word in enumerate(words):
        key = tokens[at + offset].key
        if word not in register.near(key):
            return None
        typos += key != word
    return typos


def _is_initial(text: str, token: _Token) -> bool:
    """A letter standing alone, as in "J. Smith" or "J Smith". "A" and "I" are words in their own right,
    so they count only with a full stop ("A. Smith", not "a Smith cousin"); and the last letter of an
    abbreviation such as "e.g." is not an initial."""
    if len(token.typed) != 1:
        return False
    if token.key in "ai" and text[token.end : token.end + 1] != ".":
        return False
    before = text[max(0, token.start - 2) : token.start]
    return not (len(before) == 2 and before[1] == "." and before[0].isalpha())


def _name_matches(text: str, register: _Register) -> list[tuple[int, Match]]:
    if not register.variants:
        return []
    tokens = _tokens(text)
    best: dict[tuple[int, int], bool] = {}  # (start, end) → exact; one pupil's exact name beats another's near one

    def add(first: int, last: int, *typos, initial: bool = False):
        """A match from ``tokens[first]`` to ``tokens[last]``, if the name has at most one typo in all."""
        if None in typos or sum(typos) > MAX_TYPOS:
            return
        span = (tokens[first].start, tokens[last].end)
        best[span] = best.get(span, False) or (sum(typos) == 0 and not initial)

    def variants(index: dict, token: _Token) -> set:
        return {v for word in register.near(token.key) for v in index.get(word, ())}

    for i, token in enumerate(tokens):
        # Forename then surname: "Jordan Example".
        for forenames, surname in variants(register.by_forename, token):
            typos = _run(register, tokens, i, forenames)
            if typos is not None:
                add(i, i + len(forenames) + len(surname) - 1, typos, _run(register, tokens, i + len(forenames), surname))
        # Surname, comma, forename, as registers write it: "Example, Jordan".
        for forenames, surname in variants(register.by_surname, token):
            after = i + len(surname)
            typos = _run(register, tokens, i, surname)
            if typos is None or after >= len(tokens) or "," not in text[tokens[after - 1].end : tokens[after].start]:
                continue
            add(i, after + len(forenames) - 1, typos, _run(register, tokens, after, forenames))
        # Initial and surname: "J. Example", "J Example". Never exact: other pupils share the initial.
        if i + 1 < len(tokens) and _is_initial(text, token):
            for forenames, surname in variants(register.by_surname, tokens[i + 1]):
                if forenames[0][0] == token.key:
                    add(i, i + len(surname), _run(register, tokens, i + 1, surname), initial=True)
    return [(start, Match("name", text[start:end], NAME_REASON if exact else NEAR_NAME_REASON)) for (start, end), exact in best.items()]


# ---------------------------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR4 = r"(?P<year>\d{4})(?!\d)"
#: Digits of a date must not run on from, or into, other digits, words or separators (1.2.3.2014, A12/03/2014).
_BEFORE = r"(?<![\w./-])"
_AFTER = r"(?![\w]|[./-]\d)"

_DATE_PATTERNS = [
    # 03/04/2014, 3/4/14, 03-04-2014, 03.04.2014 (day first, as in the UK)
    ("dmy", re.compile(_BEFORE + r"(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})" + _AFTER)),
    # 2014-04-03 (and 2014/04/03)
    ("ymd", re.compile(_BEFORE + r"(?P<year>\d{4})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _AFTER)),
    # 3 April 2014, 3rd of April 2014, 3-Apr-2014
    ("day_month", re.compile(r"(?<!\d)" + _DAY + r"(?:\s+of)?[\s/-]+" + _MONTH + r",?[\s/-]+" + _YEAR4, re.IGNORECASE)),
    # April 3, 2014, April 3rd 2014
    ("month_day", re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR4, re.IGNORECASE)),
]

#: Words that say the date after them is a date of birth: "born", "born on", "DOB:", "d.o.b.", "date of birth is".
_BORN = re.compile(
    r"(?:\bborn|\bd\.?o\.?b\b\.?|\bdate\s+of\s+birth)\s*[:\-–]?\s*(?:(?:is|was|on|of)\s+)?(?:the\s+)?$",
    re.IGNORECASE,
)


def _year(digits: str, today: date) -> int:
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= today.year else year - 100


def _date_matches(text: str, today: date) -> list[tuple[int, Match]]:
    spans: list[tuple[int, int, date]] = []
    for _kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            month = m.group("month")
            month_number = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
            try:
                when = date(_year(m.group("year"), today), month_number, int(m.group("day")))
            except ValueError:
                continue  # 31/02/2015 is no one's birthday
            spans.append((m.start(), m.end(), when))
    out = []
    taken: list[tuple[int, int]] = []
    for start, end, when in sorted(spans, key=lambda s: (s[0], -s[1])):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        if _BORN.search(text[max(0, start - 40) : start]):
            out.append((start, Match("date_of_birth", text[start:end], BORN_REASON)))
        elif when <= today and YOUNGEST <= age_on(when, today) <= OLDEST:
            out.append((start, Match("date_of_birth", text[start:end], DATE_REASON)))
    return out


# ----------------------------------------------------------------------------------------------- UPNs

#: A letter and 12 digits (a UPN), or 11 digits and a letter (a temporary UPN); a letter after the 12
#: digits is taken as part of the identifier too. One word: nothing alphanumeric either side.
_UPN = re.compile(r"(?<![^\W_])[A-Za-z]\d{11}(?:\d[A-Za-z]?|[A-Za-z])(?![^\W_])")


def _upn_matches(text: str) -> list[tuple[int, Match]]:
    return [(m.start(), Match("upn", m.group(), UPN_REASON)) for m in _UPN.finditer(text)]

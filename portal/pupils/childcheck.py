"""The identifiable-child check: before a forum post, a shared resource or a self-review's evidence, notes
or action is saved, find what in it could identify a child (the form's part: ``portal.pupils.forms.ChildCheckFields``).

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

Before matching, the text is normalised so that nothing typed slips a match past the check: HTML
entities are decoded, Unicode is brought to NFKC with zero-width characters, soft hyphens and other
invisible format characters removed, Markdown links and emphasis are reduced to their words, underscores
count as spaces, and letters spelt out one at a time ("J o r d a n", "J.O.R.D.A.N") are joined. Each match
is still shown exactly as the poster typed it. Names match in either order (``Example Jordan``); UPNs with
spaces, hyphens or dots between the digits (``A 1234 5678 9012``); dates with spaces around the separators
(``03 / 04 / 2014``) and with the day or the year in words (``the third of April 2014``, ``3 April two
thousand and fourteen``).

The reasons never name a pupil: the poster learns only that the words look like a name on their register.
The caller passes the poster's own schools; the query runs in the current tenant, so another authority's
pupils can never match.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from portal.clock import uk_today, utcnow
from portal.extensions import db
from portal.policies import casework_schools
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
    plain = _Plain.of(text)
    found: list[tuple[int, int, str, str]] = []
    if school_ids:
        found += _name_matches(plain, _Register.load(school_ids))
    found += _date_matches(plain.text, uk_today())
    found += _upn_matches(plain.text)
    found.sort(key=lambda hit: (hit[0], -hit[1]))
    seen: set[str] = set()
    out = []
    for start, end, kind, reason in found:
        typed = plain.typed(start, end)
        if typed not in seen:
            seen.add(typed)
            out.append(Match(kind, typed, reason))
    return out


# ------------------------------------------------------------------------------------------ normalising

#: An HTML entity: ``&nbsp;``, ``&#32;``, ``&#x20;``.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: A Markdown link or image: its words stay, the address goes.
_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
#: Markdown's emphasis and code marks, removed (``**Jor**dan`` is Jordan); an underscore counts as a space.
_MARKS = frozenset("*~`")
#: Letters spelt out one at a time with one space, dot, hyphen or underscore between them (four or more).
_SPELT = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[ .\-_][^\W\d_]){3,}(?![^\W\d_])")


@dataclass
class _Plain:
    """A post as the check reads it, each character remembering the span of the post it came from (so a
    match is shown as it was typed)."""

    source: str
    chars: list[str]
    starts: list[int]
    ends: list[int]
    #: Spans (in ``text``) of letters that were spelt out and joined.
    joined: list[tuple[int, int]]

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def typed(self, start: int, end: int) -> str:
        return self.source[self.starts[start] : self.ends[end - 1]]

    @classmethod
    def of(cls, source: str) -> _Plain:
        plain = cls(source, list(source), list(range(len(source))), list(range(1, len(source) + 1)), [])
        plain._replace(_ENTITY, lambda m: [(c, m.start(), m.end()) for c in html.unescape(m.group())])
        plain._replace(_MD_LINK, lambda m: [(c, m.start(1) + i, m.start(1) + i + 1) for i, c in enumerate(m.group(1))], spans=True)
        plain._characters()
        plain._replace(_SPELT, lambda m: [(c, m.start() + i, m.start() + i + 1) for i, c in enumerate(m.group()) if not (i % 2)], spans=True, join=True)
        return plain

    def _replace(self, pattern: re.Pattern, replacement, *, spans: bool = False, join: bool = False) -> None:
        """Replace each match of ``pattern`` by ``replacement(match)``: (character, start, end) triples, the
        positions in the current text (``spans``) or in the source."""
        text = self.text
        chars, starts, ends = [], [], []
        at = 0
        for m in pattern.finditer(text):
            chars += self.chars[at : m.start()]
            starts += self.starts[at : m.start()]
            ends += self.ends[at : m.start()]
            first = len(chars)
            for char, start, end in replacement(m):
                chars.append(char)
                if spans:  # positions in the current text: carry their source span
                    starts.append(self.starts[start])
                    ends.append(self.ends[end - 1])
                else:
                    starts.append(start)
                    ends.append(end)
            if join:
                self.joined.append((first, len(chars)))
            at = m.end()
        self.chars, self.starts, self.ends = chars + self.chars[at:], starts + self.starts[at:], ends + self.ends[at:]

    def _characters(self) -> None:
        """NFKC each character; drop invisible ones (format and control characters other than line breaks
        and tabs) and Markdown's marks; an underscore is a space."""
        chars, starts, ends = [], [], []
        for char, start, end in zip(self.chars, self.starts, self.ends, strict=True):
            for c in unicodedata.normalize("NFKC", char):
                category = unicodedata.category(c)
                if c in _MARKS or category == "Cf" or (category == "Cc" and c not in "\n\t\r"):
                    continue
                chars.append(" " if c == "_" else c)
                starts.append(start)
                ends.append(end)
        self.chars, self.starts, self.ends = chars, starts, ends


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
        #: Each name's words run together, in either order, for letters spelt out one at a time.
        self.run_together = {"".join(f + s) for f, s in self.variants} | {"".join(s + f) for f, s in self.variants}

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


def _name_matches(plain: _Plain, register: _Register) -> list[tuple[int, int, str, str]]:
    if not register.variants:
        return []
    text = plain.text
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
        # Surname then forename, with a comma as registers write it or without: "Example, Jordan".
        for forenames, surname in variants(register.by_surname, token):
            after = i + len(surname)
            typos = _run(register, tokens, i, surname)
            if typos is None or after >= len(tokens):
                continue
            add(i, after + len(forenames) - 1, typos, _run(register, tokens, after, forenames))
        # Initial and surname: "J. Example", "J Example". Never exact: other pupils share the initial.
        if i + 1 < len(tokens) and _is_initial(text, token):
            for forenames, surname in variants(register.by_surname, tokens[i + 1]):
                if forenames[0][0] == token.key:
                    add(i, i + len(surname), _run(register, tokens, i + 1, surname), initial=True)
    # A name run together ("JordanExample", with an invisible character between the words once removed).
    for token in tokens:
        if len(token.key) >= 6 and token.key in register.run_together:
            best[(token.start, token.end)] = True
    # Letters spelt out with single spaces between every one ("J o r d a n E x a m p l e") run the words
    # together: a name is looked for inside them.
    for start, end in plain.joined:
        letters = _fold(text[start:end].replace(" ", ""))
        if any(name in letters for name in register.run_together):
            best[(start, end)] = True
    return [(start, end, "name", NAME_REASON if exact else NEAR_NAME_REASON) for (start, end), exact in best.items()]


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

#: Days in words: "third", "twenty-first", "thirty first" (and "3rd" as digits above).
_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_DAY_WORDS = {w: n for n, w in enumerate(_UNITS) if w} | {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
for _n in range(1, 10):
    _DAY_WORDS[f"twenty {_UNITS[_n]}"] = 20 + _n
_DAY_WORDS["thirty first"] = 31
#: Numbers in words up to ninety-nine, for years: "two thousand and fourteen", "twenty fourteen".
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORDS = {w: n for n, w in enumerate(_ONES)} | _TENS | {f"{t} {_ONES[n]}": v + n for t, v in _TENS.items() for n in range(1, 10)}


def _words(keys) -> str:
    return "|".join(sorted((k.replace(" ", r"[\s-]+") for k in keys), key=len, reverse=True))


_DAY_IN_WORDS = r"(?:the\s+)?(?P<dayword>" + _words(_DAY_WORDS) + r")"
_YEAR_IN_WORDS = (
    r"(?P<yearword>(?:two\s+thousand(?:\s+and)?(?:\s+(?:" + _words(_NUMBER_WORDS) + r"))?)"
    r"|(?:nineteen|twenty)\s+(?:" + _words(k for k in _NUMBER_WORDS if _NUMBER_WORDS[k] >= 10) + r"))"
)
_ANY_YEAR = r"(?:" + _YEAR4 + r"|" + _YEAR_IN_WORDS + r")"
_ANY_DAY = r"(?:" + _DAY + r"|" + _DAY_IN_WORDS + r")"
#: A date's separator, with any spaces around it: "03 / 04 / 2014".
_SEP = r"\s*(?P<sep>[/.-])\s*"

_DATE_PATTERNS = [
    # 03/04/2014, 3/4/14, 03-04-2014, 03.04.2014, 03 / 04 / 2014 (day first, as in the UK)
    ("dmy", re.compile(_BEFORE + r"(?P<day>\d{1,2})" + _SEP + r"(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<year>\d{4}|\d{2})" + _AFTER)),
    # 2014-04-03 (and 2014/04/03)
    ("ymd", re.compile(_BEFORE + r"(?P<year>\d{4})" + _SEP + r"(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<day>\d{1,2})" + _AFTER)),
    # 3 April 2014, 3rd of April 2014, 3-Apr-2014, the third of April two thousand and fourteen
    ("day_month", re.compile(r"(?<![\w])" + _ANY_DAY + r"(?:\s+of)?[\s/-]+" + _MONTH + r",?[\s/-]+" + _ANY_YEAR + r"\b", re.IGNORECASE)),
    # April 3, 2014, April 3rd 2014, April the third, 2014
    ("month_day", re.compile(r"\b" + _MONTH + r"\s+" + _ANY_DAY + r",?\s+" + _ANY_YEAR + r"\b", re.IGNORECASE)),
]


def _number(words: str) -> int:
    return _NUMBER_WORDS[" ".join(words.lower().replace("-", " ").split())]


def _year_in_words(words: str) -> int:
    """ "two thousand and fourteen" → 2014, "twenty fourteen" → 2014, "nineteen ninety-nine" → 1999."""
    spoken = " ".join(words.lower().replace("-", " ").split())
    if spoken.startswith("two thousand"):
        rest = spoken.removeprefix("two thousand").strip().removeprefix("and").strip()
        return 2000 + (_number(rest) if rest else 0)
    century, _, rest = spoken.partition(" ")
    return (1900 if century == "nineteen" else 2000) + _number(rest)


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


def _date_matches(text: str, today: date) -> list[tuple[int, int, str, str]]:
    spans: list[tuple[int, int, date]] = []
    for _kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            month = m.group("month")
            month_number = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
            day = int(groups["day"]) if groups.get("day") else _DAY_WORDS[" ".join(groups["dayword"].lower().replace("-", " ").split())]
            year = _year(groups["year"], today) if groups.get("year") else _year_in_words(groups["yearword"])
            try:
                when = date(year, month_number, day)
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
            out.append((start, end, "date_of_birth", BORN_REASON))
        elif when <= today and YOUNGEST <= age_on(when, today) <= OLDEST:
            out.append((start, end, "date_of_birth", DATE_REASON))
    return out


# ----------------------------------------------------------------------------------------------- UPNs

#: A letter and 12 digits (a UPN), or 11 digits and a letter (a temporary UPN); a letter after the 12
#: digits is taken as part of the identifier too. The digits may be grouped with a space, hyphen or dot
#: (``A 1234 5678 9012``). Nothing alphanumeric either side.
_GAP = r"[ .\-–]?"
_UPN = re.compile(r"(?<![^\W_])[A-Za-z](?:" + _GAP + r"\d){11}(?:" + _GAP + r"\d(?:" + _GAP + r"[A-Za-z])?|" + _GAP + r"[A-Za-z])(?![^\W_])")


def _upn_matches(text: str) -> list[tuple[int, int, str, str]]:
    return [(m.start(), m.end(), "upn", UPN_REASON) for m in _UPN.finditer(text)]


# ------------------------------------------------------------------------------------ for a form's check


def child_matches(text: str, user) -> list[Match]:
    """What in ``text`` may identify a child: names of pupils on the registers of the schools whose casework
    ``user`` holds (as DSL or head), dates that look like a date of birth and UPN-shaped identifiers (for
    anyone)."""
    return find_matches(text, set(casework_schools(user)))


def match_summary(matches) -> dict:
    """What the audit log keeps of a confirmed check: the kinds and how many, never the matched text."""
    return {"kinds": sorted({m.kind for m in matches}), "count": len(matches)}


def matches_signature(matches, user) -> str:
    """A keyed signature of the matches shown to ``user`` (kinds and words, in a fixed order): the page
    carries it with the confirmation, so a confirmation counts only for the matches that were shown."""
    shown = sorted([m.kind, m.text] for m in matches)
    message = json.dumps([str(user.id), shown], separators=(",", ":")).encode()
    key = hashlib.sha256(b"forum-child-check:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_matches(matches, user, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(matches_signature(matches, user), str(submitted))

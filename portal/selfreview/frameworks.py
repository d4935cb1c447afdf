"""The self-review frameworks: their questions, read from versioned data files, never written in code.

``frameworks/<key>.v<version>.json`` holds one version of one framework: its title and source, who
completes it (roles at the school), and its themes, each with questions (a stable ``key``, the text, and
prompts: the seed's key points for good practice). A review keeps the version it was started with, so a
new version of the questions never changes an answered review.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent / "frameworks"
_NAME = re.compile(r"^(?P<key>[a-z0-9-]+)\.v(?P<version>[0-9]+)\.json$")


@dataclass(frozen=True)
class Question:
    key: str
    number: int
    text: str
    prompts: tuple[str, ...]
    theme_key: str
    theme_title: str


@dataclass(frozen=True)
class Framework:
    key: str
    version: int
    title: str
    source: str
    #: Roles at the school (``Role`` values) that complete a review of this framework.
    completed_by: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def themes(self) -> list[tuple[str, str, list[Question]]]:
        """(key, title, questions) for each theme, in order."""
        out: list[tuple[str, str, list[Question]]] = []
        for question in self.questions:
            if not out or out[-1][0] != question.theme_key:
                out.append((question.theme_key, question.theme_title, []))
            out[-1][2].append(question)
        return out

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def _load(path: Path) -> Framework:
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = []
    for theme in data["themes"]:
        for question in theme["questions"]:
            questions.append(
                Question(
                    key=question["key"],
                    number=len(questions) + 1,
                    text=question["text"],
                    prompts=tuple(question.get("prompts", ())),
                    theme_key=theme["key"],
                    theme_title=theme["title"],
                )
            )
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path.name}: question keys must be unique")
    return Framework(
        key=data["key"],
        version=int(data["version"]),
        title=data["title"],
        source=data["source"],
        completed_by=tuple(data["completed_by"]),
        questions=tuple(questions),
    )


@cache
def _all() -> dict[tuple[str, int], Framework]:
    out = {}
    for path in sorted(DIRECTORY.glob("*.json")):
        match = _NAME.match(path.name)
        if match is None:
            raise ValueError(f"Unexpected framework file name: {path.name}")
        framework = _load(path)
        if (framework.key, framework.version) != (match["key"], int(match["version"])):
            raise ValueError(f"{path.name}: its key and version do not match its name")
        out[(framework.key, framework.version)] = framework
    return out


def get(key: str, version: int | None = None) -> Framework | None:
    """A framework at ``version`` (default: its latest), or ``None``."""
    versions = [v for (k, v) in _all() if k == key]
    if not versions:
        return None
    return _all().get((key, version if version is not None else max(versions)))


#: The frameworks' order on every page: the twelve questions, then the head teachers', then the governors'.
_ORDER = {"practical-tips": 0, "assured-heads": 1, "assured-governors": 2}


def order_key(key: str) -> tuple[int, str]:
    return (_ORDER.get(key, 99), key)


def latest() -> list[Framework]:
    """The latest version of every framework, in a stable order."""
    keys = sorted({k for (k, _v) in _all()})
    return [get(k) for k in sorted(keys, key=order_key)]

"""Score the question set (``tests/data/questions/*.yaml``) against what answers understand."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.answers.answer import Answer, answer
from kg.answers.knowledge import Knowledge

QUESTIONS = Path(__file__).parent / "data" / "questions"


@dataclass
class Scored:
    """One question, what it should be understood as, what it was, and whether they agree."""

    question: str
    who: str
    expected: dict[str, Any]
    got: dict[str, Any]
    summary: str

    @property
    def right(self) -> bool:
        """Every expectation met; "nothing" also means no claim and no source shown."""
        return all(self.got.get(k) == v for k, v in self.expected.items())


def load(review: str) -> list[dict[str, Any]]:
    """The questions written for one review."""
    data = yaml.safe_load((QUESTIONS / f"{review}.yaml").read_text("utf-8"))
    return list(data["questions"])


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def understood(result: Answer) -> dict[str, Any]:
    """What an answer took the question to be about, in the question set's terms."""
    reading = result.understanding
    shown = [c for group in result.claims.values() for c in group]
    matches = reading.subject + reading.target
    return {
        "concepts": sorted({_tail(m.id) for m in matches if m.kind == "concept"}),
        "intent": reading.intent,
        "filters": sorted(_tail(m.id) for m in reading.filters),
        "sources": sorted(m.id for m in matches if m.kind == "source"),
        "nothing": not matches and not shown and not result.profile.sources,
    }


def score(review: str, knowledge: Knowledge) -> list[Scored]:
    """Every question of a review's set, answered and compared."""
    scored = []
    for item in load(review):
        fields = ("concepts", "intent", "filters", "sources", "nothing")
        expected: dict[str, Any] = {k: item[k] for k in fields if k in item}
        for key in ("concepts", "filters", "sources"):
            if key in expected:
                expected[key] = sorted(expected[key])
        # Unstated lists are empty, unstated "nothing" false: no extra readings allowed.
        for key in ("concepts", "filters", "sources"):
            expected.setdefault(key, [])
        expected.setdefault("intent", None)
        expected.setdefault("nothing", False)
        result = answer(item["q"], knowledge)
        scored.append(Scored(item["q"], item["who"], expected, understood(result), result.summary))
    return scored


def table(scored: list[Scored]) -> str:
    """The accuracy by asker, as docs/answers.md shows it."""
    rows = ["| asked by | questions | right | accuracy |", "|---|---|---|---|"]
    groups: dict[str, list[Scored]] = {}
    for s in scored:
        groups.setdefault(s.who, []).append(s)
    groups["all"] = scored
    for who, items in groups.items():
        right = sum(s.right for s in items)
        rows.append(f"| {who} | {len(items)} | {right} | {right / len(items):.1%} |")
    nothing = [s for s in scored if s.expected["nothing"]]
    rows.append(
        f"| (of which out of scope) | {len(nothing)} | {sum(s.right for s in nothing)} | "
        f"{sum(s.right for s in nothing) / max(1, len(nothing)):.1%} |"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    from kg.answers.read_model import read_model
    from kg.config import Settings
    from kg.library.backend import open_store

    scored = score(
        "clinks-2021-peer-mentoring", read_model(open_store(Settings.from_env())).knowledge
    )
    print(table(scored))
    for s in scored:
        if not s.right:
            print(f"- {s.question!r}: expected {s.expected}, got {s.got}")

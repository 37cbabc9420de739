"""Problems found while reading an input: errors as data, so the caller decides what is fatal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a problem matters: an error blocks a build unless an editor accepts it."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as the reader can."""

    file: str
    line: int | None
    severity: Severity
    code: str
    message: str
    key: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        entry = f" [{self.key}]" if self.key else ""
        return f"{where}: {self.severity}: {self.code}{entry}: {self.message}"

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict; the severity is given as its plain string."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


class ProblemLog:
    """The problems of one input, collected as a reader finds them.

    Call it as ``report(line, code, message, key, severity)``; an error unless told otherwise.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def __call__(
        self,
        line: int | None,
        code: str,
        message: str,
        key: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Note one problem."""
        self.problems.append(Problem(self.source, line, severity, code, message, key))


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)

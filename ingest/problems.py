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


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)

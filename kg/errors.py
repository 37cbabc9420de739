"""One root error for the project, with the subclasses that callers map to exit/HTTP codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class KGError(Exception):
    """Root of every error that evidence-graph raises on purpose."""

    exit_code = 3


class InputError(KGError):
    """The user's input (a file, an option, a question) cannot be used as given."""

    exit_code = 2


class ProblemsFound(KGError):
    """The inputs were read, but they have problems that block the requested action.

    ``problems`` holds them as records (each ``to_json()``-able), for a report in JSON.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class StoreError(KGError):
    """The store is missing, unreadable or could not be written."""

    exit_code = 3

"""One root error for the project, with the subclasses that callers map to exit/HTTP codes."""

from __future__ import annotations


class KGError(Exception):
    """Root of every error that evidence-graph raises on purpose."""

    exit_code = 3


class InputError(KGError):
    """The user's input (a file, an option, a question) cannot be used as given."""

    exit_code = 2


class ProblemsFound(KGError):
    """The inputs were read, but they have problems that block the requested action."""

    exit_code = 1


class StoreError(KGError):
    """The store is missing, unreadable or could not be written."""

    exit_code = 3

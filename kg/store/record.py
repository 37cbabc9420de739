"""The record of a published build (``build.json``): what was built, from what, and when.

Every build writes one beside its store, and a server keeps a copy (see
:mod:`kg.store.remote.reader`).  Readers go through :class:`BuildRecord` rather than the raw
mapping, so that a field is named, and typed, in one place.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.safe_files import write_atomically

BUILD_RECORD = "build.json"


@dataclass(frozen=True)
class BuildRecord:
    """A build's record; ``data`` is the whole mapping, as written."""

    data: Mapping[str, Any]

    @classmethod
    def read(cls, folder: Path) -> BuildRecord:
        """The record in a build's folder; OSError or ValueError when it cannot be read."""
        data = json.loads((folder / BUILD_RECORD).read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{folder / BUILD_RECORD} does not hold a JSON object")
        return cls(data)

    @classmethod
    def read_or_none(cls, folder: Path) -> BuildRecord | None:
        """The record in a build's folder, or None when it is missing or unreadable."""
        try:
            return cls.read(folder)
        except (OSError, ValueError):
            return None

    def write(self, folder: Path) -> None:
        """Write the record into a build's folder (atomically)."""
        write_atomically(folder / BUILD_RECORD, json.dumps(dict(self.data), indent=2) + "\n")

    def as_dict(self) -> dict[str, Any]:
        """A copy of the whole record."""
        return dict(self.data)

    @property
    def store_format(self) -> int | None:
        """The layout of the store that the build wrote (kg.store.embedded.STORE_FORMAT)."""
        value = self.data.get("store_format")
        return value if isinstance(value, int) else None

    @property
    def digest(self) -> str:
        """The digest of every input the build read."""
        return str(self.data.get("digest", ""))

    @property
    def quads(self) -> int:
        """How many quads the named graphs hold."""
        return int(self.data.get("quads", 0))

    @property
    def versions(self) -> dict[str, list[int]] | None:
        """Each review's published version numbers; None when the record has no such list."""
        found = self.data.get("versions")
        if not isinstance(found, dict):
            return None
        return {str(k): sorted(int(n) for n in v) for k, v in found.items()}

    @property
    def current_graphs(self) -> list[str]:
        """The graphs that answers read by default (each review's newest version)."""
        return [str(g) for g in self.data.get("current_graphs", [])]

    @property
    def graphs(self) -> list[str]:
        """Every named graph of the build."""
        return [str(g) for g in self.data.get("graphs", [])]

    @property
    def reviews(self) -> list[dict[str, Any]]:
        """What the build read of each review's newest version."""
        return list(self.data.get("reviews", []))

    @property
    def problems(self) -> list[dict[str, Any]]:
        """The input problems the build reported (and, with --accept-errors, published)."""
        return list(self.data.get("problems", []))

    @property
    def published_errors(self) -> bool:
        """Whether the build was published with errors (``--accept-errors``)."""
        return any(p.get("severity") == "error" for p in self.problems)

    @property
    def input_checksums(self) -> dict[str, list[str]] | None:
        """Every input's checksum, by review; None for a record written without them."""
        found = self.data.get("input_checksums")
        return {str(k): list(v) for k, v in found.items()} if isinstance(found, dict) else None

    @property
    def changed_graphs(self) -> list[str] | None:
        """The graphs an incremental build wrote; None for a full build."""
        found = self.data.get("changed_graphs")
        return [str(g) for g in found] if isinstance(found, list) else None

    def get(self, field: str, default: Any = None) -> Any:
        """Any other field, as written."""
        return self.data.get(field, default)

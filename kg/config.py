"""Where things are: one place that the CLI and the web app both read.

Each setting comes from an ``EVKG_*`` environment variable, else a default relative to the
project root (the current directory unless ``EVKG_ROOT`` says otherwise).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.store.remote.client import Endpoint


@dataclass(frozen=True)
class Settings:
    """Paths the project reads and writes."""

    root: Path
    reviews_dir: Path
    store_dir: Path
    shapes: Path | None = None  # another SHACL shapes file; a missing one is a hard failure
    shacl_timeout: float = 60.0  # seconds; past it, nothing is published
    users_override: Path | None = None  # EVKG_USERS_FILE
    endpoint: Endpoint | None = None  # EVKG_STORE: a SPARQL server instead of store_dir

    @property
    def users_file(self) -> Path:
        """The editor accounts: ``EVKG_USERS_FILE``, else ``editors.json`` beside the store."""
        return self.users_override or self.store_dir.parent / "editors.json"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from the environment (or a given mapping, for tests)."""
        env = dict(os.environ) if env is None else env
        root = Path(env.get("EVKG_ROOT", ".")).resolve()
        return cls(
            root=root,
            reviews_dir=Path(env.get("EVKG_REVIEWS_DIR", root / "reviews")),
            store_dir=Path(env.get("EVKG_STORE_DIR", root / "var" / "store")),
            shapes=Path(env["EVKG_SHAPES"]) if env.get("EVKG_SHAPES") else None,
            shacl_timeout=float(env.get("EVKG_SHACL_TIMEOUT", "60")),
            users_override=Path(env["EVKG_USERS_FILE"]) if env.get("EVKG_USERS_FILE") else None,
            endpoint=Endpoint.from_env(env),
        )

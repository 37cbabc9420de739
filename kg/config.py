"""Where things are: one place that the CLI and the web app both read.

Each setting comes from an ``EVKG_*`` environment variable, else a default relative to the
project root (the current directory unless ``EVKG_ROOT`` says otherwise).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Paths the project reads and writes."""

    root: Path
    reviews_dir: Path
    store_dir: Path

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from the environment (or a given mapping, for tests)."""
        env = dict(os.environ) if env is None else env
        root = Path(env.get("EVKG_ROOT", ".")).resolve()
        return cls(
            root=root,
            reviews_dir=Path(env.get("EVKG_REVIEWS_DIR", root / "reviews")),
            store_dir=Path(env.get("EVKG_STORE_DIR", root / "var" / "store")),
        )

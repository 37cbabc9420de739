"""Editor accounts: user names and salted password hashes in one JSON file.

The first accounts are made by ``evkg user add NAME [--admin]`` on the server; there is no
default account and no password is ever stored or logged in clear.  An admin may then add
and remove editors in the browser (``/editor/accounts``).  Hashes come from werkzeug (scrypt with a
random salt), which Flask already depends on.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from ingest.safe_files import exclusive_lock, write_atomically

MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
# Checked against when the name is unknown, so that a wrong name and a wrong password take
# the same time and a visitor cannot learn which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-for-timing")


class AccountError(ValueError):
    """An account that cannot be made or changed as asked."""


class Accounts:
    """The editor accounts kept in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        """Every editor's user name."""
        return sorted(self._read())

    def admins(self) -> list[str]:
        """The editors who may add and remove editors."""
        return sorted(n for n in self._data().get("admins", []) if n in self._read())

    def is_admin(self, name: str) -> bool:
        """True for an admin whose account still exists."""
        return name in self.admins()

    def add(
        self, name: str, password: str, *, replace: bool = False, admin: bool | None = None
    ) -> None:
        """Add an editor (or, with ``replace``, change an existing editor's password).

        ``admin``: make them an admin (True), not one (False), or leave it as it is (None).
        """
        if not _NAME.match(name):
            raise AccountError(
                f"{name!r} is not a user name: use 2-32 lowercase letters, digits, '.', '_' or '-'"
            )
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        if password.strip() != password or password.lower() == name:
            raise AccountError("that password is too easy to guess")
        with exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            accounts = self._read()
            if name in accounts and not replace:
                raise AccountError(f"the editor {name} already exists (use `evkg user passwd`)")
            if name not in accounts and replace:
                raise AccountError(f"there is no editor {name}")
            accounts[name] = generate_password_hash(password)
            admins = set(self.admins())
            if admin is True:
                admins.add(name)
            elif admin is False:
                admins.discard(name)
            self._write(accounts, admins=admins)

    def remove(self, name: str) -> None:
        """Remove an editor; their sessions end at their next request."""
        with exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            accounts = self._read()
            if name not in accounts:
                raise AccountError(f"there is no editor {name}")
            del accounts[name]
            self._write(accounts)

    def verify(self, name: str, password: str) -> bool:
        """True when the name is an editor's and the password is theirs."""
        stored = self._read().get(name)
        if stored is None:
            check_password_hash(_DUMMY_HASH, password)
            return False
        return check_password_hash(stored, password)

    def exists(self, name: str) -> bool:
        """True while the account exists (a removed editor's session stops working)."""
        return name in self._read()

    def fingerprint(self, name: str) -> str | None:
        """What a session remembers of the account, or None when there is no such account.

        It changes with the password and when :meth:`end_sessions` is called.
        """
        stored = self._read().get(name)
        if stored is None:
            return None
        generation = self._generations().get(name, 0)
        return hashlib.sha256(f"{stored}\n{generation}".encode()).hexdigest()[:32]

    def end_sessions(self, name: str) -> None:
        """End every session of one editor, wherever it was opened."""
        with exclusive_lock(self.path.with_name(self.path.name + ".lock")):
            accounts = self._read()
            if name in accounts:
                generations = self._generations()
                generations[name] = generations.get(name, 0) + 1
                self._write(accounts, generations)

    def _read(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self._data().get("editors", {}).items()}

    def _generations(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self._data().get("generations", {}).items()}

    def _data(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"{self.path}: unreadable accounts file ({exc})") from exc
        return data

    def _write(
        self,
        accounts: dict[str, str],
        generations: dict[str, int] | None = None,
        admins: set[str] | None = None,
    ) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = generations if generations is not None else self._generations()
        chosen = admins if admins is not None else set(self._data().get("admins", []))
        data = {
            "editors": accounts,
            "generations": {k: v for k, v in kept.items() if k in accounts},
            "admins": sorted(n for n in chosen if n in accounts),
        }
        # The hashes are for the server's eyes only.
        write_atomically(self.path, json.dumps(data, indent=2) + "\n", 0o600)

"""Failed sign-ins slow down, then lock out, an account and an address.

A password guesser gets a few tries, then has to wait longer and longer between them, and
after many is locked out for a while; so does an address that tries many accounts.  The
check comes before the password is hashed, so a flood of sign-ins costs the server almost
nothing and readers do not feel it.  Each failure is logged, and each lock-out is kept as a
notice that editors see on their dashboard.

The counts are kept in this server process: with several processes behind a balancer, each
counts on its own, which still bounds a guesser to a few tries a minute per process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LOG = logging.getLogger("evkg.auth")
WINDOW = 15 * 60  # seconds over which failures are counted
FREE_TRIES = 5  # failures before the first wait
LOCK_AFTER = 20  # failures of one account (or 50 of one address) before a lock-out
ADDRESS_LOCK_AFTER = 50
LOCKED_FOR = 15 * 60  # seconds
LONGEST_WAIT = 5 * 60
NOTICES_KEPT = 20


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


@dataclass(frozen=True)
class Notice:
    """A lock-out, for the editors' dashboard."""

    what: str  # "the account 'alice'" or "the address 203.0.113.9"
    at: float
    failures: int

    @property
    def when(self) -> str:
        """The time of the lock-out, UTC."""
        return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.at))


class LoginThrottle:
    """Counts failed sign-ins per account and per address, and says when to wait."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], _Record] = {}
        self.notices: list[Notice] = []

    def wait(self, name: str, address: str) -> tuple[float, str] | None:
        """Seconds to wait before this sign-in may be tried, and why; None: go ahead."""
        now = self.clock()
        with self._lock:
            for kind, key in (("account", name), ("address", address)):
                record = self._records.get((kind, key))
                if record is None:
                    continue
                recent = [t for t in record.failures if now - t < WINDOW]
                if record.locked_until > now:
                    return record.locked_until - now, f"the {kind} is locked after many failures"
                free = FREE_TRIES if kind == "account" else 4 * FREE_TRIES
                if len(recent) >= free:
                    delay = min(2.0 ** (len(recent) - free), LONGEST_WAIT)
                    left = recent[-1] + delay - now
                    if left > 0:
                        return left, f"too many failed sign-ins for this {kind}"
        return None

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in, log it, and lock out what failed too often."""
        now = self.clock()
        LOG.warning("failed sign-in for %r from %s", name, address)
        with self._lock:
            for kind, key, limit in (
                ("account", name, LOCK_AFTER),
                ("address", address, ADDRESS_LOCK_AFTER),
            ):
                record = self._records.setdefault((kind, key), _Record())
                record.failures = [t for t in record.failures if now - t < WINDOW] + [now]
                if len(record.failures) >= limit and record.locked_until <= now:
                    record.locked_until = now + LOCKED_FOR
                    what = f"the account {key!r}" if kind == "account" else f"the address {key}"
                    self.notices = [Notice(what, now, len(record.failures)), *self.notices]
                    del self.notices[NOTICES_KEPT:]
                    LOG.warning("%s locked for %d minutes", what, LOCKED_FOR // 60)

    def succeeded(self, name: str) -> None:
        """A right password, in time: the account's count starts again."""
        with self._lock:
            self._records.pop(("account", name), None)

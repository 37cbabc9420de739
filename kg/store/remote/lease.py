"""One publisher at a time on a SPARQL server: a lease kept in the server's own store graph.

A publish rewrites data graphs in place (``…/review``, ``…/versions``) before it moves the
``current`` pointer, so two publishes writing at once could mix their graphs.  Before writing
anything, a publisher adds its lease (``"<build> <expiry>"``) and reads the leases back: it
goes on only if its own is the only one.  Two publishers that start together may both see
each other and both stop (each is told to try again); two can never both go on, on any
server that reads its own writes.

A lease runs out ``LEASE_SECONDS`` after it was last renewed, so a publisher that crashed
does not block the server for ever; it may be broken only a grace period later (twice the
request timeout), once nothing its holder sent can still be running on the server.  A lease
that ran out, or that a failed publish left behind marked as run out, means the graphs on the
server may no longer match the current build's record of them: whoever breaks it must send
every graph again (:meth:`acquire` says so).  Expiry times are the publishers' clocks; keep
them roughly in step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store.remote.client import Endpoint

STORE_GRAPH = "urn:evkg:store"
LEASE = ox.NamedNode("urn:evkg:publishing")
LEASE_SECONDS = 600.0


@dataclass(frozen=True)
class Held:
    """One lease found on the server."""

    build: str
    until: float
    literal: ox.Literal


class PublishLease:
    """The lease of one publish (one build id)."""

    def __init__(self, endpoint: Endpoint, build_id: str, seconds: float = LEASE_SECONDS) -> None:
        self.endpoint = endpoint
        self.build_id = build_id
        self.seconds = seconds
        # A request sent before a lease ran out may still be running on the server after it
        # (the client gave up on it, the server did not): a lease is broken only this long
        # after it ran out, so that nothing of its holder's can land after the breaker's.
        self.grace = 2 * endpoint.timeout
        self.literal = self._literal(time.time() + seconds)
        self._renewing: ox.Literal | None = None

    def acquire(self) -> bool:
        """Take the lease, or raise StoreError if another publish holds one.

        Returns True when a lease that ran out was broken: the graphs on the server may then
        differ from what the current build recorded, and every graph must be sent again.
        A lease that ran out is removed only by the publisher that goes on, so that the mark
        a failed publish left cannot be lost by two publishers that both stop.
        """
        self._insert(self.literal)
        broke = False
        for _ in range(5):
            now = time.time()
            found = [h for h in self.found() if h.build != self.build_id]
            recent = [h for h in found if h.until + self.grace >= now]
            if recent:
                if broke:
                    self.abandon()  # keep the mark of the failed publish this one removed
                else:
                    self._delete(self.literal)
                raise StoreError(_busy(recent, self.grace, now))
            if not found:
                return broke
            for held in found:
                self._delete(held.literal)
            broke = True
            # Read again: a lease another publisher took meanwhile would show, and this stops.
        self.abandon()
        raise StoreError("the SPARQL server's publish lease kept changing; nothing was published")

    def renew_if_due(self) -> None:
        """Push the expiry on when half the lease has gone; raise if it was lost meanwhile.

        One conditional update replaces the old lease with the new, so a lease that another
        publisher broke is never brought back.
        """
        until = float(self.literal.value.split()[1])
        if until - time.time() > self.seconds / 2:
            return
        fresh = self._literal(time.time() + self.seconds)
        self._renewing = fresh  # if the answer is lost, abandon() must remove this one too
        store = ox.NamedNode(STORE_GRAPH)
        old = f"GRAPH {store} {{ {store} {LEASE} {self.literal} }}"
        self.endpoint.update(
            f"DELETE {{ {old} }}\nINSERT {{ GRAPH {store} {{ {store} {LEASE} {fresh} }} }}\n"
            f"WHERE {{ {old} }}"
        )
        if fresh not in [h.literal for h in self.found()]:
            raise StoreError(
                "this publish held the SPARQL server's lease too long and lost it; "
                "nothing was published"
            )
        self.literal, self._renewing = fresh, None

    def release(self) -> None:
        """End the lease after a publish that finished."""
        self._delete(self.literal)

    def abandon(self) -> None:
        """End the lease after a publish that failed part-way, marked as run out now.

        The next publisher to go on breaks it (after the grace) and so knows to send every
        graph again.
        """
        spent = self._literal(time.time())
        self._insert(spent)
        for held in (self.literal, self._renewing):
            if held is not None:
                self._delete(held)
        self.literal, self._renewing = spent, None

    def found(self) -> list[Held]:
        """Every lease on the server now."""
        store = ox.NamedNode(STORE_GRAPH)
        _, rows = self.endpoint.select(
            f"SELECT ?lease WHERE {{ GRAPH {store} {{ {store} {LEASE} ?lease }} }}",
            named_graphs=[STORE_GRAPH],
        )
        leases = []
        for row in rows:
            text = row["lease"]["value"]
            build, _, until = text.partition(" ")
            try:
                expiry = float(until)
            except ValueError:
                expiry = 0.0  # unreadable: treated as run out, so it can be broken
            leases.append(Held(build, expiry, ox.Literal(text)))
        return leases

    def _literal(self, until: float) -> ox.Literal:
        # Whole seconds, rounded down: a lease marked as run out now must not read as live.
        return ox.Literal(f"{self.build_id} {int(until)}")

    def _insert(self, literal: ox.Literal) -> None:
        store = ox.NamedNode(STORE_GRAPH)
        self.endpoint.update(f"INSERT DATA {{ GRAPH {store} {{ {store} {LEASE} {literal} }} }}")

    def _delete(self, literal: ox.Literal) -> None:
        store = ox.NamedNode(STORE_GRAPH)
        self.endpoint.update(f"DELETE DATA {{ GRAPH {store} {{ {store} {LEASE} {literal} }} }}")


def _busy(recent: list[Held], grace: float, now: float) -> str:
    """Why a publish may not go on yet, and when to try again."""
    live = [h for h in recent if h.until >= now]
    if live:
        until = time.strftime("%H:%M:%S UTC", time.gmtime(max(h.until for h in live)))
        return (
            f"another publish (build {live[0].build}) is writing to the SPARQL server; nothing "
            f"was published. Try again when it ends (its lease runs out at {until})"
        )
    after = time.strftime("%H:%M:%S UTC", time.gmtime(max(h.until for h in recent) + grace))
    return (
        f"another publish (build {recent[0].build}) stopped moments ago, and requests it sent "
        f"may still be running on the SPARQL server; nothing was published. Try again after "
        f"{after}"
    )

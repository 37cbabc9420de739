"""Run one function on several threads at once, switching between them as often as possible."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable


def run_at_once(target: Callable[[], None], threads: int = 6, timeout: float = 300) -> None:
    """Start ``threads`` threads of ``target`` and wait for them all.

    The interpreter is made to switch threads every microsecond meanwhile, so that state
    shared without a lock gets caught out within a few requests.
    """
    running = [threading.Thread(target=target) for _ in range(threads)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in running:
            thread.start()
        for thread in running:
            thread.join(timeout=timeout)
    finally:
        sys.setswitchinterval(interval)
    assert not any(thread.is_alive() for thread in running), "a thread did not finish"

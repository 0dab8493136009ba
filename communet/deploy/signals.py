"""SIGINT and SIGTERM during a deploy: take no new device, let those in flight finish.

The handler only records the request; the runner then starts no new device and no
new wave, devices in flight finish their steps (or roll back), the report is written
and the lock released, in that order. The ssh children run in their own process
group (:mod:`communet.transport.openssh`), so a Ctrl-C in the terminal does not cut
a remote reload short.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals(stop: Callable[[str], None]) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM call ``stop`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(number: int, _frame: FrameType | None) -> None:
        stop(f"stopped by {signal.Signals(number).name}")

    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)

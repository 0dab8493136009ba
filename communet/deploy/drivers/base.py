"""The contract every platform driver keeps; the runner calls these steps in order."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

from communet.deploy.ssh import Remote
from communet.design import Intent


class StepFailed(RuntimeError):
    """A step failed on the device; the message says what the device answered."""


@dataclass
class Snapshot:
    """What a device held before a deploy: files to restore and the live state to keep."""

    files: dict[str, str]  # backup name -> text
    ospf_full: frozenset[str] = frozenset()  # neighbor router ids in state Full
    bgp_up: frozenset[str] = frozenset()  # neighbor addresses Established
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Expect:
    """What must be up after the apply: adjacencies by router id, sessions by neighbor address."""

    ospf: frozenset[str] = frozenset()
    bgp: frozenset[str] = frozenset()


class Driver(ABC):
    """One device's deploy steps over SSH. ``intended`` is the real (unmasked) config.

    :meth:`snapshot` runs first and removes what an earlier, interrupted run staged.
    """

    def __init__(self, ssh: Remote, intent: Intent, companions: dict[str, str] | None = None) -> None:
        self.ssh = ssh
        self.intent = intent
        #: further files of the device (companion template stem -> real text), e.g. ``nftables``
        self.companions = dict(companions or {})

    @abstractmethod
    def snapshot(self) -> Snapshot:
        """Back up: the running config and the state verification compares with."""

    @abstractmethod
    def stage(self, intended: str) -> None:
        """Put the intended file on the device next to the live one (nothing applied)."""

    @abstractmethod
    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        """Have the device check the staged file (:class:`StepFailed` if it refuses it), then
        ``-``/``+`` lines between running and intended; ``[]`` when nothing would change."""

    @abstractmethod
    def apply(self) -> None:
        """Install the staged file as a replace of the running config."""

    @abstractmethod
    def verify(self, expect: Expect, timeout: float) -> None:
        """Raise :class:`StepFailed` unless the device runs as intended within ``timeout`` s."""

    #: the device lock's file, in a directory the login user owns (see communet.deploy.device_lock)
    lock_path = "/var/tmp/communet-deploy/lock"
    #: the device starts with the new config (:meth:`persist` ran): a rollback saves the restored one too
    persisted = False

    def persist(self) -> None:  # noqa: B027 - most platforms run what they load
        """Make the verified config the one the device starts with (after :meth:`verify`)."""

    @abstractmethod
    def rollback(self, snap: Snapshot) -> None:
        """Restore the snapshot; raise :class:`StepFailed` if the device does not match it after."""

    @abstractmethod
    def cleanup(self) -> None:
        """Remove staged files (best effort)."""


def wait_for(probe: Callable[[], str | None], timeout: float, interval: float = 1.0) -> str | None:
    """Call ``probe`` until it returns None (all good) or ``timeout`` passes; return its last problem."""
    deadline = time.monotonic() + timeout
    while True:
        problem = probe()
        if problem is None or time.monotonic() >= deadline:
            return problem
        time.sleep(interval)

"""Per-platform deploy steps: what "back up", "check", "apply", "verify" and "roll back" mean."""

from __future__ import annotations

from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed
from communet.deploy.ssh import Remote
from communet.design import Intent
from communet.platforms import deployable

#: Platform -> its driver, as each platform's record names it (communet.platforms).
DRIVERS: dict[str, type[Driver]] = {name: p.driver() for name, p in deployable().items()}


class NoDriver(ValueError):
    """Deploy does not know the platform."""


def driver_for(intent: Intent, ssh: Remote, companions: dict[str, str] | None = None) -> Driver:
    try:
        kind = DRIVERS[intent.platform]
    except KeyError:
        raise NoDriver(f"no deploy driver for platform {intent.platform!r} (known: {', '.join(DRIVERS)})") from None
    return kind(ssh, intent, companions)


__all__ = ["DRIVERS", "Driver", "Expect", "NoDriver", "Snapshot", "StepFailed", "driver_for"]

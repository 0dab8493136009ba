"""The outcome of one check, and a verify run as a whole."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The detail of a check whose input could not be collected: it fails, it never passes.
NOT_COLLECTED = "not collected"


@dataclass(frozen=True, slots=True)
class Check:
    """One thing verified on one device: ``ok`` with what was seen in ``detail``."""

    family: str
    name: str
    device: str
    target: str
    ok: bool
    detail: str = ""


def check(family: str, name: str, device: str, target: str, ok: bool, detail: str = "") -> Check:
    return Check(family, name, device, target, bool(ok), detail)


@dataclass
class Run:
    """A verify run: every check, the time it took, what failed to be collected."""

    started: str
    checks: list[Check] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per family, plus "total"
    errors: list[str] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)  # "family group: why", never counted as passed

    @property
    def ok(self) -> bool:
        return not self.errors and all(c.ok for c in self.checks) and bool(self.checks)

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in self.checks:
            row = out.setdefault(c.family, {"passed": 0, "failed": 0})
            row["passed" if c.ok else "failed"] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "ok": self.ok,
            "seconds": self.seconds,
            "errors": self.errors,
            "not_run": self.not_run,
            "summary": self.summary(),
            "checks": [asdict(c) for c in self.checks],
        }

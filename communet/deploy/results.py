"""What a deploy did to each device, as data: the table and the JSON are built from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal[
    "unchanged",  # running already matches intended
    "pending",  # dry-run: would change
    "applied",  # changed and verified
    "failed",  # failed before anything changed on the device
    "rolled-back",  # failed while changing; back on its previous config
    "rollback-failed",  # failed, and the rollback did not restore it: needs a person
    "skipped",  # not attempted (an earlier wave failed)
]
OK_STATUSES: frozenset[str] = frozenset({"unchanged", "pending", "applied"})
Step = Literal["connect", "lock", "render", "backup", "diff", "check", "apply", "verify", "wave-verify", "rollback", ""]


@dataclass
class DeviceResult:
    device: str
    site: str
    platform: str
    wave: int
    status: Status = "skipped"
    changed: bool = False  # the device's config differs (dry-run) or was changed (commit)
    step: Step = ""  # the step that failed
    message: str = ""
    diff: list[str] = field(default_factory=list)  # masked
    backup: str = ""  # backup directory of this device
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    @property
    def added(self) -> int:
        return sum(1 for line in self.diff if line.startswith("+") and not line.startswith("+++"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.diff if line.startswith("-") and not line.startswith("---"))

    def as_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "site": self.site,
            "platform": self.platform,
            "wave": self.wave,
            "status": self.status,
            "changed": self.changed,
            "ok": self.ok,
            "step": self.step or None,
            "message": self.message,
            "added": self.added,
            "removed": self.removed,
            "backup": self.backup or None,
            "seconds": round(self.seconds, 2),
            "diff": list(self.diff),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DeviceResult:
        """The result :meth:`as_json` wrote (another process of the same deploy: Ansible's workers)."""
        return cls(
            data["device"],
            data["site"],
            data["platform"],
            data["wave"],
            data["status"],
            changed=data["changed"],
            step=data["step"] or "",
            message=data["message"],
            diff=list(data["diff"]),
            backup=data["backup"] or "",
            seconds=data["seconds"],
        )


@dataclass
class DeployReport:
    commit: bool
    results: list[DeviceResult]
    stopped_after_wave: int | None = None  # the wave that failed and stopped the deploy
    stopped_by: str | None = None  # why no new device was started (a signal, a changed host key)

    @property
    def ok(self) -> bool:
        return self.stopped_by is None and all(r.ok for r in self.results)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "commit": self.commit,
            "stopped_after_wave": self.stopped_after_wave,
            "stopped_by": self.stopped_by,
            "counts": self.counts(),
            "devices": [r.as_json() for r in self.results],
        }

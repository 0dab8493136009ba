"""``communet_backups``: number a deploy's backup run (``start``) or rotate old runs (``rotate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase

from communet.deploy.ansible_step import rotate_backups, start_backups


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        args = self._task.args
        state_dir, keep = Path(args["state_dir"]), int(args.get("keep", 10))
        if args.get("action", "start") == "rotate":
            result.update(changed=False, removed=rotate_backups(state_dir, keep))
        else:
            result.update(changed=False, run=start_backups(state_dir, keep, not self._play_context.check_mode))
        return result

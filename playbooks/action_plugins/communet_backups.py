"""``communet_backups``: number a wave's backup run (``start``; the first wave also starts the play's
device results) or rotate old runs (``rotate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase

from communet.deploy.ansible_step import rotate_backups, start_backups, start_results


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
            play = task_vars or {}
            if play["ansible_play_hosts_all"][:1] == play["ansible_play_batch"][:1]:
                start_results(state_dir)
            result.update(changed=False, run=start_backups(state_dir, keep, not self._play_context.check_mode))
        return result

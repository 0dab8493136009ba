"""``communet_deploy``: one host's deploy by communet's own device step (as ``communet deploy``).

The plugin runs on the controller and connects itself (one SSH connection per device,
pinned host keys): check mode is a dry run, the result carries the masked diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase

from communet.deploy.ansible_step import deploy_host


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        args = self._task.args
        name = (task_vars or {})["inventory_hostname"]
        result.update(
            deploy_host(
                name,
                commit=not self._play_context.check_mode,
                wave=int(args.get("wave", 1)),
                state_dir=Path(args["state_dir"]),
                run=args.get("run"),
                verify_timeout=float(args.get("verify_timeout", 60)),
                intended_file=Path(args["intended_file"]) if args.get("intended_file") else None,
            )
        )
        return result

"""``communet_wave``: the wave verify of a batch, by communet's own step (as ``communet deploy``).

Run once per batch, after every host of it deployed: each host the batch changed is verified
again with the whole batch on its new config; if one fails, every host the batch changed
goes back to this run's backup and the task fails, which stops the play.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ansible.plugins.action import ActionBase

from communet.deploy.ansible_step import verify_batch


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        args = self._task.args
        batch = list((task_vars or {})["ansible_play_batch"])
        result.update(
            verify_batch(
                batch,
                state_dir=Path(args["state_dir"]),
                run=args["run"],
                verify_timeout=float(args.get("verify_timeout", 60)),
                intended_file=Path(args["intended_file"]) if args.get("intended_file") else None,
            )
        )
        return result

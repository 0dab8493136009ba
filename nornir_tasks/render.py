"""The render task: one shared Jinja environment, files written with plain Python.

``nornir_jinja2``'s ``template_file`` builds a Jinja environment per call and
``nornir_utils``' ``write_file`` diffs even new files; both cost more than the
render itself, so this task uses :func:`communet.render.render_intent` and writes
only when the text changed.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from nornir.core.task import Result, Task

from communet.render import file_name, render_intent


def render_config(task: Task, env: jinja2.Environment, out_dir: Path, check: bool = False) -> Result:
    """Render the host's intent into ``out_dir``; ``changed`` when the file was (or, with ``check``, would be) new
    or different. ``result`` is the file's path."""
    intent = task.host.data["intent"]
    text = render_intent(env, intent)
    path = out_dir / file_name(intent)
    try:
        changed = path.read_text(encoding="utf-8") != text
    except FileNotFoundError:
        changed = True
    if changed and not check:
        path.write_text(text, encoding="utf-8")
    return Result(host=task.host, result=path, changed=changed)

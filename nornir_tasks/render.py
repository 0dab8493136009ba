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

from communet.render import outputs, render_intent


def render_config(task: Task, env: jinja2.Environment, out_dir: Path, check: bool = False) -> Result:
    """Render every file of the host's intent into ``out_dir`` (an FRR router has two); ``changed`` when one was
    (or, with ``check``, would be) new or different. ``result`` maps each of the host's files to whether it
    changed."""
    intent = task.host.data["intent"]
    files: dict[Path, bool] = {}
    for out in outputs(intent):
        path = out_dir / out.file
        files[path] = write_if_changed(path, render_intent(env, intent, template=out.template), check)
    return Result(host=task.host, result=files, changed=any(files.values()))


def write_if_changed(path: Path, text: str, check: bool) -> bool:
    """True when ``path`` lacks or differs from ``text``; written unless ``check``."""
    try:
        changed = path.read_text(encoding="utf-8") != text
    except FileNotFoundError:
        changed = True
    if changed and not check:
        path.write_text(text, encoding="utf-8")
    return changed

"""Read ``frr-reload.py --test`` output: the lines to delete and to add, as a diff.

frr-reload repeats each line's context (``interface eth1`` before each of its
lines); :func:`compact` drops the repeats so the diff reads like a config.

>>> text = "\\nLines To Delete\\n===============\\nno hostname x\\n\\nLines To Add\\n============\\n"
>>> text += "interface eth1\\ninterface eth1\\n ip address A\\ninterface eth1\\n ip ospf cost 5\\n"
>>> parse_reload_test(text)
['-no hostname x', '+interface eth1', '+ ip address A', '+ ip ospf cost 5']
"""

from __future__ import annotations

SECTIONS = {"Lines To Delete": "-", "Lines To Add": "+"}


def compact(lines: list[str]) -> list[str]:
    """Drop context lines repeated at the same depth as the line shown just before."""
    shown: dict[int, str] = {}
    out: list[str] = []
    for line in lines:
        depth = len(line) - len(line.lstrip(" "))
        if shown.get(depth) == line:
            continue
        shown = {d: s for d, s in shown.items() if d < depth}
        shown[depth] = line
        out.append(line)
    return out


def parse_reload_test(text: str) -> list[str]:
    """``-line`` and ``+line`` for what frr-reload would delete and add; ``[]`` when nothing."""
    sections: dict[str, list[str]] = {"-": [], "+": []}
    current: str | None = None
    for line in text.splitlines():
        if line.strip() in SECTIONS:
            current = SECTIONS[line.strip()]
            continue
        if current is None or not line.strip() or set(line.strip()) == {"="}:
            continue
        sections[current].append(line.rstrip())
    return [f"{sign}{line}" for sign in ("-", "+") for line in compact(sections[sign])]

"""What the loader agrees to read: regular files of bounded size, no alias bombs, no dropped towns.

A FIFO would block the loader, ``/dev/zero`` would fill memory, an alias bomb expands a
small file into billions of values, and a town file the loader skips (wrong extension,
``towns`` not a directory) would silently drop a town from every config. Each is a
problem naming the file, never a hang, a traceback or a quiet omission.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from communet.errors import Problem

#: Largest inventory file read (the example's largest is a few kB).
MAX_FILE_BYTES = 1 << 20
#: Most values a file may hold once YAML aliases are expanded.
MAX_VALUES = 100_000
#: Deepest nesting of mappings and lists in a file.
MAX_DEPTH = 20
#: The files of the inventory's top level.
TOP_FILES = ("syndicate.yml", "datacenter.yml", "ix.yml")
YAML_SUFFIXES = (".yml", ".yaml")


class FileRefused(Exception):
    """A file the loader will not read, and what to do about it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def bounded_text(path: Path) -> str:
    """The file's text, if it is a regular file of at most MAX_FILE_BYTES (symlinks followed)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"is {_kind(info.st_mode)}, not a regular file", "an inventory file is a plain YAML file")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(
            f"is larger than {MAX_FILE_BYTES // 1024} KiB", "an inventory file holds one site: split or trim it"
        )
    return data.decode("utf-8")


def refuse_expansion(data: Any) -> None:
    """Refuse data that aliases expand beyond MAX_VALUES values or that nests beyond MAX_DEPTH."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if depth > MAX_DEPTH:
            raise FileRefused(f"nests deeper than {MAX_DEPTH} levels", "an inventory file nests a few levels only")
        children = list(node.values()) + list(node) if isinstance(node, dict) else node
        if not isinstance(node, (dict, list)):
            continue
        if done:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(node)] > MAX_VALUES:
                raise FileRefused(
                    f"holds more than {MAX_VALUES} values once its aliases are expanded",
                    "write the values out; YAML anchors and aliases are for a few repeated items",
                )
        elif id(node) not in sizes:
            stack.append((node, depth, True))
            stack.extend((c, depth + 1, False) for c in children if isinstance(c, (dict, list)))


def _problem(rel: str, message: str, hint: str) -> Problem:
    return Problem(rel, "", message, hint)


def town_files(root: Path, problems: list[Problem]) -> list[Path]:
    """The town files, sorted; anything in ``towns/`` the loader would skip is a problem."""
    towns = root / "towns"
    rel = str(towns.relative_to(root.parent))
    if not towns.is_dir():
        what = "is missing" if not towns.exists() and not towns.is_symlink() else "is not a directory"
        problems.append(_problem(rel, f"{what}: it holds one file per town", "make towns/ a directory of NAME.yml"))
        return []
    out = []
    for path in sorted(towns.iterdir()):
        name = path.name
        if name.startswith(".") and not name.endswith(YAML_SUFFIXES):
            continue  # editor and VCS files
        if name.endswith(".yml") and not path.is_dir():
            out.append(path)
        else:
            problems.append(
                _problem(
                    f"{rel}/{name}",
                    "is not a town file (a town file is NAME.yml)",
                    f"rename it to {Path(name).stem}.yml, or move it out of towns/",
                )
            )
    return out


def stray_files(root: Path) -> list[Problem]:
    """YAML files at the top level that are not part of the inventory (a town in the wrong place)."""
    if not root.is_dir():
        return []
    return [
        _problem(
            str(path.relative_to(root.parent)),
            "is not one of the inventory's files " + ", ".join(TOP_FILES),
            "a town's file goes in towns/ as NAME.yml; remove or move anything else",
        )
        for path in sorted(root.iterdir())
        if path.name.endswith(YAML_SUFFIXES) and path.name not in TOP_FILES
    ]

"""Bad-input cases: each breaks one rule of the inventory and states the exact report.

A case is a directory ``tests/bad_inputs/<NN-short-name>/`` holding:

``patch.yml``
    How to corrupt a copy of the example inventory::

        rule: a span to a device nobody defines      # one line: the rule the case breaks
        ops:                                         # applied in order to the copy
          - {file: towns/aldermoor.yml, set: spans.0.remote.device, value: nowhere}

    ``file`` is relative to ``inventory/``. A key path is dotted; a number is a list
    index (``spans.0.remote.device``). One operation per entry, one of:

    - ``set: PATH, value: V``     set a key (or list item) to V, creating mappings on the way
    - ``delete: PATH``            remove a key (or list item)
    - ``append: PATH, value: V``  append V to the list at PATH
    - ``replace: OLD, with: NEW`` replace the text OLD (found exactly once) by NEW
    - ``write: TEXT``             write the file with raw TEXT (creates it if missing)
    - ``copy: OTHER``             write the file as a copy of OTHER (also relative to inventory/)
    - ``remove: true``            delete the file
    - ``fifo: true``              make the file a FIFO (a reader that opens it waits forever)
    - ``symlink: TARGET``         make the file a symbolic link to TARGET (``/dev/zero``)
    - ``mkdir: true``             make the file a directory

    For ``set`` and ``append``, instead of ``value`` an address or prefix can be derived
    from the inventory itself, so that no case types an address:
    ``from: PATH`` (or ``from: FILE:PATH``) reads a value as it is; ``shift: N`` then adds N to the
    address, keeping the prefix length (``shift: 1`` on a prefix sets a host bit);
    ``prefixlen: N`` then gives the prefix of length N that holds it; ``address: true``
    keeps only the address (``from: lan_v6, shift: -1, address: true`` is the address
    just below the IX LAN).

    ``repeat: N`` with ``value`` (or ``write``) repeats the text N times (a huge value, a huge file).

    ``set``/``delete``/``append`` re-dump the file (PyYAML, keys in their order), so line
    numbers in the report refer to the dumped layout; ``replace`` keeps the layout.

``expected.txt``
    Exactly what ``communet validate`` prints (every problem: file:line, key path,
    message, hint). ``str(InventoryError)`` from the Python API is the same text.

The test copies ``inventory/`` to a temporary directory, applies the patch, then checks
that the API raises :class:`communet.errors.InventoryError`, that the CLI exits 2 with
no traceback and prints exactly the expected report, and that nothing was written.

Refresh the expectations after a deliberate change of messages with
``COMMUNET_REGEN=1 .venv/bin/pytest tests/test_bad_inputs.py``, then review the diff.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from netaddr import IPAddress, IPNetwork
from typer.testing import CliRunner

from communet import ROOT
from communet.cli import app
from communet.errors import InventoryError
from communet.model.load import load_network

CASES = Path(__file__).parent / "bad_inputs"
REGEN = os.environ.get("COMMUNET_REGEN") == "1"
KINDS = ("set", "delete", "append", "replace", "write", "copy", "remove", "fifo", "symlink", "mkdir")


class PatchError(Exception):
    """The patch itself is wrong (a bad case, not a bad inventory)."""


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _walk(data: Any, path: str) -> tuple[Any, str | int]:
    """The container holding the last key of ``path``, and that key."""
    parts = [_key(p) for p in path.split(".")]
    node = data
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            raise PatchError(f"{path}: cannot reach {part!r}")
    return node, parts[-1]


def _read_path(data: Any, path: str) -> Any:
    node, key = _walk(data, path)
    return node[key]


def _value(inventory: Path, data: Any, op: dict[str, Any]) -> Any:
    """``value``, or the address derived with ``from``/``shift``/``prefixlen``."""
    if "from" not in op:
        return op["value"] * op["repeat"] if "repeat" in op else op["value"]
    source, _, path = op["from"].rpartition(":") if ".yml:" in op["from"] else ("", "", op["from"])
    origin = yaml.safe_load((inventory / source).read_text(encoding="utf-8")) if source else data
    found = _read_path(origin, path)
    if not {"shift", "prefixlen", "address"} & op.keys():
        return found
    text = str(found)
    if "/" not in text:
        return str(IPAddress(text) + op.get("shift", 0))
    net = IPNetwork(text)
    net = IPNetwork((net.value + op.get("shift", 0), net.prefixlen), version=net.version)
    if "prefixlen" in op:
        net = IPNetwork(f"{net.ip}/{op['prefixlen']}").cidr
    return str(net.ip) if op.get("address") else str(net)


def _structured(inventory: Path, text: str, op: dict[str, Any]) -> str:
    data = yaml.safe_load(text)
    if "set" in op:
        node, key = _walk(data, op["set"])
        node[key] = _value(inventory, data, op)
    elif "delete" in op:
        node, key = _walk(data, op["delete"])
        del node[key]
    else:
        node, key = _walk(data, op["append"])
        value = _value(inventory, data, op)
        node.setdefault(key, []).append(value) if isinstance(node, dict) else node[key].append(value)
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


def apply_op(inventory: Path, op: dict[str, Any]) -> None:
    kinds = [k for k in KINDS if k in op]
    if "file" not in op or len(kinds) != 1:
        raise PatchError(f"an operation needs 'file' and exactly one of {KINDS}: {op}")
    path = inventory / op["file"]
    kind = kinds[0]
    if kind == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.rmtree(path)
        path.write_text(op["write"] * op.get("repeat", 1), encoding="utf-8")
    elif kind == "copy":
        shutil.copyfile(inventory / op["copy"], path)
    elif kind == "remove":
        path.unlink()
    elif kind in ("fifo", "symlink", "mkdir"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        {"fifo": lambda: os.mkfifo(path), "symlink": lambda: path.symlink_to(op["symlink"]), "mkdir": path.mkdir}[
            kind
        ]()
    elif kind == "replace":
        text = path.read_text(encoding="utf-8")
        if text.count(op["replace"]) != 1:
            raise PatchError(f"{op['file']}: {op['replace']!r} occurs {text.count(op['replace'])} times, not once")
        path.write_text(text.replace(op["replace"], op["with"]), encoding="utf-8")
    else:
        path.write_text(_structured(inventory, path.read_text(encoding="utf-8"), op), encoding="utf-8")


def apply_patch(inventory: Path, patch: Path) -> None:
    spec = yaml.safe_load(patch.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not spec.get("rule") or not spec.get("ops"):
        raise PatchError(f"{patch}: needs 'rule' and 'ops'")
    for op in spec["ops"]:
        apply_op(inventory, op)


def snapshot(root: Path) -> dict[str, object]:
    """Every file under ``root`` and a hash of its content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else p.lstat().st_mode
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file() or p.is_fifo()
    }


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


def test_there_are_enough_cases() -> None:
    assert len(case_dirs()) >= 30
    for case in case_dirs():
        assert (case / "patch.yml").is_file(), case.name
        assert REGEN or (case / "expected.txt").is_file(), case.name


@pytest.fixture
def broken(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    apply_patch(inventory, request.param / "patch.yml")
    return inventory


def _diff(expected: str, actual: str) -> str:
    return "\n".join(
        difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected.txt", "actual", lineterm="")
    )


@pytest.mark.parametrize("broken", case_dirs(), ids=lambda p: p.name, indirect=True)
def test_bad_input(broken: Path, request: pytest.FixtureRequest) -> None:
    case: Path = request.node.callspec.params["broken"]
    before = snapshot(broken.parent)

    with pytest.raises(InventoryError) as info:
        load_network(broken)
    api_text = str(info.value)
    assert info.value.problems, "InventoryError without problems"

    result = CliRunner().invoke(app, ["validate", "--inventory", str(broken)])
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    assert output.strip() == api_text.strip(), _diff(api_text, output)

    expected_file = case / "expected.txt"
    if REGEN:
        expected_file.write_text(api_text.strip() + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert api_text.strip() == expected.strip(), _diff(expected, api_text)
    assert snapshot(broken.parent) == before, "validation wrote or changed files"


def test_patch_format_rejects_ambiguous_ops(tmp_path: Path) -> None:
    with pytest.raises(PatchError):
        apply_op(tmp_path, {"file": "x.yml", "set": "a", "delete": "b"})

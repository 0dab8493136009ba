"""Several commands in one round trip, each with its own output, error text and exit status.

The remote shell runs the commands in order; each one's output is framed by marker
lines carrying a random token, so no device output can forge a frame.

>>> script, token = batch_script(["echo a", "false"], token="T")
>>> parse_batch(b"T 0 out\\na\\n\\nT 0 err\\n\\nT 0 rc 0\\nT 1 out\\n\\nT 1 err\\n\\nT 1 rc 1\\n", 2, "T")
[Output(rc=0, out='a\\n', err=''), Output(rc=1, out='', err='')]
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from communet.transport.openssh import Output, Session, Unreachable, decode


def batch_script(commands: Sequence[str], token: str | None = None, stdin_first: bool = False) -> tuple[str, str]:
    """The shell script running ``commands`` in order, and its frame token.

    Each command runs in its own subshell (an ``exit`` ends only that command), its
    stdin closed, except the first one's when ``stdin_first`` (it reads the channel's).
    """
    token = token or secrets.token_hex(8)
    lines = ["d=$(mktemp -d) || exit 1", "trap 'rm -rf \"$d\"' EXIT"]
    for i, command in enumerate(commands):
        source = "" if stdin_first and i == 0 else " </dev/null"
        lines += [
            f"printf '%s\\n' '{token} {i} out'",
            f'( {command}\n) 2>"$d/e"{source}; rc=$?',
            f"printf '\\n%s\\n' '{token} {i} err'; cat \"$d/e\"",
            f"printf '\\n%s %d\\n' '{token} {i} rc' \"$rc\"",
        ]
    return "\n".join(lines), token


def parse_batch(data: bytes, count: int, token: str) -> list[Output]:
    """The per-command outputs of a batch run (raises ValueError when a frame is missing)."""
    tok = re.escape(token.encode())
    frame = re.compile(tok + rb" (\d+) out\n(.*?)\n" + tok + rb" \1 err\n(.*?)\n" + tok + rb" \1 rc (\d+)\n", re.DOTALL)
    found = {int(m.group(1)): m for m in frame.finditer(data)}
    if sorted(found) != list(range(count)):
        raise ValueError(f"batch output holds {len(found)} of {count} results")
    return [Output(int(found[i].group(4)), decode(found[i].group(2)), decode(found[i].group(3))) for i in range(count)]


def run_batch(
    session: Session, commands: Sequence[str], timeout: float = 120, stdin: str | None = None
) -> list[Output]:
    """Run ``commands`` in one channel (``stdin`` goes to the first one); raise
    :class:`Unreachable` when the batch breaks off."""
    if not commands:
        return []
    script, token = batch_script(commands, stdin_first=stdin is not None)
    _, out, err = session.run_raw(script, stdin=stdin, timeout=timeout)
    try:
        return parse_batch(out, len(commands), token)
    except ValueError as exc:
        raise Unreachable(f"{session.endpoint.address}: {exc}: {decode(err).strip()[-200:]}") from None

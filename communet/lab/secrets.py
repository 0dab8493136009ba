"""Lab secrets: the environment's value, else one the lab makes up and keeps in its state dir.

The other IX member must use the same BGP password as our edge. ``lab up`` takes it
from the environment when set; otherwise it writes a random one to
``.lab/private/secrets.env`` (0600, in a 0700 directory), where ``communet deploy`` finds it after the environment.
``lab down`` removes it with the rest of the state dir.
"""

from __future__ import annotations

import os
import secrets as random
from pathlib import Path

from communet.deploy.secrets import read_env_file
from communet.lab.state import State

SECRETS_FILE = State().secrets_file


def lab_secret(name: str, path: Path = SECRETS_FILE) -> str:
    """The value of secret ``name`` for the lab (made up and kept once when nowhere else)."""
    value = os.environ.get(name) or read_env_file(path).get(name)
    if value:
        return value
    value = random.token_hex(12)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(f"{name}={value}\n")
    return value

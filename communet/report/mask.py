"""Mask secrets in config lines before they reach a report.

Configs in ``configs/`` are rendered with secrets masked already; this is a
second guard so a report never shows a key even if a template forgets.

>>> mask_line("+ neighbor x password hunter2")
'+ neighbor x password ********'
>>> mask_line(" snmp-server user u g v3 auth sha ab12 priv aes 128 cd34")
' snmp-server user u g v3 auth sha ******** priv aes 128 ********'
"""

from __future__ import annotations

import re

from communet.filters import MASK

_RULES = (
    re.compile(r"(?i)\b(password|passwd|secret|authentication-key|auth-key|md5)(\s+(?:\d\s+)?)(\S+)"),
    re.compile(r"(?i)\b(auth\s+(?:md5|sha\S*)|priv\s+(?:des|3des|aes(?:\s+\d+)?))(\s+)(\S+)"),
)


def mask_line(line: str) -> str:
    for rule in _RULES:
        line = rule.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}" if m.group(3) != MASK else m.group(0), line)
    return line

"""Mask secrets in config lines before they reach a report.

Configs in ``configs/`` are rendered with secrets masked already; this is a
second guard so a report never shows a key even if a template forgets.

>>> mask_line("+ neighbor x password hunter2")
'+ neighbor x password ********'
>>> mask_line(" snmp-server user u g v3 auth sha ab12 priv aes 128 cd34")
' snmp-server user u g v3 auth sha ******** priv aes 128 ********'
>>> mask_line("- neighbor x password two words here")
'- neighbor x password ********'
>>> mask_line('authentication-key "$9$a b"; ## SECRET-DATA')
'authentication-key ********; ## SECRET-DATA'
>>> mask_line(" snmp-server community s3cret RO 10")
' snmp-server community ******** RO 10'
>>> mask_line(" set community none")
' set community none'
"""

from __future__ import annotations

import re

from communet.filters import MASK

#: A value: a quoted string (spaces allowed), else one word.
_ONE = r'("[^"]*"|\S+)'
#: A value that runs to the end of the line (FRR's ``password LINE``), stopping before JunOS's ``;``.
_REST = r'("[^"]*"|[^;\n]*[^;\s])'
#: A keyword starts a word of its own (``secret`` inside ``not-a-secret`` is no keyword).
_KEY = r"(?i)(?<![\w.$-])"
_RULES = (
    # keys whose value is the rest of the line, after an optional encryption type (IOS ``7``)
    re.compile(_KEY + r"(password|passwd|secret|md5)(\s+(?:\d\s+)?)" + _REST),
    # one-value keys, after an optional type or format word
    re.compile(
        _KEY + r"(authentication-key|auth-key|key-string|pre-shared-key|psk)"
        r"(\s+(?:\d\s+|(?:ascii-text|hexadecimal|key|0|6|7)\s+)?)" + _ONE
    ),
    re.compile(_KEY + r"(auth\s+(?:md5|sha\S*)|priv\s+(?:des|3des|aes(?:\s+\d+)?))(\s+)" + _ONE),
    # SNMP communities (not BGP communities, which are route attributes, not secrets)
    re.compile(_KEY + r"(snmp-server\s+community|snmp\s+community)(\s+)" + _ONE),
    re.compile(r"(?im)^(\s*community)(\s+)" + _ONE + r"(?=\s*\{)"),
)


def mask_line(line: str) -> str:
    for rule in _RULES:
        line = rule.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}" if m.group(3) != MASK else m.group(0), line)
    return line

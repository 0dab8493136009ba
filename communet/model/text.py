"""Inventory text that reaches configs, file names and commands, validated as what it is.

A name becomes a hostname, a file name, a namespace or link name: lowercase letters,
digits and dashes, one DNS label long. Free text (descriptions, display names, circuit
ids, locations) is bounded and holds no control character, no line or paragraph
separator, no bidirectional override, and neither ``"`` nor ``\\`` (JunOS and Kamailio
quote text in double quotes; FRR and IOS-XE take it to the end of the line). A domain is
DNS labels joined by dots. A secret is named by an environment variable with the
project's prefix, never written in the inventory.

>>> machine_name("Sainte-Marie-aux-Mines")
'sainte-marie-aux-mines'
>>> machine_name("Ølstykke Strand")
'olstykke-strand'
>>> machine_name("Ærøskøbing")
'aeroskobing'
>>> clip("x" * 100, 10)
'xxxxxxxxxx... (100 characters)'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

#: Longest name: one DNS label (RFC 1035), which hostnames, file names and namespaces all accept.
NAME_MAX = 63
_NAME = re.compile(r"^[a-z](?:[a-z0-9-]*[a-z0-9])?$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
#: Environment variables that hold secrets start with this prefix.
SECRET_PREFIX = "COMMUNET_"
_SECRET = re.compile(rf"^{SECRET_PREFIX}[A-Z0-9_]+$")
#: Characters no platform can carry inside a quoted or line-long text.
UNQUOTABLE = frozenset('"\\')
#: Bidirectional overrides and isolates: they make a config read differently from what it holds.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
#: Longest value a message quotes in full.
CLIP = 60


def clip(text: str, limit: int = CLIP) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def shown(text: str) -> str:
    """A value as a message quotes it: clipped, control characters escaped by repr."""
    return repr(clip(text))


#: Letters that do not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


def machine_name(text: str) -> str:
    """A name derived from a display name: accents dropped, lowercase, dashes between words."""
    plain = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")
    slug = slug.lstrip("0123456789-")
    return slug[:NAME_MAX].rstrip("-")


def _name(value: str) -> str:
    if len(value) > NAME_MAX:
        raise ValueError(
            f"{shown(value)} is too long: {len(value)} characters, a name has at most {NAME_MAX} (one DNS label)"
        )
    if not _NAME.match(value):
        suggestion = machine_name(value) if value.isprintable() else ""
        tail = f" (as a name: {suggestion!r})" if suggestion and suggestion != value else ""
        raise ValueError(f"{shown(value)} is not a valid name{tail}")
    return value


def bad_character(text: str) -> str | None:
    """The first character free text cannot hold, described; None when the text is fine."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI:
            return f"control character U+{ord(char):04X}"
        if char in UNQUOTABLE:
            return f"the character {char}"
    return None


def _text(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        bad = bad_character(value)
        if bad:
            raise ValueError(f"{shown(value)} holds {bad}, which no config can carry")
        if len(value) > limit:
            raise ValueError(f"{shown(value)} is too long: {len(value)} characters, at most {limit}")
        if value != value.strip():
            raise ValueError(f"{shown(value)} starts or ends with a space")
        return value

    check.__name__ = f"_text{limit}"
    return AfterValidator(check)


def _domain(value: str) -> str:
    labels = value.split(".")
    if len(value) > 253 or not all(len(label) <= 63 and _LABEL.match(label) for label in labels):
        raise ValueError(f"{shown(value)} is not a domain name (lowercase DNS labels joined by dots)")
    return value


def _secret(value: str) -> str:
    if not _SECRET.match(value):
        raise ValueError(
            f"{shown(value)} is not an environment variable name starting with {SECRET_PREFIX} "
            "(capitals, digits and underscores)"
        )
    return value


def _login(value: str) -> str:
    if not re.match(r"^[a-z_][a-z0-9_-]{0,31}$", value):
        raise ValueError(f"{shown(value)} is not a user name (lowercase letters, digits, - and _, at most 32)")
    return value


#: A name usable as hostname, file name, namespace and link name.
Name = Annotated[str, AfterValidator(_name)]
#: Free text shown in configs: a description, a display name, a circuit id.
Text = Annotated[str, _text(64)]
#: Longer free text (a location).
LongText = Annotated[str, _text(128)]
#: A DNS domain.
Domain = Annotated[str, AfterValidator(_domain)]
#: The environment variable that holds a secret.
SecretName = Annotated[str, AfterValidator(_secret)]
#: A login or SNMP user name.
Login = Annotated[str, AfterValidator(_login)]

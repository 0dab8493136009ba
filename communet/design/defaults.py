"""Settings a platform leaves out of its running config because they equal its built-in default.

FRR 8.4 prints neither ``auto-cost reference-bandwidth 100000`` nor a BFD profile's
``detect-multiplier 3`` or 300 ms intervals. A rendered file that states them never
matches ``show running-config``, so ``frr-reload.py --test`` would report them as
changes after every reload. The design names such settings (each platform's record lists
its own, ``communet.platforms``); templates leave them out.

>>> implicit("frr", {"reference_bandwidth_mbps": 100_000, "bfd_multiplier": 5})
('reference_bandwidth_mbps',)
>>> implicit("ios_xe", {"reference_bandwidth_mbps": 100_000})
()
"""

from __future__ import annotations

from collections.abc import Mapping

from communet.platforms import PLATFORMS


def implicit(platform: str, settings: Mapping[str, int]) -> tuple[str, ...]:
    """Names of ``settings`` whose value is the platform's own default, in the order given."""
    defaults = PLATFORMS[platform].implicit_defaults
    return tuple(name for name, value in settings.items() if name in defaults and defaults[name] == value)

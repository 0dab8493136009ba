"""communet: network infrastructure as code for a syndicate of towns.

Paths a user works on (``inventory/``, ``configs/``, ``docs/``, ``reports/``, ``.lab/``)
are found from the current working tree, never from where the package is installed:
``ROOT`` is ``$COMMUNET_ROOT`` if set, else the nearest directory at or above the
current one that holds an ``inventory/`` folder, else the current directory. Templates
are part of the package (``TEMPLATES``).
"""

import os
from pathlib import Path

__version__ = "0.1.0"

PACKAGE = Path(__file__).resolve().parent


def find_root(start: Path | None = None) -> Path:
    """The working tree to act on (see the module docstring)."""
    env = os.environ.get("COMMUNET_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    return next((d for d in (here, *here.parents) if (d / "inventory").is_dir()), here)


#: The working tree: inventory/, configs/, docs/, reports/ and .lab/ live here.
ROOT = find_root()
#: The templates: shipped inside the package; an editable install reads its checkout's templates/.
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"

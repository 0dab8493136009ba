"""communet: network infrastructure as code for a syndicate of towns."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root (the package lives one level below it).
ROOT = Path(__file__).resolve().parent.parent

"""``python -m simlib ...`` runs the command line, as the ``simlib`` script does (for a
machine where the venv's scripts are not on the PATH)."""

from __future__ import annotations

import sys

from simlib.cli import main

if __name__ == "__main__":
    sys.exit(main())

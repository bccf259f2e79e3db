"""`python -m beacon ...` is the `beacon` command (used by `beacon serve` to start its worker)."""

import sys

from beacon.cli import main

sys.exit(main(sys.argv))

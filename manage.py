#!/usr/bin/env python3
"""Django's command-line utility; `beacon` (beacon.cli) is the same with a shorter name."""

import sys

from beacon.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv))

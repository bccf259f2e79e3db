"""The `beacon` console script: Django's manage.py under the project's own name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
    from django.core.management import execute_from_command_line

    argv = list(argv if argv is not None else sys.argv)
    argv[0] = "beacon"
    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

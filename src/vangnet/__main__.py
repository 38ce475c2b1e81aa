"""`python -m vangnet` is the management entry point (migrate, runserver, and domain commands)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vangnet.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m vangnet", *sys.argv[1:]])


if __name__ == "__main__":
    main()

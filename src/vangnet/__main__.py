"""`python -m vangnet` is the management entry point (migrate, runserver, and domain commands)."""

import os
import sys


def main() -> None:
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        # Say so: an operator who forgot the variable must not think production settings apply.
        sys.stderr.write(
            "Instellingen: vangnet.settings.dev (de demo). Voor productie: "
            "DJANGO_SETTINGS_MODULE=vangnet.settings.production\n"
        )
        os.environ["DJANGO_SETTINGS_MODULE"] = "vangnet.settings.dev"
    from django.core.management import execute_from_command_line

    execute_from_command_line(["python -m vangnet", *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""`python -m vangnet transfers <subcommand>`: the regional transfer mechanism.

Subcommands:
  solve INSTANCE.json [--indent N]   optimal proposal for an instance file (format: see
                                     vangnet.engines.matching.instance), printed as JSON with the
                                     objective, the assignment and the checked optimality
                                     certificate, so anyone can verify a proposal outside the app.

Bad input (unreadable file, malformed JSON, a negative capacity, an unknown group or location)
gives one Dutch sentence on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.common.cli import quiet_broken_pipe
from vangnet.engines.matching import InstanceError, instance_from_json, solve_instance

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Transfers: optimaal voorstel voor een instantie (zie --help per subopdracht)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser("solve", help="optimaal voorstel met certificaat, als JSON")
        p.add_argument("instance", help="instantiebestand (JSON)")
        p.add_argument("--indent", type=int, default=1, help="inspringing van de JSON-uitvoer")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handler = getattr(self, "_" + subcommand.replace("-", "_"))
        handler(**options)

    def _solve(self, *, instance: str, indent: int, **_: Any) -> None:
        try:
            text = Path(instance).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                f"Kan {instance} niet lezen: {exc.strerror}", returncode=BAD_INPUT
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{instance} is geen tekstbestand in UTF-8.", returncode=BAD_INPUT
            ) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{instance} is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}).",
                returncode=BAD_INPUT,
            ) from None
        try:
            result = solve_instance(instance_from_json(data))
        except InstanceError as exc:
            raise CommandError(f"Ongeldige instantie: {exc}", returncode=BAD_INPUT) from None
        with quiet_broken_pipe(self.stdout):
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent))

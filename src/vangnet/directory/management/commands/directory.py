"""`python -m vangnet directory import FILE.csv`: register or update providers by AGB code."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.directory.services import OrganisationImportRejected, organisation_import


class Command(BaseCommand):
    help = "Sociale kaart: aanbieders registreren of bijwerken (import FILE.csv)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser(
            "import", help="CSV met kolommen agb,name,municipality_code,organisation_type"
        )
        p.add_argument("file")

    def handle(self, *args: Any, subcommand: str, file: str, **options: Any) -> None:
        try:
            with open(file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CommandError(f"Kan {file} niet lezen: {exc.strerror}") from None
        try:
            report = organisation_import(data=data)
        except OrganisationImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem.as_text())
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{len(report.created)} nieuw, {len(report.updated)} bijgewerkt, "
            f"{len(report.unchanged)} ongewijzigd."
        )
        for warning in report.warnings:
            self.stderr.write("Let op: " + warning.as_text())

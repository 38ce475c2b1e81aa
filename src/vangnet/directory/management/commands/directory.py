"""`python -m vangnet directory …`: providers by AGB code, and the sociale kaart's import/export.

    directory import FILE.csv                      # agb,name,municipality_code,organisation_type
    directory kaart-import FILE.csv|.xlsx --organisation AGB --as USERNAME
    directory kaart-export [--organisation AGB] [--format csv|xlsx] [--output FILE]

`kaart-import` acts as the named user, who must hold the role *sociale kaart beheren* for the
organisation (the same rule as on the web page); see `directory/kaart_io.py` for the format.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.accounts.models import User
from vangnet.accounts.selectors import actor_for
from vangnet.common.errors import DomainError
from vangnet.directory import kaart_io
from vangnet.directory.models import Organisation
from vangnet.directory.services import OrganisationImportRejected, organisation_import


def _read(file: str) -> bytes:
    try:
        with open(file, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise CommandError(f"Kan {file} niet lezen: {exc.strerror}") from None


def _organisation(agb: str) -> Organisation:
    org = Organisation.objects.filter(agb_code=agb).first()
    if org is None:
        raise CommandError(f"Geen organisatie met AGB-code {agb}.")
    return org


class Command(BaseCommand):
    help = "Sociale kaart: aanbieders (import) en locaties en aanbod (kaart-import, kaart-export)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser(
            "import", help="CSV met kolommen agb,name,municipality_code,organisation_type"
        )
        p.add_argument("file")
        k = sub.add_parser("kaart-import", help="locaties en aanbod van één organisatie")
        k.add_argument("file")
        k.add_argument("--organisation", required=True, help="AGB-code van de organisatie")
        k.add_argument(
            "--as", dest="username", required=True, help="gebruikersnaam (beheerder sociale kaart)"
        )
        e = sub.add_parser("kaart-export", help="locaties en aanbod als CSV of XLSX")
        e.add_argument("--organisation", help="AGB-code (standaard: alle organisaties)")
        e.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        e.add_argument("--output", help="bestand (standaard: standaarduitvoer, alleen csv)")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "import":
            self._providers(options["file"])
        elif subcommand == "kaart-import":
            self._kaart_import(options["file"], options["organisation"], options["username"])
        else:
            self._kaart_export(
                options.get("organisation"), options["format"], options.get("output")
            )

    def _providers(self, file: str) -> None:
        try:
            report = organisation_import(data=_read(file))
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

    def _kaart_import(self, file: str, agb: str, username: str) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Geen actieve gebruiker {username}.")
        try:
            report = kaart_io.kaart_import(
                actor=actor_for(user),
                organisation=_organisation(agb),
                data=_read(file),
                filename=file,
            )
        except kaart_io.KaartImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem.as_text())
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"{report.lines} regels: {report.locations_created} locaties nieuw, "
            f"{report.locations_updated} bijgewerkt; {report.offers_created} aanbod nieuw, "
            f"{report.offers_updated} bijgewerkt."
        )

    def _kaart_export(self, agb: str | None, fmt: str, output: str | None) -> None:
        rows = kaart_io.export_rows(_organisation(agb) if agb else None)
        if fmt == "xlsx":
            if not output:
                raise CommandError("Geef met --output een bestandsnaam voor XLSX.")
            with open(output, "wb") as fh:
                fh.write(kaart_io.write_xlsx(rows))
            return
        text = kaart_io.write_csv(rows)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        else:
            self.stdout.write(text, ending="")

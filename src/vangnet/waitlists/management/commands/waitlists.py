"""`python -m vangnet waitlists <subcommand>`: pseudonymise, import, count and report waiting lists.

Subcommands:
  keygen OUT [--key-version V]               create a region's pseudonymisation key file
  pseudonymise --key-file KEY IN.csv OUT.csv  replace the bsn column by person_pseudonym (at the provider);
                                              invalid BSNs are left out and reported (exit 1), or
                                              with --strict nothing is written
  import FILE [--period YYYY-MM]              import a waiting-list file (CSV or Parquet)
  import-published FILE                       import published waiting times (NZa/MediQuest format)
  published-summary [--regions KIND]          aggregate the latest published waiting times
  counts --regions KIND --from M --to M       unique waiting counts per month × region × group
  flows --regions KIND --from M --to M        intakes and treatment starts with realised waits
  breaches --from M --to M                    provider × group months over the Treeknorm
  hotspots --from M --to M [--min-months 3]   breaches lasting three months or more
  largest --regions KIND --from M --to M      provider with the largest breaches per region
  refresh                                     recompute the stored figures of every month (after
                                              a change of the table division, or an upgrade)
  warm                                        compile the counting engine into its cache (before
                                              the first request after an install; `make serve`)

Tables go to standard output; piped into a reader that stops early (`| head`) they end quietly,
with status 1.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.common.cli import quiet_broken_pipe
from vangnet.engines.waitcount.warm import warm as warm_engine
from vangnet.waitlists import aggregates, counting, published, selectors, services
from vangnet.waitlists.importers import FileProblem, parse_period
from vangnet.waitlists.models import Channel, RegionKind
from vangnet.waitlists.pseudonymise import (
    KeyFileError,
    load_key,
    pseudonymise_file,
    write_new_key,
)

KINDS = [k.value for k in RegionKind]


class Command(BaseCommand):
    help = "Wachtlijsten: pseudonimiseren, importeren en tellen (zie --help per subopdracht)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)

        p = sub.add_parser("keygen", help="maak een sleutelbestand voor de regio")
        p.add_argument("out")
        p.add_argument("--key-version", default="v1")

        p = sub.add_parser("pseudonymise", help="vervang de kolom bsn door person_pseudonym")
        p.add_argument("--key-file", required=True)
        p.add_argument(
            "--strict",
            action="store_true",
            help="schrijf niets als een BSN ongeldig is (standaard: die regels weglaten)",
        )
        p.add_argument("input")
        p.add_argument("output")

        p = sub.add_parser("import", help="importeer een wachtlijstbestand (CSV of Parquet)")
        p.add_argument("file")
        p.add_argument(
            "--period", help="rapportagemaand JJJJ-MM (standaard: maand van de laatste datum)"
        )

        p = sub.add_parser("import-published", help="importeer gepubliceerde wachttijden (NZa)")
        p.add_argument("file")

        p = sub.add_parser("published-summary", help="samenvatting gepubliceerde wachttijden")
        p.add_argument("--regions", choices=[*KINDS, "national"], default="national")
        p.add_argument("--format", choices=["csv", "json"], default="csv")

        for name in ("counts", "flows", "largest"):
            p = sub.add_parser(name)
            p.add_argument("--regions", choices=KINDS, required=True)
            p.add_argument("--region", help="alleen deze regiocode")
            p.add_argument("--from", dest="start", required=True)
            p.add_argument("--to", dest="end", required=True)
            p.add_argument("--format", choices=["csv", "json"], default="csv")
        sub.add_parser("refresh", help="bereken de opgeslagen cijfers van alle maanden opnieuw")
        sub.add_parser("warm", help="vertaal de telmotor vooraf (numba-cache)")
        for name in ("breaches", "hotspots"):
            p = sub.add_parser(name)
            p.add_argument("--from", dest="start", required=True)
            p.add_argument("--to", dest="end", required=True)
            p.add_argument("--format", choices=["csv", "json"], default="csv")
            if name == "hotspots":
                p.add_argument("--min-months", type=int, default=3)

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handler = getattr(self, "_" + subcommand.replace("-", "_"))
        handler(**options)

    # -- writing helpers ---------------------------------------------------------------------

    def _emit(self, rows: list[Any], columns: list[str], fmt: str) -> None:
        with quiet_broken_pipe(self.stdout):
            self._write(rows, columns, fmt)

    def _write(self, rows: list[Any], columns: list[str], fmt: str) -> None:
        if fmt == "json":
            self.stdout.write(
                json.dumps(
                    [{c: getattr(r, c) for c in columns} for r in rows],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in columns])

    def _months(self, start: str, end: str) -> list[counting.Month]:
        try:
            return counting.months_between(counting.parse_month(start), counting.parse_month(end))
        except ValueError as exc:
            raise CommandError(str(exc)) from None

    # -- subcommands -------------------------------------------------------------------------

    def _keygen(self, *, out: str, key_version: str, **_: Any) -> None:
        try:
            write_new_key(out, key_version)
        except FileExistsError:
            raise CommandError(f"{out} bestaat al; een sleutel wordt nooit overschreven.") from None
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Sleutel (versie {key_version}) geschreven naar {out}. Houd hem geheim.")

    def _pseudonymise(
        self, *, key_file: str, input: str, output: str, strict: bool, **_: Any
    ) -> None:
        """Rows with an invalid BSN are left out and reported by line number (never the value);
        the command then exits with status 1. With --strict nothing is written."""
        try:
            key = load_key(key_file)
            report = pseudonymise_file(input, output, key, strict=strict)
        except (KeyFileError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for line in report.invalid_lines:
            self.stderr.write(f"regel {line}: ongeldig BSN (voldoet niet aan de 11-proef)")
        invalid = len(report.invalid_lines)
        if invalid and strict:
            raise CommandError(
                f"{invalid} regel(s) met een ongeldig BSN; er is niets geschreven (--strict). "
                "Herstel ze, of laat --strict weg om ze over te slaan."
            )
        self.stdout.write(
            f"{report.written} van {report.rows} regels gepseudonimiseerd (sleutelversie "
            f"{key.version}) naar {output}."
        )
        if invalid:
            raise CommandError(
                f"{invalid} regel(s) met een ongeldig BSN zijn niet gepseudonimiseerd en "
                f"ontbreken in {output}. Herstel ze en pseudonimiseer opnieuw."
            )

    def _import(self, *, file: str, period: str | None, **_: Any) -> None:
        try:
            data = Path(file).read_bytes()
            report = services.submission_import(
                data=data,
                name=file.rsplit("/", 1)[-1],
                actor=services.command_line_actor(),
                channel=Channel.CLI,
                period=parse_period(period) if period else None,
            )
        except OSError as exc:
            raise CommandError(f"Kan {file} niet lezen: {exc.strerror}") from None
        except FileProblem as exc:
            raise CommandError(str(exc)) from None
        except services.ImportRejected as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(exc.message) from None
        how = " (afgeleid uit de laatste datum in het bestand)" if report.period_inferred else ""
        self.stdout.write(f"Periode {report.period:%Y-%m}{how}; {report.rows} regels gelezen.")
        if len(report.key_versions) > 1:
            self.stderr.write(
                "Let op: het bestand bevat pseudoniemen van meer dan één sleutelversie ("
                + ", ".join(report.key_versions)
                + "); dezelfde persoon kan dan dubbel worden geteld."
            )
        for s in report.submissions:
            skipped = (
                f", {s.skipped_outside_period} al vóór de periode beëindigd (niet opgeslagen)"
                if s.skipped_outside_period
                else ""
            )
            self.stdout.write(
                f"  {s.provider_agb} {s.provider}: {s.status}, {s.rows} regels{skipped}"
            )

    def _import_published(self, *, file: str, **_: Any) -> None:
        try:
            data = Path(file).read_bytes()
            result = services.published_import(
                data=data, name=file.rsplit("/", 1)[-1], actor=services.command_line_actor()
            )
        except OSError as exc:
            raise CommandError(f"Kan {file} niet lezen: {exc.strerror}") from None
        except services.ImportRejected as exc:
            raise CommandError(exc.message) from None
        source = result.source
        if not result.created:
            self.stdout.write(
                f"Dit bestand is al geïmporteerd op {source.created_at:%Y-%m-%d}; niets gewijzigd."
            )
        self.stdout.write(published_report_text(source.report))

    def _published_summary(self, *, regions: str, format: str, **_: Any) -> None:
        rows = selectors.published_summary(None, kind=None if regions == "national" else regions)
        self._emit(rows, [f.name for f in dataclasses.fields(published.SummaryRow)], format)

    def _counts(
        self, *, regions: str, region: str | None, start: str, end: str, format: str, **_: Any
    ) -> None:
        rows = aggregates.count_rows(regions, self._months(start, end), region=region)
        self._emit(rows, list(counting.COUNT_COLUMNS), format)

    def _flows(
        self, *, regions: str, region: str | None, start: str, end: str, format: str, **_: Any
    ) -> None:
        rows = aggregates.flow_rows(regions, self._months(start, end), region=region)
        self._emit(rows, [f.name for f in dataclasses.fields(counting.FlowRow)], format)

    def _largest(
        self, *, regions: str, region: str | None, start: str, end: str, format: str, **_: Any
    ) -> None:
        rows = selectors.with_providers(
            aggregates.largest_breach_rows(regions, self._months(start, end), region=region)
        )
        self._emit(
            rows,
            [
                "month",
                "region",
                "provider_agb",
                "provider_name",
                "over_norm",
                "over_norm_intake",
                "over_norm_treatment",
                "registrations_waiting",
            ],
            format,
        )

    def _breaches(self, *, start: str, end: str, format: str, **_: Any) -> None:
        rows = aggregates.provider_wait_rows(self._months(start, end), breaches_only=True)
        self._emit(
            selectors.with_providers(rows),
            [
                "month",
                "provider_agb",
                "provider_name",
                "diagnosis_group",
                "waiting_intake",
                "waiting_treatment",
                "median_wait_intake",
                "median_wait_treatment",
                "breach_intake",
                "breach_treatment",
            ],
            format,
        )

    def _refresh(self, **_: Any) -> None:
        periods = aggregates.refresh_all()
        self.stdout.write(f"Cijfers opnieuw berekend voor {len(periods)} maanden.")

    def _warm(self, **_: Any) -> None:
        seconds = warm_engine()
        self.stdout.write(f"Telmotor klaar ({seconds:.1f} s).")

    def _hotspots(self, *, start: str, end: str, format: str, min_months: int, **_: Any) -> None:
        if min_months < 1:
            raise CommandError("--min-months moet minstens 1 zijn.")
        rows = aggregates.hotspot_rows(self._months(start, end), min_months=min_months)
        self._emit(
            selectors.with_providers(rows),
            ["provider_agb", "provider_name", "diagnosis_group", "norm", "start", "end", "months"],
            format,
        )


def published_report_text(report: dict[str, Any]) -> str:
    lines = [
        f"Tekenset: {report.get('encoding', '?')}",
        f"Rijen: {report['rows_total']}, bruikbaar: {report['rows_used']}, onbruikbaar: {report['rows_unusable']}",
    ]
    if report.get("unusable_by_reason"):
        lines.append("Onbruikbare rijen naar reden:")
        lines += [f"  {n:5d}  {reason}" for reason, n in report["unusable_by_reason"].items()]
    for column, problems in report.get("field_problems", {}).items():
        if problems:
            lines.append(f"Geen bruikbare {column} (ook in gebruikte rijen):")
            lines += [f"  {n:5d}  {reason}" for reason, n in problems.items()]
    if report.get("notes"):
        lines.append("Kenmerken van de gebruikte rijen:")
        lines += [f"  {n:5d}  {note}" for note, n in report["notes"].items()]
    return "\n".join(lines)

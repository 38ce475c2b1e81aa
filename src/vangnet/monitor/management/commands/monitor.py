"""`python -m vangnet monitor import|export|report|render-pdfs`: the monitor from the command line.

    monitor import FILE.csv
    monitor export --format csv|xlsx [--output FILE]
    monitor report --from 2020 --to 2021 --format json [--table N]
    monitor render-pdfs [--table N ...]

`render-pdfs` renders the report PDFs users open most (`pdfs.standard_choices`: national public
and internal and each table, for all years and the latest year) that are not yet stored for the
current records, so the PDF link serves them at once (`--table` limits the tables' reports).
Idempotent: run it after an import (`monitor import FILE && monitor render-pdfs`) and from cron,
say every ten minutes, to cover the questionnaires saved in between; a run without changes
renders nothing. A choice not rendered ahead is rendered by the PDF page's progress poll.

Import is all or nothing and idempotent (keyed on case_ref); on any bad line it lists every
problem and exits with status 1. The report prints exact counts (the internal report). Output
piped into a reader that stops early (`| head`) ends quietly, with status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.common.cli import quiet_broken_pipe
from vangnet.monitor import csvio, pdfs, reporting, selectors, services


class Command(BaseCommand):
    help = "De monitor: importeren, exporteren en rapporteren."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="Importeer historische monitorregistraties (CSV).")
        imp.add_argument("file", help="CSV-bestand in de kolommen van de monitor")
        exp = sub.add_parser("export", help="Exporteer de geanonimiseerde registraties.")
        exp.add_argument("--format", dest="file_format", choices=["csv", "xlsx"], default="csv")
        exp.add_argument("--output", help="bestand (standaard: standaarduitvoer)")
        rep = sub.add_parser("report", help="Het rapport over een reeks jaren (exacte aantallen).")
        rep.add_argument("--from", dest="year_from", type=int, required=True)
        rep.add_argument("--to", dest="year_to", type=int, required=True)
        rep.add_argument("--format", dest="file_format", choices=["json"], default="json")
        rep.add_argument("--table", type=int, choices=range(1, 9), metavar="N")
        pdf = sub.add_parser(
            "render-pdfs",
            help="Maak de standaardrapporten als PDF voor de huidige registraties (idempotent).",
        )
        pdf.add_argument(
            "--table",
            dest="tables",
            type=int,
            action="append",
            choices=range(1, 9),
            metavar="N",
            help="alleen het rapport van deze tafel (herhaalbaar; standaard: elke tafel)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "import":
            self._import(Path(options["file"]))
        elif command == "render-pdfs":
            self._render_pdfs(options.get("tables"))
        elif command == "export":
            self._export(options["file_format"], options.get("output"))
        else:
            self._report(options["year_from"], options["year_to"], options.get("table"))

    def _import(self, path: Path) -> None:
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Kan {path} niet lezen: {exc.strerror}") from exc
        try:
            result = services.monitor_import(content=content)
        except services.ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Geïmporteerd: {result.created} nieuw, {result.updated} gewijzigd, "
            f"{result.unchanged} ongewijzigd."
        )

    def _render_pdfs(self, tables: list[int] | None) -> None:
        rendered, kept = pdfs.render_standard(tables=tables)
        self.stdout.write(f"Rapporten als PDF: {rendered} gemaakt, {kept} waren al actueel.")

    def _export(self, file_format: str, output: str | None) -> None:
        rows = services.export_rows(file_format=file_format)
        if file_format == "csv":
            text = csvio.write_csv(rows)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                with quiet_broken_pipe(self.stdout):
                    self.stdout.write(text, ending="")
            return
        data = csvio.write_xlsx(rows)
        if output:
            Path(output).write_bytes(data)
        else:
            with quiet_broken_pipe(sys.stdout.buffer):
                sys.stdout.buffer.write(data)

    def _report(self, year_from: int, year_to: int, table: int | None) -> None:
        if year_from > year_to:
            raise CommandError("--from ligt na --to.")
        rows = selectors.report_rows(year_from=year_from, year_to=year_to, table=table)
        report = reporting.json_report(rows, year_from=year_from, year_to=year_to, table=table)
        with quiet_broken_pipe(self.stdout):
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))

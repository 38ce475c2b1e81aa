"""`python -m vangnet reminders`: reminders and the daily digest (run daily; safe to run twice)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.casework import reminders


class Command(BaseCommand):
    help = "Stuur herinneringen (check-ins, acties, termijnen, besluiten) en het dagoverzicht."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--today", help="Peildatum JJJJ-MM-DD (standaard: vandaag)")

    def handle(self, *args: Any, today: str | None = None, **options: Any) -> None:
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today moet een datum zijn als JJJJ-MM-DD.") from exc
        report = reminders.run(today=day)
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(report.kinds.items())) or "geen"
        self.stdout.write(
            f"{report.created} nieuwe herinnering(en) ({kinds}); {report.suspensions_ended} opschorting(en) beëindigd; "
            f"{report.digests} dagoverzicht(en); {report.emails_flushed} achtergebleven e-mail(s) verstuurd."
        )

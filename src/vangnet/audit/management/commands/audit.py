"""`python -m vangnet audit seal|verify`: the access log's hash chain from the command line.

    audit seal [--follow] [--interval SECONDS]
    audit verify [--expect POSITION:HASH]

`seal` appends every unsealed row to the chain; with --follow it keeps doing so every interval
(run it as a service beside the web server: that is what bounds the unsealed time). `verify`
walks the whole chain, prints the head to keep outside the database, and exits 1 with the first
broken link.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections

from vangnet.audit.sealing import (
    WINDOW_PASS_SECONDS,
    access_log_seal,
    access_log_sweep,
    access_log_verify,
)

EXPECT = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = "Het toegangslog: verzegelen in een hashketen en de keten controleren."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        seal = sub.add_parser("seal", help="Verzegel alle nog niet verzegelde logregels.")
        seal.add_argument("--follow", action="store_true", help="blijf verzegelen")
        seal.add_argument("--interval", type=float, default=1.0, help="seconden (standaard 1)")
        verify = sub.add_parser("verify", help="Controleer de hele keten.")
        verify.add_argument(
            "--expect", help="POSITIE:HASH, een eerder vastgelegde kop die in de keten moet staan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "seal":
            self._seal(follow=options["follow"], interval=options["interval"])
        else:
            self._verify(options.get("expect"))

    def _seal(self, *, follow: bool, interval: float) -> None:
        if interval <= 0:
            raise CommandError("--interval moet groter zijn dan 0.")
        last_window = time.monotonic()
        sealed = access_log_seal()  # the first turn searches the whole log
        swept = 0  # the sweep's place: the next slice of old ids starts above it
        while True:
            if not follow:
                self.stdout.write(f"{sealed} logregels verzegeld.")
                return
            close_old_connections()
            time.sleep(interval)
            # Every turn seals the rows above the highest sealed id (an index range) and one
            # slice of the older ids (the sweep goes round the whole log once per
            # SWEEP_CYCLE_SECONDS); every WINDOW_PASS_SECONDS it searches the recent window:
            # rows that long transactions committed with older ids.
            now = time.monotonic()
            window = now - last_window >= WINDOW_PASS_SECONDS
            if window:
                last_window = now
            try:
                sealed = access_log_seal(recent_only=True) if window else access_log_seal(own=[])
                sealed_old, swept = access_log_sweep(swept, interval=interval)
                sealed += sealed_old
            except (OperationalError, InterfaceError) as exc:
                # A database restart must not end the sealer that bounds the unsealed time.
                self.stderr.write(f"verzegelen mislukt, opnieuw over {interval} s: {exc}")
                close_old_connections()

    def _verify(self, expect_text: str | None) -> None:
        expect = None
        if expect_text:
            match = EXPECT.match(expect_text.strip())
            if not match:
                raise CommandError("--expect verwacht POSITIE:HASH (64 hexadecimale tekens).")
            expect = (int(match.group(1)), match.group(2))
        result = access_log_verify(expect=expect)
        self.stdout.write(
            f"{result.sealed} logregels verzegeld, {result.unsealed} nog niet verzegeld; "
            f"grootste tijd tot verzegelen {result.largest_delay_seconds:.1f} s."
        )
        self.stdout.write(f"kop: {result.head_position}:{result.head_hash}")
        if not result.ok:
            raise CommandError(f"Keten verbroken: {result.problems[0]}", returncode=1)
        self.stdout.write("Keten intact.")

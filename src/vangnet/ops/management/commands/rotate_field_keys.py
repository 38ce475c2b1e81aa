"""`python -m vangnet rotate_field_keys`: re-encrypt every encrypted field with the newest key.

Put the new key first in VANGNET_FIELD_KEYS (keep the old one after it), run this, then drop the
old key (docs/security.md). Safe to run twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from vangnet.cases.models import Case


class Command(BaseCommand):
    help = "Versleutel elk versleuteld veld opnieuw met de nieuwste sleutel (VANGNET_FIELD_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        done = 0
        with transaction.atomic():
            # Reading decrypts with any configured key; writing encrypts with the first.
            for pk, bsn in Case.objects.exclude(patient_key_bsn="").values_list(
                "pk", "patient_bsn"
            ):
                Case.objects.filter(pk=pk).update(patient_bsn=bsn)
                done += 1
        if options["verbosity"]:
            self.stdout.write(f"{done} BSN('s) opnieuw versleuteld met de nieuwste sleutel.")

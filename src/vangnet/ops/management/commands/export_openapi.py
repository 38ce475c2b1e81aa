"""Write the OpenAPI document, or with --check fail when the committed one has drifted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vangnet.api.api import api


class Command(BaseCommand):
    help = "Schrijf docs/openapi.json (of controleer met --check dat het actueel is)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, path: str, check: bool, **options: Any) -> None:
        schema = api.get_openapi_schema(path_prefix="/api/v1")
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        target = Path(path)
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                raise CommandError(
                    f"{path} is niet actueel: voer `make openapi` uit en commit het resultaat."
                )
            self.stdout.write("OpenAPI document is up to date.")
            return
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")

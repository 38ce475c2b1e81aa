"""Load the 14 hoofddiagnosegroepen of NZa waiting-time reporting (regions/data, see SOURCES.md)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[2] / "regions" / "data" / "hoofddiagnosegroepen.csv"


def load(apps, schema_editor):
    DiagnosisGroup = apps.get_model("waitlists", "DiagnosisGroup")
    with DATA.open(encoding="utf-8", newline="") as fh:
        for position, row in enumerate(csv.DictReader(fh)):
            DiagnosisGroup.objects.update_or_create(
                code=row["code"], defaults={"name": row["naam"], "position": position}
            )


class Migration(migrations.Migration):
    dependencies = [("waitlists", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

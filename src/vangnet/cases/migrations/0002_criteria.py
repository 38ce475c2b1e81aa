"""Load the seven inclusion criteria (seed 004 §5a)."""

from django.db import migrations


def load(apps, schema_editor):
    from vangnet.cases.reference import CRITERIA

    Criterion = apps.get_model("cases", "Criterion")
    for number, text in CRITERIA:
        Criterion.objects.update_or_create(number=number, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

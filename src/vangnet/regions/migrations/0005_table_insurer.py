"""The insurer involved in each table on behalf of all insurers (seed 004 §5c). The 2020 plan had
seven tables; the eight of seed 001 map onto its rows by region (Noord-Nederland was part of
row 4, Zilveren Kruis). Administrators change it in the admin."""

import django.db.models.deletion
from django.db import migrations, models


BY_TABLE = {
    1: "VGZ",
    2: "VGZ",
    3: "Zilveren Kruis",
    4: "Zilveren Kruis",
    5: "Menzis",
    6: "CZ",
    7: "CZ",
    8: "Zilveren Kruis",
}


def assign(apps, schema_editor):
    Table = apps.get_model("regions", "Table")
    Organisation = apps.get_model("directory", "Organisation")
    for number, name in BY_TABLE.items():
        insurer = (
            Organisation.objects.filter(organisation_type="insurer", name__iexact=name)
            .order_by("pk")
            .first()
        )
        if insurer is not None:
            Table.objects.filter(number=number, insurer__isnull=True).update(insurer=insurer)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0007_seed_insurers'),
        ('regions', '0004_dutch_admin_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='table',
            name='insurer',
            field=models.ForeignKey(blank=True, limit_choices_to={'organisation_type': 'insurer'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='zorgverzekeraar namens allen'),
        ),
        migrations.RunPython(assign, migrations.RunPython.noop),
    ]

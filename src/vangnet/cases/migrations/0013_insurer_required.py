"""The free-text insurer is gone (its text now lives in the insurer organisation, 0012); every
case has an insurer organisation."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_insurer_from_text")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="patient_insurer",
            field=models.CharField(max_length=100, blank=True, default=""),
        ),
        migrations.RemoveField(model_name="case", name="patient_insurer"),
        migrations.AlterField(
            model_name="case",
            name="insurer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="insured_cases",
                to="directory.organisation",
                verbose_name="zorgverzekeraar",
            ),
        ),
    ]

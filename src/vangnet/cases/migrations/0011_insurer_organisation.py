"""A case's insurer becomes an organisation (issue 16 §1): the new column, filled by 0012 from the
free text, which 0013 removes. Also what was tried before the table (PriorAttempt), attached at
registration and read on triage."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_dutch_admin_labels"),
        ("directory", "0007_seed_insurers"),
    ]

    operations = [

        migrations.AddField(
            model_name="case",
            name="insurer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="insured_cases",
                to="directory.organisation",
                verbose_name="zorgverzekeraar",
            ),
        ),
        migrations.CreateModel(
            name="PriorAttempt",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tried_on", models.DateField()),
                ("what", models.TextField()),
                ("result", models.TextField()),
                ("by_organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="directory.organisation")),
                ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="prior_attempts", to="cases.case")),
                ("provider", models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="directory.organisation")),
            ],
            options={"ordering": ["tried_on", "id"]},
        ),
    ]

"""The seven criteria move to the reference data in `regions` (ADR 0007): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_move_meetings_plans_followup'),
        ('regions', '0003_criterion'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is (db_table keeps the old name): only Django's model
            # state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.AlterField(
                    model_name='criterionassessment',
                    name='criterion',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='regions.criterion'),
                ),
                migrations.AlterField(
                    model_name='case',
                    name='referrer_criteria',
                    field=models.ManyToManyField(blank=True, related_name='+', to='regions.criterion'),
                ),
                migrations.DeleteModel(
                    name='Criterion',
                ),
            ],
            database_operations=[],
        ),
    ]

"""The follow-up models' relations, moved from `cases` (ADR 0007): state only."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ['followupphase', 'checkin', 'goalprogress', 'termsuspension', 'escalationstep']


def move_content_types(apps, schema_editor):
    """Existing databases keep their permissions: the content types follow the models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label="followup", model=model).exists():
            continue
        content_type.objects.filter(app_label="cases", model=model).update(app_label="followup")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0007_move_meetings_plans_followup'),
        ('followup', '0001_initial'),
        ('plans', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps the old name): only Django's
            # model state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.AddField(
                    model_name='goalprogress',
                    name='goal',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='plans.plangoal'),
                ),
                migrations.AddField(
                    model_name='termsuspension',
                    name='case',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='suspensions', to='cases.case'),
                ),
                migrations.AddField(
                    model_name='termsuspension',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddConstraint(
                    model_name='followupphase',
                    constraint=models.UniqueConstraint(fields=('case', 'number'), name='unique_phase_number'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

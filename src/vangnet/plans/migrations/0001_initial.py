"""The plan models, moved from `cases` (ADR 0007): state only, the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ['plan', 'plangoal', 'planrevision', 'financingdecision']


def move_content_types(apps, schema_editor):
    """Existing databases keep their permissions: the content types follow the models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label="plans", model=model).exists():
            continue
        content_type.objects.filter(app_label="cases", model=model).update(app_label="plans")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0007_move_meetings_plans_followup'),
        ('directory', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps the old name): only Django's
            # model state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.CreateModel(
                    name='FinancingDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('decision', models.CharField(choices=[('requested', 'Aangevraagd'), ('approved', 'Goedgekeurd'), ('declined', 'Afgewezen')], default='requested', max_length=20)),
                        ('criteria_checks', models.JSONField(blank=True, default=dict)),
                        ('reason', models.TextField(blank=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('adviser', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='financing_decisions', to='cases.case')),
                        ('insurer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cases_financingdecision',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Plan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('regiebehandelaar', models.CharField(blank=True, max_length=200)),
                        ('procesregie', models.CharField(blank=True, max_length=200)),
                        ('handover_from', models.CharField(blank=True, max_length=200)),
                        ('handover_to', models.CharField(blank=True, max_length=200)),
                        ('handover_on', models.DateField(blank=True, null=True)),
                        ('takeover_goals', models.TextField(blank=True)),
                        ('takeover_return_condition', models.TextField(blank=True)),
                        ('if_placement_fails', models.TextField(blank=True)),
                        ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='plan', to='cases.case')),
                        ('case_director', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('regiebehandelaar_organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation')),
                    ],
                    options={
                        'db_table': 'cases_plan',
                    },
                ),
                migrations.CreateModel(
                    name='PlanGoal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('domain', models.CharField(choices=[('treatment', 'Behandeling'), ('housing', 'Wonen'), ('finances', 'Financiën'), ('daytime', 'Dagbesteding of werk'), ('social', 'Sociaal netwerk'), ('safety', 'Veiligheid')], max_length=20)),
                        ('description', models.TextField()),
                        ('contact', models.CharField(blank=True, max_length=200)),
                        ('financing', models.CharField(choices=[('zvw', 'Zvw'), ('wmo', 'Wmo'), ('wlz', 'Wlz'), ('fz', 'Forensische zorg'), ('jeugdwet', 'Jeugdwet'), ('maatwerk', 'Maatwerkarrangement')], max_length=20)),
                        ('status', models.CharField(choices=[('proposed', 'Voorgesteld'), ('accepted', 'Geaccepteerd'), ('declined', 'Geweigerd – terug naar coördinator'), ('in_progress', 'Loopt'), ('achieved', 'Bereikt'), ('stopped', 'Gestopt')], default='proposed', max_length=20)),
                        ('response_note', models.TextField(blank=True)),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='plans.plan')),
                        ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'cases_plangoal',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='PlanRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField()),
                        ('changed_at', models.DateTimeField()),
                        ('summary', models.CharField(max_length=300)),
                        ('changes', models.JSONField(default=list)),
                        ('changed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='plans.plan')),
                    ],
                    options={
                        'db_table': 'cases_planrevision',
                        'ordering': ['-version', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

"""The meeting models, moved from `cases` (ADR 0007): state only, the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ['meeting', 'agendaitem', 'participant', 'task']


def move_content_types(apps, schema_editor):
    """Existing databases keep their permissions: the content types follow the models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label="meetings", model=model).exists():
            continue
        content_type.objects.filter(app_label="cases", model=model).update(app_label="meetings")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('cases', '0007_move_meetings_plans_followup'),
        ('directory', '0001_initial'),
        ('regions', '0002_reference_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps the old name): only Django's
            # model state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.CreateModel(
                    name='Meeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('kind', models.CharField(choices=[('scheduled', 'Geplande tafelbespreking'), ('ad_hoc', 'Ad-hocbespreking voor één casus')], max_length=20)),
                        ('starts_at', models.DateTimeField()),
                        ('ends_at', models.DateTimeField()),
                        ('location', models.CharField(blank=True, max_length=200)),
                        ('video_link', models.URLField(blank=True)),
                        ('chair_type', models.CharField(choices=[('independent', 'Onafhankelijk voorzitter'), ('fixed', 'Vaste voorzitter'), ('rotating', 'Roulerend voorzitterschap')], max_length=20)),
                        ('chair_name', models.CharField(blank=True, max_length=200)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('table', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='regions.table')),
                    ],
                    options={
                        'db_table': 'cases_meeting',
                        'ordering': ['starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='AgendaItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('shared_at', models.DateTimeField(blank=True, null=True)),
                        ('discussed', models.TextField(blank=True)),
                        ('decisions', models.TextField(blank=True)),
                        ('minutes_at', models.DateTimeField(blank=True, null=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agenda_items', to='cases.case')),
                        ('minutes_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='meetings.meeting')),
                    ],
                    options={
                        'db_table': 'cases_agendaitem',
                        'ordering': ['position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Participant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('organisation', 'Organisatie'), ('patient', 'Patiënt'), ('relative', 'Naaste'), ('expert_by_experience', 'Ervaringsdeskundige')], default='organisation', max_length=30)),
                        ('person_name', models.CharField(max_length=200)),
                        ('has_mandate', models.BooleanField(default=False)),
                        ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='meetings.agendaitem')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation')),
                    ],
                    options={
                        'db_table': 'cases_participant',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Task',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('description', models.TextField()),
                        ('due_on', models.DateField()),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('agenda_item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tasks', to='meetings.agendaitem')),
                        ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='cases.case')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation')),
                    ],
                    options={
                        'db_table': 'cases_task',
                        'ordering': ['due_on', 'id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='agendaitem',
                    constraint=models.UniqueConstraint(fields=('meeting', 'case'), name='case_once_per_meeting'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

"""The follow-up models, moved from `cases` (ADR 0007): state only, the tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0007_move_meetings_plans_followup'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps the old name): only Django's
            # model state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.CreateModel(
                    name='TermSuspension',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField()),
                        ('planned_end', models.DateField(blank=True, null=True)),
                        ('ended_on', models.DateField(blank=True, null=True)),
                        ('reason', models.TextField()),
                    ],
                    options={
                        'db_table': 'cases_termsuspension',
                        'ordering': ['starts_on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='EscalationStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_level', models.PositiveSmallIntegerField(choices=[(0, 'Geen escalatie'), (1, '1 – Informatiepositie op orde'), (2, '2 – Smeerolie (bemiddelen)'), (3, '3 – Contractmanagement zorgverzekeraar of gemeente betrekken'), (4, '4 – Escalatie naar de bestuurlijke overlegtafel')])),
                        ('to_level', models.PositiveSmallIntegerField(choices=[(0, 'Geen escalatie'), (1, '1 – Informatiepositie op orde'), (2, '2 – Smeerolie (bemiddelen)'), (3, '3 – Contractmanagement zorgverzekeraar of gemeente betrekken'), (4, '4 – Escalatie naar de bestuurlijke overlegtafel')])),
                        ('at', models.DateTimeField()),
                        ('reason', models.TextField()),
                        ('result', models.TextField(blank=True)),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='escalations', to='cases.case')),
                    ],
                    options={
                        'db_table': 'cases_escalationstep',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FollowUpPhase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField()),
                        ('starts_on', models.DateField()),
                        ('months', models.PositiveSmallIntegerField()),
                        ('ends_on', models.DateField()),
                        ('focus', models.TextField(blank=True)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='phases', to='cases.case')),
                    ],
                    options={
                        'db_table': 'cases_followupphase',
                        'ordering': ['number'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('due_on', models.DateField()),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('summary', models.TextField(blank=True)),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('phase', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='followup.followupphase')),
                    ],
                    options={
                        'db_table': 'cases_checkin',
                        'ordering': ['due_on'],
                    },
                ),
                migrations.CreateModel(
                    name='GoalProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('progress', models.CharField(choices=[('on_track', 'Op koers'), ('delayed', 'Vertraagd'), ('stalled', 'Stagneert'), ('achieved', 'Bereikt')], max_length=20)),
                        ('note', models.TextField(blank=True)),
                        ('checkin', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='followup.checkin')),
                    ],
                    options={
                        'db_table': 'cases_goalprogress',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

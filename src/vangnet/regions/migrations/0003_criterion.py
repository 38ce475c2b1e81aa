"""The seven criteria, moved from `cases` as reference data (ADR 0007): state only, the table
keeps its name."""

from django.db import migrations, models


MOVED = ['criterion']


def move_content_types(apps, schema_editor):
    """Existing databases keep their permissions: the content types follow the models."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if content_type.objects.filter(app_label="regions", model=model).exists():
            continue
        content_type.objects.filter(app_label="cases", model=model).update(app_label="regions")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('regions', '0002_reference_data'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table stays where it is (db_table keeps the old name): only Django's model
            # state moves, so no row is copied and nothing can be lost.
            state_operations=[
                migrations.CreateModel(
                    name='Criterion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(unique=True)),
                        ('text', models.CharField(max_length=300)),
                    ],
                    options={
                        'verbose_name': 'criterium',
                        'verbose_name_plural': 'criteria',
                        'db_table': 'cases_criterion',
                        'ordering': ['number'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

"""The Dutch health insurers as organisations, so a case's insurer is chosen, not typed.

The five insurers that signed the plan (seed 004, signatories and §5c table) plus the other
insurers that offer a basic health insurance. An existing insurer organisation with the same name
(case-insensitive) is kept; nothing is removed on reverse (cases may point at them).
"""

from django.db import migrations

INSURERS = [
    "CZ",
    "VGZ",
    "Zilveren Kruis",
    "Menzis",
    "ONVZ",
    "DSW",
    "Zorg en Zekerheid",
    "Eno",
    "a.s.r.",
]


def seed(apps, schema_editor):
    Organisation = apps.get_model("directory", "Organisation")
    for name in INSURERS:
        if not Organisation.objects.filter(organisation_type="insurer", name__iexact=name).exists():
            Organisation.objects.create(name=name, organisation_type="insurer")


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_dutch_admin_labels")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

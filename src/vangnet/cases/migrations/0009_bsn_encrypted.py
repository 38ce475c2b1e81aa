"""The BSN is stored encrypted (issue 10 §8): text column, existing values encrypted, then the
encrypting field. Reversible: the reverse decrypts."""

from django.db import migrations, models

import vangnet.common.fields


def encrypt_existing(apps, schema_editor):
    from vangnet.common import crypto

    Case = apps.get_model("cases", "Case")
    for pk, bsn in Case.objects.exclude(patient_bsn="").values_list("pk", "patient_bsn"):
        if bsn.isdigit():  # plain digits: not yet encrypted
            Case.objects.filter(pk=pk).update(patient_bsn=crypto.encrypt(bsn))


def decrypt_existing(apps, schema_editor):
    from vangnet.common import crypto

    Case = apps.get_model("cases", "Case")
    for pk, token in Case.objects.exclude(patient_bsn="").values_list("pk", "patient_bsn"):
        if not token.isdigit():
            Case.objects.filter(pk=pk).update(patient_bsn=crypto.decrypt(token))


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_criterion_to_regions")]

    operations = [
        migrations.AlterField(
            model_name="case", name="patient_bsn", field=models.TextField(blank=True)
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="case",
            name="patient_bsn",
            field=vangnet.common.fields.EncryptedTextField(blank=True),
        ),
    ]

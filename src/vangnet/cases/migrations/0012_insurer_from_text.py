"""A case's insurer becomes an organisation (issue 16 §1) instead of free text.

Each distinct text is mapped, case-insensitively and without surrounding spaces, to an insurer
organisation of that name; a name no insurer has yet becomes a new insurer organisation, so no
case loses what was typed. An empty text (the field was required, so only hand-edited rows) maps
to "Onbekende zorgverzekeraar". Reverse: the text is written back from the organisation's name.
"""

from django.db import migrations

UNKNOWN = "Onbekende zorgverzekeraar"


def text_to_organisation(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Organisation = apps.get_model("directory", "Organisation")
    found: dict[str, int] = {}
    # order_by(): without it the model's ordering joins the DISTINCT, which then yields one row
    # per case and updates every case of a text once per case (quadratic on a country's cases).
    for text in Case.objects.order_by().values_list("patient_insurer", flat=True).distinct():
        name = " ".join((text or "").split()) or UNKNOWN
        key = name.casefold()
        if key not in found:
            org = (
                Organisation.objects.filter(organisation_type="insurer", name__iexact=name)
                .order_by("pk")
                .first()
            )
            if org is None:
                org = Organisation.objects.create(name=name, organisation_type="insurer")
            found[key] = org.pk
        Case.objects.filter(patient_insurer=text).update(insurer_id=found[key])


def organisation_to_text(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.select_related("insurer").only("pk", "insurer__name"):
        Case.objects.filter(pk=case.pk).update(patient_insurer=case.insurer.name[:100])


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_insurer_organisation")]

    operations = [migrations.RunPython(text_to_organisation, organisation_to_text)]

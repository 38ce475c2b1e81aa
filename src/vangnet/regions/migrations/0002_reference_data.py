"""Load municipalities, provinces, safety regions, the eight tables and both table divisions."""

from django.db import migrations


def load(apps, schema_editor):
    from vangnet.regions import reference

    Province = apps.get_model("regions", "Province")
    SafetyRegion = apps.get_model("regions", "SafetyRegion")
    Municipality = apps.get_model("regions", "Municipality")
    Table = apps.get_model("regions", "Table")
    TableAssignment = apps.get_model("regions", "TableAssignment")

    tables = {}
    for number, name, description, institution in reference.TABLES:
        tables[number], _ = Table.objects.update_or_create(
            number=number,
            defaults={"name": name, "region_description": description, "coordinating_institution": institution},
        )
    for row in reference.municipalities():
        province, _ = Province.objects.get_or_create(code=row["province_code"], defaults={"name": row["province_name"]})
        vr, _ = SafetyRegion.objects.get_or_create(code=row["vr_code"], defaults={"name": row["vr_name"]})
        m, _ = Municipality.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "province": province, "safety_region": vr}
        )
        TableAssignment.objects.get_or_create(
            municipality=m,
            valid_from=reference.DIVISION_2020_FROM,
            defaults={
                "table": tables[reference.table_2020(row)],
                "valid_to": reference.DIVISION_CURRENT_FROM,
                "source": "Plan van aanpak hoogcomplexe ggz (maart 2020), §5c: zeven tafels per provincie",
            },
        )
        TableAssignment.objects.get_or_create(
            municipality=m,
            valid_from=reference.DIVISION_CURRENT_FROM,
            defaults={
                "table": tables[reference.current_table(row)],
                "source": "Standaardindeling acht tafels (SiRM-monitor 2022, bijlage 1); te corrigeren door beheer",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""One point per municipality from GeoNames places (rule in `directory/geo.py`), and on
PostgreSQL a full-text index on the offers' search text."""

from django.db import migrations


def load_points(apps, schema_editor):
    from vangnet.directory import geo

    Municipality = apps.get_model("regions", "Municipality")
    MunicipalityPoint = apps.get_model("directory", "MunicipalityPoint")
    places, woonplaatsen, seats = geo.default_sources()
    munis = [
        geo.MunicipalityInput(code, name, province)
        for code, name, province in Municipality.objects.values_list(
            "code", "name", "province__code"
        )
    ]
    points = geo.municipality_points(munis, places=places, woonplaatsen=woonplaatsen, seats=seats)
    ids = dict(Municipality.objects.values_list("code", "id"))
    MunicipalityPoint.objects.all().delete()
    MunicipalityPoint.objects.bulk_create(
        MunicipalityPoint(
            municipality_id=ids[code],
            latitude=p.latitude,
            longitude=p.longitude,
            rule=p.rule,
            place=p.place,
            geonameid=p.geonameid,
        )
        for code, p in points.items()
    )


# The expression must be the one Django's SearchVector("search_text", config="dutch") renders,
# so the planner can use the index.
FTS_INDEX = (
    "CREATE INDEX IF NOT EXISTS directory_offer_fts ON directory_offer USING GIN "
    "(to_tsvector('dutch'::regconfig, COALESCE(search_text, '')))"
)


def create_fts_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FTS_INDEX)


def drop_fts_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS directory_offer_fts")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_sociale_kaart"),
    ]

    operations = [
        # A data load with a no-op reverse, like the other reference data, so the browser tests'
        # `reload_reference_data` finds and reruns it after a flush.
        migrations.RunPython(load_points, migrations.RunPython.noop),
        migrations.RunPython(create_fts_index, drop_fts_index),
    ]

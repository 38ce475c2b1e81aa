"""PostgreSQL: keep the offers' Dutch tsvector in a stored generated column with its own GIN
index, replacing the expression index of 0003. Computing to_tsvector per row made a query for a
common word (a fifth of 20,000 offers) take over a second when the planner chose a sequential
scan (bench/sociale_kaart.py); with the stored vector it reads the precomputed value instead.
The column is not a model field: only `selectors._text_filter` uses it, on PostgreSQL."""

from django.db import migrations

FORWARD = [
    "DROP INDEX IF EXISTS directory_offer_fts",
    "ALTER TABLE directory_offer ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('dutch'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS directory_offer_search_vector ON directory_offer "
    "USING GIN (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_offer_search_vector",
    "ALTER TABLE directory_offer DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX IF NOT EXISTS directory_offer_fts ON directory_offer USING GIN "
    "(to_tsvector('dutch'::regconfig, COALESCE(search_text, '')))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_municipality_points"),
    ]

    operations = [migrations.RunPython(forward, backward)]

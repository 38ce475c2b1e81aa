"""The free-text insurer of existing cases becomes an insurer organisation, losing nothing
(cases 0011-0013, issue 16 §1)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from vangnet.cases.models import Case
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.testing.browser import reference_data, restore_reference_data  # noqa: F401 - fixtures

BEFORE = [("cases", "0010_dutch_admin_labels")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "restore_reference_data")
def test_insurer_text_maps_to_organisations_by_name_and_back():
    call_command("demo", verbosity=0)
    executor = migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    OldCase = apps.get_model("cases", "Case")
    refs = list(OldCase.objects.order_by("pk").values_list("reference", flat=True)[:3])
    assert len(refs) == 3
    texts = {refs[0]: "  zilveren   KRUIS ", refs[1]: "Zorgverzekeraar Nieuw", refs[2]: ""}
    for ref, text in texts.items():
        OldCase.objects.filter(reference=ref).update(patient_insurer=text)
    insurers_before = Organisation.objects.filter(organisation_type="insurer").count()
    distinct_texts = OldCase.objects.order_by().values("patient_insurer").distinct().count()

    with CaptureQueriesContext(connection) as queries:
        migrate(None)

    # One UPDATE per distinct text, not one per case: with the model's ordering the DISTINCT ran
    # over (text, registered_at), every case updated all cases of its text again, and on a
    # national data set without autovacuum the migration did not finish.
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "cases_case" SET "insurer_id"')
    ]
    assert len(updates) == distinct_texts < Case.objects.count()

    seeded = Organisation.objects.get(
        organisation_type=OrganisationType.INSURER, name="Zilveren Kruis"
    )
    assert Case.objects.get(reference=refs[0]).insurer == seeded
    new = Case.objects.get(reference=refs[1]).insurer
    assert (new.name, new.organisation_type) == ("Zorgverzekeraar Nieuw", "insurer")
    assert Case.objects.get(reference=refs[2]).insurer.name == "Onbekende zorgverzekeraar"
    assert Organisation.objects.filter(organisation_type="insurer").count() == insurers_before + 2
    assert not Case.objects.filter(insurer__isnull=True).exists()

    # Reverse: the text is written back from the organisation (one test: a transactional test
    # empties the reference tables the demo needs).
    executor = migrate(BEFORE)
    OldCase = executor.loader.project_state(BEFORE).apps.get_model("cases", "Case")
    assert OldCase.objects.get(reference=refs[1]).patient_insurer == "Zorgverzekeraar Nieuw"
    assert OldCase.objects.get(reference=refs[0]).patient_insurer == "Zilveren Kruis"
    migrate(None)

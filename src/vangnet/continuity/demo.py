"""Demo continuity (`python -m vangnet demo`): the follow-up demo case gets its GP practice with
consent, a crisis card shared with the GP, a medication overview whose review date has passed (so
the check-in and the reminders warn), contact persons, and a letter to the GP; the practice has a
GP in Vangnet ('huisarts'). Written through the real services. Idempotent; demo only."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role
from vangnet.cases import services as case_services
from vangnet.cases.models import Case
from vangnet.cases.workflow import State
from vangnet.directory.models import Organisation, OrganisationType

from . import services
from .models import CrisisCard, LetterEvent, MedicationOverview

GP = ("huisarts", "Hanna Huisarts")  # printed with the demo logins
PRACTICE = "Huisartsenpraktijk De Linde"
CASE_PATIENT = "Demo Patiënt Acht"  # the demo case in follow-up


def load_demo() -> None:
    practice, _ = Organisation.objects.get_or_create(
        name=PRACTICE, defaults={"organisation_type": OrganisationType.GP_PRACTICE}
    )
    gp = demo_user(*GP)
    Membership.objects.get_or_create(user=gp, organisation=practice, role=Role.GENERAL_PRACTITIONER)
    case = Case.objects.filter(patient_name=CASE_PATIENT, state=State.FOLLOW_UP).first()
    if case is None or CrisisCard.objects.filter(case=case).exists():
        return
    coordinator = Membership.objects.select_related("user").get(
        role=Role.COORDINATOR, table=case.table, user__username="coordinator"
    )
    actor, m = coordinator.user, coordinator
    today = timezone.localdate()
    services.gp_set(case=case, actor=actor, membership=m, practice=practice, gp_name="H. Huisarts")
    case_services.consent_record(
        case=case,
        actor=actor,
        membership=m,
        organisation=practice,
        given_by="patient",
        valid_from=today - timedelta(days=30),
    )
    services.crisis_card_save(
        case=case,
        actor=actor,
        membership=m,
        early_signs="Eet minder dan één maaltijd per dag, sport dwangmatig, zegt afspraken af.",
        what_helps="Samen eten met de begeleider; de zus bellen; een dag extra op de dagbehandeling.",
        client_words="Als ik zeg dat het goed gaat maar niet meer eet, geloof me dan niet.",
        contacts=[
            services.CardContact("Crisisdienst Arkin", "020 523 54 00", "dag en nacht"),
            services.CardContact("Begeleider Regenboog", "020 555 12 34", "ma–vr 9–17 uur"),
            services.CardContact("113 Zelfmoordpreventie", "113", "dag en nacht"),
        ],
        review_on=today + timedelta(days=60),
        share_with_gp=True,
    )
    services.medication_overview_save(
        case=case,
        actor=actor,
        membership=m,
        somatic_screening_by="Huisarts De Linde (bloedwaarden en gewicht, maandelijks)",
        pharmaceutical_care_by="Psychiater Arkin, met de eigen apotheek",
        review_on=today + timedelta(days=30),
    )
    for medicine, dose, unit, frequency, days in (
        ("Olanzapine", "5", "mg", "1x per dag, voor de nacht", 120),
        ("Colecalciferol (vitamine D)", "800", "iu", "1x per dag", 300),
    ):
        services.medication_add(
            case=case,
            actor=actor,
            membership=m,
            medicine=medicine,
            dose_amount=dose,
            dose_unit=unit,
            frequency=frequency,
            prescriber="Dr. B. Behandelaar (Arkin)",
            since=today - timedelta(days=days),
            checked_on=today - timedelta(days=50),
        )
    # Demo only: the overview's review date has passed, so the check-in and reminders warn.
    MedicationOverview.objects.filter(case=case).update(review_on=today - timedelta(days=5))
    for audience, name, org, phone in (
        ("client", "B. Begeleider", "Regenboog beschermd wonen", "020 555 12 34"),
        ("gp", "Drs. B. Behandelaar", "Arkin, eetstoornissenteam", "020 590 50 50"),
    ):
        services.contact_person_set(
            case=case,
            actor=actor,
            membership=m,
            audience=audience,
            name=name,
            organisation=org,
            phone=phone,
            reachable="ma–vr 9–17 uur",
            until="de verhuizing naar begeleid wonen",
        )
    services.gp_letter_create(case=case, actor=actor, membership=m, event=LetterEvent.PLANNED)

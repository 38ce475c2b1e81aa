"""Load demo data: organisations, one user per role, and cases in every stage. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.cases import services as case_services
from vangnet.cases.models import Case, CriterionAssessment, ReferrerType
from vangnet.cases.workflow import Decision
from vangnet.directory.models import Organisation, OrganisationType
from vangnet.regions.models import Table

DEMO_PASSWORD = "vangnet-demo-2026"  # noqa: S105 - printed on purpose: demo only

ORGS = [
    ("Arkin", OrganisationType.GGZ_INSTITUTION, "06290101"),
    ("GGZ Noord-Holland-Noord", OrganisationType.GGZ_INSTITUTION, "06290202"),
    ("Jellinek verslavingszorg", OrganisationType.ADDICTION_CARE, "06290303"),
    ("Zilveren Kruis zorgbemiddeling", OrganisationType.INSURER, "06290404"),
    ("Huisartsenpraktijk De Linde", OrganisationType.GP_PRACTICE, "01290505"),
    ("Regenboog beschermd wonen", OrganisationType.SHELTERED_HOUSING, "06290606"),
    ("Gemeente Amsterdam", OrganisationType.MUNICIPALITY, ""),
    ("Landelijk netwerk casuïstiektafels", OrganisationType.OTHER, ""),
]

USERS: list[tuple[str, str, str, str, str | None]] = [
    # username, full name, organisation, role, table
    ("verwijzer", "Vera Verwijzer", "GGZ Noord-Holland-Noord", Role.REFERRER, None),
    ("coordinator", "Cor Coördinator", "Arkin", Role.COORDINATOR, "3"),
    ("screener", "Sanne Screener", "Jellinek verslavingszorg", Role.SECOND_SCREENER, "3"),
    ("tafellid", "Tom Tafellid", "Regenboog beschermd wonen", Role.TABLE_MEMBER, "3"),
    ("adviseur", "Ada Adviseur", "Zilveren Kruis zorgbemiddeling", Role.MEDICAL_ADVISER, None),
    ("analist", "Ali Analist", "Landelijk netwerk casuïstiektafels", Role.MONITOR_ANALYST, None),
    ("privacy", "Pim Privacy", "Landelijk netwerk casuïstiektafels", Role.PRIVACY_OFFICER, None),
    ("beheer", "Bea Beheer", "Landelijk netwerk casuïstiektafels", Role.ADMINISTRATOR, None),
]


class Command(BaseCommand):
    help = "Laad demogegevens (idempotent) en toon de demo-logins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        orgs = {}
        for name, kind, agb in ORGS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name, defaults={"organisation_type": kind, "agb_code": agb}
            )
        users = {}
        for username, full, org, role, table in USERS:
            first, last = full.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.vangnet.nl",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if role == Role.ADMINISTRATOR:
                    user.is_staff = user.is_superuser = True
                user.save()
            Membership.objects.get_or_create(
                user=user,
                organisation=orgs[org],
                role=role,
                table=Table.objects.get(number=int(table)) if table else None,
            )
            users[username] = user
        if not Case.objects.exists():
            self._cases(users, orgs)
        self.stdout.write(
            self.style.SUCCESS(
                "Demogegevens geladen. Inloggen op http://127.0.0.1:8000 met wachtwoord "
                + DEMO_PASSWORD
                + ":"
            )
        )
        for username, _full, org, role, table in USERS:
            where = f" (tafel {table})" if table else ""
            self.stdout.write(f"  {username:12} {Role(role).label}{where} – {org}")

    def _cases(self, users: dict[str, User], orgs: dict[str, Organisation]) -> None:
        referrer, org = users["verwijzer"], orgs["GGZ Noord-Holland-Noord"]
        coord, screener = users["coordinator"], users["screener"]
        coord_m = Membership.objects.get(user=coord, role=Role.COORDINATOR)
        screen_m = Membership.objects.get(user=screener, role=Role.SECOND_SCREENER)

        def register(name: str, born: date, municipality: str, stuck: str) -> Case:
            data = case_services.RegistrationInput(
                referrer_type=ReferrerType.OTHER_GGZ_INSTITUTION,
                patient_name=name,
                patient_birth_date=born,
                patient_municipality_code=municipality,
                patient_insurer="Zilveren Kruis",
                consent_by="patient",
                stuck_description=stuck,
                best_solution="Een klinische plek met dubbele diagnose-expertise, daarna beschermd wonen.",
                timeline="2023: opname; 2024: ambulante behandeling gestopt; 2025: crisisopnames.",
                criteria=[1, 3, 4],
                party_actions=[
                    case_services.PartyActionInput(
                        "GGZ Noord-Holland-Noord", "Twee jaar ambulante behandeling."
                    ),
                    case_services.PartyActionInput(
                        "Jellinek verslavingszorg", "Detoxificatie, niet afgerond."
                    ),
                ],
            )
            return case_services.case_register(referrer=referrer, organisation=org, data=data).case

        old = register(
            "Demo Patiënt Een",
            date(1985, 4, 2),
            "GM0363",
            "Geen aanbieder wil de combinatie van psychose en verslaving behandelen.",
        )
        Case.objects.filter(pk=old.pk).update(registered_at=timezone.now() - timedelta(days=10))
        register(
            "Demo Patiënt Twee",
            date(1999, 11, 23),
            "GM0361",
            "Eetstoornis met autisme; wachtlijsten overal te lang.",
        )
        proposed = register(
            "Demo Patiënt Drie",
            date(1970, 1, 15),
            "GM0363",
            "Dakloos, ernstige depressie en schulden; niemand neemt regie.",
        )
        all_met = [
            case_services.CriterionInput(n, CriterionAssessment.Verdict.MET) for n in range(1, 8)
        ]
        case_services.triage_propose(
            case=proposed,
            coordinator=coord,
            membership=coord_m,
            assessments=all_met,
            decision=Decision.ADMIT,
        )
        admitted = register(
            "Demo Patiënt Vier",
            date(1992, 6, 30),
            "GM0363",
            "Ernstig zelfbeschadigend gedrag; behandelingen uitgeput.",
        )
        case_services.triage_propose(
            case=admitted,
            coordinator=coord,
            membership=coord_m,
            assessments=all_met,
            decision=Decision.ADMIT,
        )
        case_services.triage_confirm(case=admitted, screener=screener, membership=screen_m)
        rejected = register(
            "Demo Patiënt Vijf",
            date(2001, 3, 3),
            "GM0363",
            "Lichte angstklachten, wachtlijst basis-ggz.",
        )
        verdicts = [
            case_services.CriterionInput(
                n,
                CriterionAssessment.Verdict.NOT_MET if n != 2 else CriterionAssessment.Verdict.MET,
            )
            for n in range(1, 8)
        ]
        case_services.triage_propose(
            case=rejected,
            coordinator=coord,
            membership=coord_m,
            assessments=verdicts,
            decision=Decision.CONSULTATION,
            advice="Verwijs naar de basis-ggz; de POH-ggz kan overbruggen.",
        )
        case_services.triage_confirm(case=rejected, screener=screener, membership=screen_m)

"""Load demo data: organisations, one user per role, and cases in every stage. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from vangnet.accounts.demo import DEMO_PASSWORD, demo_user
from vangnet.accounts.models import Membership, Role, User
from vangnet.cases import services as case_services
from vangnet.cases.models import Case, CriterionAssessment, ReferrerType
from vangnet.cases.workflow import Decision
from vangnet.directory.models import Organisation, OrganisationType, insurer_named
from vangnet.followup import services as followup_services
from vangnet.meetings import services as meeting_services
from vangnet.plans import services as plan_services
from vangnet.regions.models import Table

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

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="het adres waarop de demo draait (make run geeft het mee, met PORT)",
        )
        parser.add_argument(
            "--scale",
            help="Ook de landelijke gegevensset laden: 'national' (10.000 casussen, 2 miljoen "
            "toegangslogregels, 3 miljoen wachtlijstregistraties), 'tenth' (een tiende) of een "
            "fractie zoals 0.002. Bedoeld voor PostgreSQL.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed van de landelijke set.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.VANGNET_PRODUCTION:  # demo users with a printed password: never there
            raise CommandError("De demo draait niet met de productie-instellingen.")
        scale = None
        if options.get("scale"):
            from vangnet.ops.national import parse_scale

            try:
                scale = parse_scale(options["scale"])
            except ValueError as exc:
                raise CommandError(
                    "--scale: 'national', 'tenth' of een getal groter dan 0 en hoogstens 1."
                ) from exc
        self._demo(url=options["url"])
        if scale is not None:
            from vangnet.ops.national import load

            # Not in one transaction: the access log is sealed chunk by chunk as it is written.
            load(scale=scale, seed=options["seed"], say=self.stdout.write)

    @transaction.atomic
    def _demo(self, *, url: str) -> None:
        orgs = {}
        for name, kind, agb in ORGS:
            orgs[name], _ = Organisation.objects.get_or_create(
                name=name, defaults={"organisation_type": kind, "agb_code": agb}
            )
        users = {}
        for username, full, org, role, table in USERS:
            user = demo_user(username, full, staff=role == Role.ADMINISTRATOR)
            Membership.objects.get_or_create(
                user=user,
                organisation=orgs[org],
                role=role,
                table=Table.objects.get(number=int(table)) if table else None,
            )
            users[username] = user
        if not Case.objects.exists():
            self._cases(users, orgs)
        # Continuity of care on the follow-up case: crisis card, medication, GP letter (issue 16 §2).
        __import__("vangnet.continuity.demo", fromlist=["load_demo"]).load_demo()
        self._monitor_and_waitlists()
        __import__("vangnet.scenarios.demo", fromlist=["load_demo"]).load_demo()
        from vangnet.directory.demo import load_demo as load_sociale_kaart

        load_sociale_kaart()
        # After closure and up the ladder, and the region's shared figures (issue 16 §3-§4).
        from vangnet.board.demo import load_demo as load_board
        from vangnet.outcomes.demo import load_demo as load_outcomes
        from vangnet.waitlists.demo import load_region_users

        load_outcomes()
        load_board()
        load_region_users()
        from vangnet.routing.demo import load_demo as load_routing

        load_routing()
        from vangnet.transfers.demo import load_demo as load_transfers

        if load_transfers():
            self.stdout.write("Transfers: demoregio Amsterdam-Amstelland met kandidaten geladen.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demogegevens geladen. Inloggen op {url} met wachtwoord " + DEMO_PASSWORD + ":"
            )
        )
        # Several parts of the demo share users (one GP practice for letters, figures and
        # transfers): each login is printed once, with the first role it was listed for.
        logins: dict[str, str] = {}

        def login(username: str, text: str) -> None:
            logins.setdefault(username, text)

        for username, _full, org, role, table in USERS:
            where = f" (tafel {table})" if table else ""
            login(username, f"{Role(role).label}{where} – {org}")
        login("data", f"{Role.DATA_OFFICER.label} – GGZ inGeest Amsterdam")
        login("kaart", f"{Role.DIRECTORY_EDITOR.label} – Arkin")
        login("huisarts", f"{Role.GENERAL_PRACTITIONER.label} – Huisartsenpraktijk De Linde")
        login("proces", f"{Role.PROCESS_OWNER.label} (regio Amsterdam-Amstelland) – Arkin")
        login("bestuurder", f"{Role.BOARD_MEMBER.label} – Arkin")
        login("manager", f"{Role.PROVIDER_MANAGER.label} – GGZ inGeest Amsterdam")
        from vangnet.routing.demo import USERS as ROUTING_USERS

        for username, _full, role, org in ROUTING_USERS:
            login(username, f"{Role(role).label} – {org}")
        from vangnet.transfers import demo as transfer_demo

        for username, _full, org, role in transfer_demo.USERS:
            login(username, f"{Role(role).label} – {org}")
        for username, text in logins.items():
            self.stdout.write(f"  {username:16} {text}")
        self.stdout.write(
            f"Cliëntpagina: {url}/mijn-transfer/ met code {transfer_demo.DEMO_CODE} en "
            f"geboortedatum {transfer_demo.DEMO_BIRTH_DATE:%d-%m-%Y}."
        )

    def _monitor_and_waitlists(self) -> None:
        """The 2020–2021 monitor records of seed 001 and a synthetic waiting-list history."""
        import vangnet.monitor as monitor_dir
        from vangnet.monitor.models import MonitorRecord
        from vangnet.monitor.services import monitor_import
        from vangnet.waitlists.demo import load_demo as load_waitlists
        from vangnet.waitlists.demo import load_published_demo

        if not MonitorRecord.objects.exists():
            path = (
                Path(monitor_dir.__file__).parent
                / "fixtures"
                / "testdata"
                / "seed001_2020_2021.csv"
            )
            monitor_import(content=path.read_bytes())
            self.stdout.write("Monitor: 77 casussen uit 2020–2021 (seed 001) geïmporteerd.")
        submissions = load_waitlists()
        if submissions:
            self.stdout.write(f"Wachtlijsten: {submissions} maandaanleveringen geïmporteerd.")
        if load_published_demo():
            self.stdout.write("Gepubliceerde wachttijden: NZa-bestand 2016 geïmporteerd.")
        self._waitlist_users()

    def _waitlist_users(self) -> None:
        """A provider's data officer and the process owner of Amsterdam-Amstelland."""
        from vangnet.waitlists.models import ProcessOwnerRegion, RegionKind

        for username, full, agb, role in (
            ("data", "Dirk Data", "06290707", Role.DATA_OFFICER),
            ("proces", "Petra Proces", "06290101", Role.PROCESS_OWNER),
        ):
            user = demo_user(username, full)
            membership, _ = Membership.objects.get_or_create(
                user=user, organisation=Organisation.objects.get(agb_code=agb), role=role
            )
            if role == Role.PROCESS_OWNER:
                ProcessOwnerRegion.objects.get_or_create(
                    membership=membership, region_kind=RegionKind.SAFETY_REGION, region_code="VR13"
                )

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
                insurer_id=insurer_named("Zilveren Kruis").pk,
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
        self._followup_stages(users, orgs, register, coord, coord_m, screener, screen_m, all_met)

    def _followup_stages(
        self,
        users: dict[str, User],
        orgs: dict[str, Organisation],
        register: Any,
        coord: User,
        coord_m: Membership,
        screener: User,
        screen_m: Membership,
        all_met: list[case_services.CriterionInput],
    ) -> None:
        """Cases in preparation, plan, follow-up and closed, so a visitor can walk the whole flow."""
        from vangnet.consultations.services import consultation_record
        from vangnet.followup.models import CheckIn
        from vangnet.meetings.models import AgendaItem, Meeting

        housing, insurer = orgs["Regenboog beschermd wonen"], orgs["Zilveren Kruis zorgbemiddeling"]
        ggz = orgs["Arkin"]
        today = timezone.localdate()

        def admit(name: str, born: date, stuck: str) -> Case:
            case = register(name, born, "GM0363", stuck)
            case_services.triage_propose(
                case=case,
                coordinator=coord,
                membership=coord_m,
                assessments=all_met,
                decision=Decision.ADMIT,
            )
            case_services.triage_confirm(case=case, screener=screener, membership=screen_m)
            return case

        def prepare(case: Case) -> None:
            case_services.timeline_add(
                case=case,
                actor=coord,
                membership=coord_m,
                on=today - timedelta(days=400),
                organisation_name="Arkin",
                description="Klinische opname, ontslag zonder vervolg.",
            )
            case_services.timeline_add(
                case=case,
                actor=coord,
                membership=coord_m,
                on=today - timedelta(days=60),
                organisation_name="Regenboog beschermd wonen",
                description="Wachtlijst beschermd wonen; geen plek.",
            )
            party = case_services.party_add(
                case=case,
                actor=coord,
                membership=coord_m,
                organisation=housing,
                role="Beschermd wonen",
                contact_name="Tom Tafellid",
                has_mandate=True,
                already_did="Intake gedaan, geen plek.",
            )
            case_services.consent_record(
                case=case,
                actor=coord,
                membership=coord_m,
                organisation=housing,
                given_by="patient",
                valid_from=today,
            )
            case_services.party_invite(party=party, actor=coord, membership=coord_m)
            case_services.question_add(
                case=case,
                actor=coord,
                membership=coord_m,
                text="Wie kan binnen vier weken een woonplek met ggz-begeleiding bieden?",
            )

        def meet(case: Case, days_ago: int, minutes: bool) -> None:
            start = timezone.now() + timedelta(days=2, hours=case.pk)
            meeting, _ = meeting_services.meeting_schedule(
                table=case.table,
                actor=coord,
                membership=coord_m,
                kind=Meeting.Kind.AD_HOC,
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                chair_type=Meeting.Chair.INDEPENDENT,
                chair_name="Zorgconsul",
                location="Arkin, Amsterdam",
                cases=[case],
            )
            item = AgendaItem.objects.get(meeting=meeting, case=case)
            meeting_services.participant_add(
                item=item,
                actor=coord,
                membership=coord_m,
                kind="organisation",
                organisation=housing,
                person_name="Tom Tafellid",
                has_mandate=True,
            )
            meeting_services.case_share_prepared(item=item, actor=coord, membership=coord_m)
            if minutes:
                # Demo only: move the meeting into the past so its minutes can be shown.
                past = timezone.now() - timedelta(days=days_ago)
                Meeting.objects.filter(pk=meeting.pk).update(
                    starts_at=past, ends_at=past + timedelta(hours=1)
                )
                item.refresh_from_db()
                meeting_services.minutes_record(
                    item=item,
                    actor=coord,
                    membership=coord_m,
                    discussed="Situatie en opties besproken met alle partijen.",
                    decisions="Arkin behandelt, Regenboog biedt woonplek; verzekeraar toetst maatwerk.",
                    tasks=[
                        meeting_services.TaskInput(
                            "Woonplek reserveren", housing, today + timedelta(days=10)
                        )
                    ],
                )

        prep = admit(
            "Demo Patiënt Zes",
            date(1988, 8, 8),
            "Trauma en verslaving; afgewezen door drie aanbieders.",
        )
        prepare(prep)
        meet(prep, 0, minutes=False)

        planned = admit("Demo Patiënt Zeven", date(1979, 2, 14), "Psychose, dakloos, schulden.")
        prepare(planned)
        meet(planned, 3, minutes=True)
        plan_services.plan_update(
            case=planned,
            actor=coord,
            membership=coord_m,
            values={
                "regiebehandelaar": "Dr. A. Arts (Arkin)",
                "procesregie": "Casuïstiektafel 3",
                "if_placement_fails": "Terug naar crisisbed Arkin; binnen een week nieuwe bespreking.",
            },
        )
        plan_services.goal_add(
            case=planned,
            actor=coord,
            membership=coord_m,
            domain="treatment",
            description="Behandeling psychose en verslaving",
            organisation=ggz,
            financing="zvw",
        )
        plan_services.goal_add(
            case=planned,
            actor=coord,
            membership=coord_m,
            domain="housing",
            description="Woonplek met begeleiding",
            organisation=housing,
            financing="wmo",
        )
        plan_services.financing_request(
            case=planned, actor=coord, membership=coord_m, insurer=insurer
        )

        follow = admit(
            "Demo Patiënt Acht",
            date(1995, 9, 9),
            "Eetstoornis met autisme; klinische plek ontbreekt.",
        )
        prepare(follow)
        meet(follow, 40, minutes=True)
        plan_services.plan_update(
            case=follow,
            actor=coord,
            membership=coord_m,
            values={
                "regiebehandelaar": "Drs. B. Behandelaar (Arkin)",
                "case_director": coord,
                "handover_from": "Arkin kliniek",
                "handover_to": "Regenboog beschermd wonen",
            },
        )
        g1 = plan_services.goal_add(
            case=follow,
            actor=coord,
            membership=coord_m,
            domain="treatment",
            description="Gewichtsherstel en behandeling",
            organisation=ggz,
            financing="maatwerk",
        )
        g2 = plan_services.goal_add(
            case=follow,
            actor=coord,
            membership=coord_m,
            domain="housing",
            description="Begeleid wonen",
            organisation=housing,
            financing="wmo",
        )
        ggz_member = Membership.objects.filter(user=coord, role=Role.COORDINATOR).first()
        tafellid_m = Membership.objects.get(user=users["tafellid"], role=Role.TABLE_MEMBER)
        assert ggz_member is not None
        plan_services.goal_respond(goal=g1, actor=coord, membership=ggz_member, accept=True)
        plan_services.goal_respond(
            goal=g2, actor=users["tafellid"], membership=tafellid_m, accept=True
        )
        phase = followup_services.plan_adopt(
            case=follow,
            actor=coord,
            membership=coord_m,
            phase_months=3,
            focus="Stabiliseren en verhuizen",
        )
        Case.objects.filter(pk=follow.pk).update(admitted_on=today - timedelta(days=80))
        checkin = CheckIn.objects.filter(phase=phase).order_by("due_on").first()
        assert checkin is not None
        followup_services.checkin_record(
            checkin=checkin,
            actor=coord,
            membership=coord_m,
            summary="Eerste maand: opname gestart.",
            progress=[
                followup_services.ProgressInput(g1.pk, "on_track"),
                followup_services.ProgressInput(g2.pk, "delayed", "Wachten op plek"),
            ],
        )
        followup_services.escalate(
            case=follow,
            actor=coord,
            membership=coord_m,
            to_level=1,
            reason="Informatie over beschikbare woonplekken ontbreekt.",
        )
        # Demo only: the next check-in is three days overdue, so reminders and flags show.
        next_checkin = (
            CheckIn.objects.filter(phase=phase, done_at__isnull=True).order_by("due_on").first()
        )
        assert next_checkin is not None
        CheckIn.objects.filter(pk=next_checkin.pk).update(due_on=today - timedelta(days=3))
        followup_services.term_suspend(
            case=planned,
            actor=coord,
            membership=coord_m,
            starts_on=today,
            planned_end=today + timedelta(days=14),
            reason="Patiënt is tijdelijk opgenomen in een algemeen ziekenhuis.",
        )
        referred = register(
            "Demo Patiënt Tien",
            date(2004, 4, 4),
            "GM0363",
            "Jongvolwassene met ernstige angst; jeugd-ggz stopt bij 18.",
        )
        case_services.triage_propose(
            case=referred,
            coordinator=coord,
            membership=coord_m,
            assessments=all_met,
            decision=Decision.REFER,
            refer_to="Regionaal transitieoverleg 18-/18+",
            reason="De vraag gaat over de overgang van jeugd- naar volwassenenzorg; dat overleg heeft de juiste partijen.",
        )
        case_services.triage_confirm(case=referred, screener=screener, membership=screen_m)
        unsuitable = register(
            "Demo Patiënt Elf",
            date(1990, 10, 10),
            "GM0363",
            "Wachttijd basis-ggz voor een eerste depressieve episode.",
        )
        not_met = [case_services.CriterionInput(n, "not_met") for n in range(1, 8)]
        case_services.triage_propose(
            case=unsuitable,
            coordinator=coord,
            membership=coord_m,
            assessments=not_met,
            decision=Decision.NOT_SUITABLE,
            reason="Geen hoogcomplexe problematiek; de huisarts verwijst naar de basis-ggz met overbrugging door de POH-ggz.",
        )
        case_services.triage_confirm(case=unsuitable, screener=screener, membership=screen_m)

        closed = admit(
            "Demo Patiënt Negen", date(1969, 12, 1), "Somatoforme stoornis; geen behandelaar."
        )
        case_services.case_close(
            case=closed,
            actor=coord,
            membership=coord_m,
            outcome="new_offer",
            offer_accepted=True,
            helped_by=["clarify_care", "supraregional_capacity"],
            obstacles=["no_regional_capacity"],
            shortages=["somatoform"],
            note="Bovenregionale plek gevonden.",
        )

        for i in range(3):
            consultation_record(
                actor=coord,
                membership=coord_m,
                requested_on=today - timedelta(days=10 * i),
                requester_type="gp",
                question="Hoe overbrug ik de wachttijd voor een patiënt met ernstige depressie?",
                advice="Schakel de POH-ggz in en meld aan bij de basis-ggz met voorrang.",
                minutes_spent=30,
            )

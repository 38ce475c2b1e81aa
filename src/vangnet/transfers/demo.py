"""Demo transfer desk (`python -m vangnet demo`): region Amsterdam-Amstelland (VR13), where the
demo user `proces` is process owner.

Capacity for the region's locations (two figures stale), candidates in every state (some awaiting
screening, some screened), one open proposal, and transfers in every state of the workflow with
their history, warm-handover contacts and intakes spread over the last months (so the monthly
report and its effect comparison have something to show). One candidate has a fixed personal code
(`DEMO_CODE`, printed with the demo logins) so a visitor can open the client page.

Written straight through the models, as a small demo fixture, because the desk's services are
built at the same time on another branch; once they are merged the demo can take its steps
through them. Idempotent: a second run only makes sure the demo code still works. Loaded after
the sociale kaart and the waiting lists (it uses their locations and organisations).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role, User
from vangnet.directory.models import Location, Organisation, OrganisationType
from vangnet.regions.models import Municipality
from vangnet.waitlists.models import DiagnosisGroup, RegionKind

from .client_codes import code_hash
from .models import (
    Candidate,
    CandidateState,
    Capacity,
    ClientAccessCode,
    HandoverContact,
    LineDecision,
    Proposal,
    ProposalLine,
    PutForwardBy,
    Transfer,
    TransferEvent,
    TransferState,
)

REGION = (RegionKind.SAFETY_REGION, "VR13")
PREFIX = "TK-DEMO-"
DEMO_CODE = "DEMO-KLNT-CODE"
DEMO_BIRTH_DATE = date(1990, 3, 12)
DEMO_CODE_REFERENCE = f"{PREFIX}05"

# username, full name, organisation name, role (printed with the demo logins)
USERS: list[tuple[str, str, str, str]] = [
    ("behandelaar", "Bas Behandelaar", "GGZ inGeest Amsterdam", Role.CLINICIAN),
    ("huisarts", "Hanna Huisarts", "Huisartsenpraktijk De Linde", Role.GENERAL_PRACTITIONER),
    ("ondersteuner", "Olga Ondersteuner", "Cliëntondersteuning Amsterdam", Role.CLIENT_SUPPORTER),
    (
        "transferscreener",
        "Tim Transferscreener",
        "Jellinek verslavingszorg",
        Role.TRANSFER_SCREENER,
    ),
    (
        "zorgbemiddelaar",
        "Zeno Zorgbemiddelaar",
        "Zilveren Kruis zorgbemiddeling",
        Role.ZORGBEMIDDELING,
    ),
]


def _org(name: str, kind: str = OrganisationType.OTHER) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    return found or Organisation.objects.create(name=name, organisation_type=kind)


def _users() -> dict[str, User]:
    users = {}
    for username, full, org_name, role in USERS:
        user = demo_user(username, full)
        Membership.objects.get_or_create(user=user, organisation=_org(org_name), role=role)
        users[username] = user
    return users


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def ensure_demo_code() -> bool:
    """The fixed demo code works on every run (usable, not locked). False: no demo candidate."""
    candidate = Candidate.objects.filter(reference=DEMO_CODE_REFERENCE).first()
    if candidate is None:
        return False
    issuer = candidate.put_forward_by
    access, _ = ClientAccessCode.objects.get_or_create(
        code_hash=code_hash(DEMO_CODE),
        defaults={
            "candidate": candidate,
            "issued_by": issuer,
            "expires_at": timezone.now() + timedelta(days=90),
        },
    )
    ClientAccessCode.objects.filter(pk=access.pk).update(
        revoked_at=None, failed_attempts=0, expires_at=timezone.now() + timedelta(days=90)
    )
    return True


@transaction.atomic
def load_demo() -> int:
    """Create the demo desk once; returns the number of candidates created."""
    users = _users()
    if Candidate.objects.filter(reference__startswith=PREFIX).exists():
        ensure_demo_code()
        return 0
    today = timezone.localdate()
    now = timezone.now()
    proces = User.objects.filter(username="proces").first() or users["behandelaar"]
    amsterdam = Municipality.objects.get(code="GM0363")
    groups = {g.code: g for g in DiagnosisGroup.objects.all()}
    dep, angst, eet = groups["depressief"], groups["angst"], groups["eetstoornis"]
    ingeest = Organisation.objects.get(agb_code="06290707")
    linde = _org("Huisartsenpraktijk De Linde")
    support_org = _org("Cliëntondersteuning Amsterdam")
    insurer = _org("Zilveren Kruis zorgbemiddeling")
    ingeest_loc = Location.objects.filter(organisation=ingeest).first()
    arkin_oost = Location.objects.get(name="Arkin Oost")
    top = Location.objects.get(name="Arkin Topklinisch Centrum")
    jellinek = Location.objects.get(name="Jellinek Amsterdam")
    online = None  # the demo's only remote service is 113, not a place to transfer to
    kaart = User.objects.filter(username="kaart").first() or proces

    # Capacity: this week's figures, two of them stale (published three weeks ago).
    monday = today - timedelta(days=today.weekday())
    for loc, group, slots, wait, stale in (
        (arkin_oost, dep, 6, 3, False),
        (arkin_oost, angst, 4, 2, False),
        (top, eet, 2, 8, False),
        (jellinek, dep, 3, 5, True),
        (ingeest_loc, eet, 1, 16, True),
        (online, dep, 20, 1, False),
    ):
        if loc is None:
            continue
        Capacity.objects.get_or_create(
            location=loc,
            diagnosis_group=group,
            week=monday,
            defaults={
                "free_slots": slots,
                "expected_wait_weeks": wait,
                "valid_until": monday + timedelta(days=27),
                "published_by": kaart,
                "published_at": now - timedelta(days=21 if stale else 2),
            },
        )

    forward: dict[str, tuple[User, Organisation]] = {
        PutForwardBy.PROVIDER: (users["behandelaar"], ingeest),
        PutForwardBy.GP: (users["huisarts"], linde),
        PutForwardBy.CLIENT_SUPPORTER: (users["ondersteuner"], support_org),
    }
    screener = users["transferscreener"]
    screener_org = Organisation.objects.get(name="Jellinek verslavingszorg")

    def candidate(
        n: int,
        group: DiagnosisGroup,
        waiting_weeks: int,
        state: str,
        *,
        by: str = PutForwardBy.PROVIDER,
        born: date = date(1985, 6, 1),
        waiting_for: str = "Behandeling bij somberheid, met gesprekken",
        created_days_ago: int = 10,
        screened: bool = True,
    ) -> Candidate:
        who, org = forward[by]
        created = now - timedelta(days=created_days_ago)
        c = Candidate.objects.create(
            reference=f"{PREFIX}{n:02d}",
            state=state,
            region_kind=REGION[0],
            region_code=REGION[1],
            municipality=amsterdam,
            diagnosis_group=group,
            waiting_for=waiting_for,
            waiting_since=today - timedelta(weeks=waiting_weeks),
            birth_date=born,
            current_provider=ingeest,
            current_location=ingeest_loc,
            provider_reference=f"IG-{n:04d}",
            insurer=insurer,
            travel_radius_km=25,
            ehealth_ok=n % 2 == 0,
            consent_given_on=(created - timedelta(days=1)).date(),
            consent_recorded_by=who,
            put_forward_as=by,
            put_forward_by=who,
            put_forward_organisation=org,
            contact_name="Bas Behandelaar" if by == PutForwardBy.PROVIDER else who.get_full_name(),
            contact_phone="020-7885555",
        )
        Candidate.objects.filter(pk=c.pk).update(created_at=created)
        if screened and state != CandidateState.AWAITING_SCREENING:
            Candidate.objects.filter(pk=c.pk).update(
                screened_by=screener,
                screened_organisation=screener_org,
                screened_at=created + timedelta(days=2),
                screening_note=(
                    "Past niet: eerst stabilisatie nodig."
                    if state == CandidateState.UNSUITABLE
                    else "Geschikt voor transfer."
                ),
            )
        c.refresh_from_db()
        return c

    def transfer(
        c: Candidate,
        location: Location,
        steps: list[tuple[str, int]],
        *,
        days_saved: float = 35.0,
        decline_reason: str = "",
    ) -> Transfer:
        """Steps: (state, days ago), the first the proposal."""
        first_day = today - timedelta(days=steps[0][1])
        t = Transfer.objects.create(
            candidate=c,
            receiving_location=location,
            state=steps[-1][0],
            created_by=proces,
            days_saved=days_saved,
            decline_reason=decline_reason,
        )
        fields: dict[str, object] = {"created_at": _at(first_day)}
        previous = ""
        for state, days_ago in steps:
            day = today - timedelta(days=days_ago)
            actor = (
                c.put_forward_by
                if state in (TransferState.ACCEPTED, TransferState.DECLINED)
                else proces
            )
            TransferEvent.objects.create(
                transfer=t, at=_at(day), actor=actor, from_state=previous, to_state=state
            )
            previous = state
            if state == TransferState.OFFERED:
                fields["offered_at"] = _at(day)
                fields["answer_due"] = day + timedelta(days=7)
            elif state in (TransferState.ACCEPTED, TransferState.DECLINED):
                fields["answered_at"] = _at(day, 14)
            elif state == TransferState.HANDOVER:
                HandoverContact.objects.create(
                    transfer=t,
                    organisation=ingeest,
                    recorded_by=c.put_forward_by,
                    spoke_with=f"Intaker {location.organisation.name}",
                    spoke_on=day,
                    note="Dossier besproken; cliënt weet wat er komt.",
                )
                fields["intake_due"] = day + timedelta(days=10)
            elif state == TransferState.INTAKE_PLANNED:
                fields["intake_date"] = day + timedelta(days=9)
            elif state == TransferState.INTAKE_DONE:
                fields["intake_date"] = day
                fields["intake_done_on"] = day
            elif state == TransferState.INTAKE_FAILED:
                fields["failure_reason"] = "Cliënt was opgenomen in het ziekenhuis."
        Transfer.objects.filter(pk=t.pk).update(**fields)
        t.refresh_from_db()
        return t

    S, T = CandidateState, TransferState
    created = 0
    # Awaiting screening and screened (suitable, unsuitable).
    candidate(
        1, dep, 7, S.AWAITING_SCREENING, by=PutForwardBy.GP, screened=False, created_days_ago=2
    )
    candidate(
        2,
        angst,
        9,
        S.AWAITING_SCREENING,
        by=PutForwardBy.CLIENT_SUPPORTER,
        screened=False,
        created_days_ago=1,
    )
    suitable_a = candidate(3, dep, 11, S.SUITABLE, created_days_ago=6)
    suitable_b = candidate(4, angst, 8, S.SUITABLE, by=PutForwardBy.GP, created_days_ago=5)
    candidate(6, eet, 14, S.UNSUITABLE, created_days_ago=20)
    created += 5

    # Transfers in every state; the offered one has the demo code.
    offered = candidate(
        5,
        dep,
        13,
        S.IN_TRANSFER,
        born=DEMO_BIRTH_DATE,
        by=PutForwardBy.CLIENT_SUPPORTER,
        waiting_for="Behandeling bij somberheid, met gesprekken en oefeningen",
    )
    transfer(offered, arkin_oost, [(T.PROPOSED, 3), (T.OFFERED, 2)], days_saved=56)
    proposed = candidate(7, angst, 10, S.IN_TRANSFER)
    transfer(proposed, arkin_oost, [(T.PROPOSED, 1)], days_saved=42)
    accepted = candidate(8, dep, 12, S.IN_TRANSFER, by=PutForwardBy.GP)
    transfer(accepted, arkin_oost, [(T.PROPOSED, 9), (T.OFFERED, 8), (T.ACCEPTED, 6)])
    handover = candidate(9, eet, 16, S.IN_TRANSFER, waiting_for="Behandeling van een eetprobleem")
    transfer(
        handover,
        top,
        [(T.PROPOSED, 14), (T.OFFERED, 13), (T.ACCEPTED, 11), (T.HANDOVER, 8)],
        days_saved=70,
    )
    planned = candidate(10, dep, 15, S.IN_TRANSFER)
    transfer(
        planned,
        arkin_oost,
        [
            (T.PROPOSED, 20),
            (T.OFFERED, 19),
            (T.ACCEPTED, 17),
            (T.HANDOVER, 14),
            (T.INTAKE_PLANNED, 12),
        ],
    )
    declined = candidate(11, dep, 12, S.WAITING_AT_PREFERRED, by=PutForwardBy.GP)
    transfer(
        declined,
        jellinek,
        [(T.PROPOSED, 30), (T.OFFERED, 29), (T.DECLINED, 27)],
        decline_reason="Reisafstand te groot",
    )
    Candidate.objects.filter(pk=declined.pk).update(
        waiting_at_preferred_since=today - timedelta(days=27),
        decline_reason="Reisafstand te groot",
        preferred_provider=ingeest,
    )
    failed = candidate(12, angst, 18, S.SUITABLE)
    transfer(
        failed,
        arkin_oost,
        [
            (T.PROPOSED, 40),
            (T.OFFERED, 39),
            (T.ACCEPTED, 37),
            (T.HANDOVER, 34),
            (T.INTAKE_PLANNED, 30),
            (T.INTAKE_FAILED, 21),
        ],
    )
    created += 7

    # Intakes done over the last months: enough in one group for the effect comparison.
    for i in range(8):
        done_ago = 20 + 14 * i
        c = candidate(
            20 + i,
            dep if i < 6 else angst,
            6 + done_ago // 7 + 4,
            S.TRANSFERRED,
            created_days_ago=done_ago + 30,
            by=(PutForwardBy.PROVIDER, PutForwardBy.GP)[i % 2],
        )
        transfer(
            c,
            arkin_oost if i % 3 else (online or arkin_oost),
            [
                (T.PROPOSED, done_ago + 25),
                (T.OFFERED, done_ago + 24),
                (T.ACCEPTED, done_ago + 22),
                (T.HANDOVER, done_ago + 18),
                (T.INTAKE_PLANNED, done_ago + 14),
                (T.INTAKE_DONE, done_ago),
            ],
            days_saved=28 + 7 * (i % 4),
        )
        created += 1
    # Declines in earlier months, for the reasons table.
    for i, reason in enumerate(
        ["Wil bij eigen behandelaar blijven"] * 5 + ["Reisafstand te groot"]
    ):
        c = candidate(40 + i, dep, 20, S.WAITING_AT_PREFERRED, created_days_ago=70 + 9 * i)
        transfer(
            c,
            jellinek,
            [(T.PROPOSED, 60 + 9 * i), (T.OFFERED, 59 + 9 * i), (T.DECLINED, 57 + 9 * i)],
            decline_reason=reason,
        )
        created += 1

    # One open proposal for the two suitable candidates.
    proposal = Proposal.objects.create(
        region_kind=REGION[0],
        region_code=REGION[1],
        requested_by=proces,
        objective=1200,
        greedy_objective=1410,
        stay_objective=2900,
        certificate_ok=True,
        parameters={"km_cost_tenths": 1, "handover_days": 7, "demo": True},
        candidate_count=2,
    )
    ProposalLine.objects.create(
        proposal=proposal,
        candidate=suitable_a,
        location=arkin_oost,
        days_saved=49,
        distance_km=4.2,
        cost=420,
        decision=LineDecision.PENDING,
    )
    ProposalLine.objects.create(
        proposal=proposal,
        candidate=suitable_b,
        location=arkin_oost,
        days_saved=45,
        distance_km=4.2,
        cost=780,
        decision=LineDecision.PENDING,
    )
    ensure_demo_code()
    return created

"""Demo transfer desk (`python -m vangnet demo`): region Amsterdam-Amstelland (VR13), where the
demo user `proces` is process owner.

Capacity for the region's locations (two figures stale), candidates in every state (some awaiting
screening, some screened), one open proposal, and transfers in every state of the workflow with
their history, warm-handover contacts and intakes spread over the last months (so the monthly
report and its effect comparison have something to show). One candidate has a fixed personal code
(`DEMO_CODE`, printed with the demo logins) so a visitor can open the client page.

Today's work goes through the desk's own services, as people would do it: capacity published by
the providers, candidates put forward by a clinician, a GP and a client supporter with consent,
screened by a screener of another organisation, one proposal from the engine whose lines the desk
takes over, and each transfer taken to its state by its steps (offer, answer, warm handover,
intake). The months before (intakes done, offers declined) cannot be made through services at a
past date: `_history` writes them straight through the models, backdated, so the monthly report
and its effect comparison have something to show. Idempotent: a second run only makes sure the
demo code still works. Loaded after the sociale kaart and the waiting lists (it uses their
locations, organisations and the process owner `proces`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.demo import demo_user
from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for
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
    PutForwardBy,
    Transfer,
    TransferEvent,
    TransferState,
)

T = TransferState

REGION = (RegionKind.SAFETY_REGION, "VR13")
PREFIX = "TK-DEMO-"
DEMO_CODE = "DEMO-KLNT-CODE"
DEMO_BIRTH_DATE = date(1990, 3, 12)
DEMO_PROVIDER_REFERENCE = "DEMO-05"  # the candidate whose transfer is offered

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
    # Arkin's data officer: publishes capacity, takes part in the warm handover, plans intakes.
    ("intake", "Ingrid Intake", "Arkin", Role.DATA_OFFICER),
]


# The types the main demo gives these organisations (when this demo runs alone, as in its test).
ORG_TYPES = {
    "Zilveren Kruis zorgbemiddeling": OrganisationType.INSURER,
    "Huisartsenpraktijk De Linde": OrganisationType.GP_PRACTICE,
    "Jellinek verslavingszorg": OrganisationType.ADDICTION_CARE,
}


def _org(name: str) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    return found or Organisation.objects.create(
        name=name, organisation_type=ORG_TYPES.get(name, OrganisationType.OTHER)
    )


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
    candidate = Candidate.objects.filter(provider_reference=DEMO_PROVIDER_REFERENCE).first()
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


def _live(users: dict[str, User], proces: User) -> int:
    """Capacity, candidates, screening, a proposal and open transfers, through the services."""
    from . import proposals, services

    today = timezone.localdate()
    amsterdam = Municipality.objects.get(code="GM0363")
    ingeest = Organisation.objects.get(agb_code="06290707")
    ingeest_loc = Location.objects.filter(organisation=ingeest).first()
    insurer = _org("Zilveren Kruis zorgbemiddeling")
    # The screener's organisation places them in the region (screeners see their own regions).
    Organisation.objects.filter(name="Jellinek verslavingszorg", municipality=None).update(
        municipality=amsterdam
    )
    oost = Location.objects.get(name="Arkin Oost")
    top = Location.objects.get(name="Arkin Topklinisch Centrum")
    monday = today - timedelta(days=today.weekday())
    intake = actor_for(users["intake"])
    rows = services.capacity_publish(
        actor=intake,
        rows=[
            services.CapacityInput(
                oost.pk, "depressief", monday, 6, 3, monday + timedelta(days=27)
            ),
            services.CapacityInput(oost.pk, "angst", monday, 4, 2, monday + timedelta(days=27)),
            services.CapacityInput(
                top.pk, "eetstoornis", monday, 2, 8, monday + timedelta(days=27)
            ),
            services.CapacityInput(top.pk, "depressief", monday, 3, 5, monday + timedelta(days=27)),
        ],
    )
    # Demo only: two figures published three weeks ago, shown as stale and left out by the engine.
    Capacity.objects.filter(pk__in=[r.pk for r in rows if r.location_id == top.pk]).update(
        published_at=timezone.now() - timedelta(days=21)
    )

    by_user: dict[str, User] = {
        PutForwardBy.PROVIDER: users["behandelaar"],
        PutForwardBy.GP: users["huisarts"],
        PutForwardBy.CLIENT_SUPPORTER: users["ondersteuner"],
    }

    def put_forward(n: int, group: str, weeks: int, by: str, **kw: object) -> Candidate:
        data = services.CandidateInput(
            municipality_code="GM0363",
            diagnosis_group=group,
            waiting_for=str(kw.pop("waiting_for", "Behandeling bij somberheid, met gesprekken")),
            waiting_since=today - timedelta(weeks=weeks),
            birth_date=kw.pop("born", date(1985, 6, 1)),  # type: ignore[arg-type]
            consent=True,
            consent_given_on=today,
            current_provider_id=ingeest.pk,
            current_location_id=ingeest_loc.pk if ingeest_loc else None,
            provider_reference=f"DEMO-{n:02d}",
            insurer_id=insurer.pk,
            expected_home_wait_weeks=16,
            travel_radius_km=25,
            ehealth_ok=n % 2 == 0,
            contact_name="Bas Behandelaar"
            if by == PutForwardBy.PROVIDER
            else by_user[by].get_full_name(),
            contact_phone="020-7885555",
        )
        return services.candidate_put_forward(actor=actor_for(by_user[by]), data=data)

    screener = actor_for(users["transferscreener"])

    def screened(c: Candidate, suitable: bool = True) -> Candidate:
        return services.candidate_screen(
            actor=screener,
            candidate=c,
            suitable=suitable,
            note="" if suitable else "Eerst stabilisatie nodig; daarna opnieuw bekijken.",
        )

    P, G, S = PutForwardBy.PROVIDER, PutForwardBy.GP, PutForwardBy.CLIENT_SUPPORTER
    put_forward(1, "depressief", 7, G)
    put_forward(2, "angst", 9, S)
    screened(
        put_forward(3, "eetstoornis", 14, P, waiting_for="Behandeling van een eetprobleem"), False
    )
    live = [
        screened(
            put_forward(
                5,
                "depressief",
                13,
                S,
                born=DEMO_BIRTH_DATE,
                waiting_for="Behandeling bij somberheid, met gesprekken en oefeningen",
            )
        ),
        screened(put_forward(6, "angst", 10, P)),
        screened(put_forward(7, "depressief", 12, G)),
        screened(put_forward(8, "depressief", 16, P)),
        screened(put_forward(9, "angst", 15, P)),
        screened(put_forward(10, "depressief", 12, G)),
        screened(put_forward(11, "depressief", 18, P)),
        screened(put_forward(12, "angst", 11, S)),
    ]
    desk = actor_for(proces)
    proposal = proposals.proposal_run(actor=desk, region=REGION)
    lines = {line.candidate_id: line for line in proposal.lines.all()}
    transfers = []
    for c in live:
        line = lines.get(c.pk)
        if line is not None and line.location_id is not None:
            transfers.append(proposals.line_accept(actor=desk, line=line))
    # Two screened candidates wait for the next proposal (suitable, no transfer yet).
    screened(put_forward(13, "depressief", 8, G))
    screened(put_forward(14, "angst", 6, P))

    forwarder = {c.pk: actor_for(by_user[c.put_forward_as]) for c in live}
    receiving = intake
    sending = actor_for(users["behandelaar"])
    targets = [
        T.OFFERED,  # the demo code's candidate
        T.PROPOSED,
        T.ACCEPTED,
        T.HANDOVER,
        T.INTAKE_PLANNED,
        T.DECLINED,
        T.INTAKE_DONE,
        T.INTAKE_FAILED,
    ]
    order = {c.pk: i for i, c in enumerate(live)}
    transfers.sort(key=lambda t: order[t.candidate_id])
    for t, target in zip(transfers, targets, strict=False):
        if target == T.PROPOSED:
            continue
        t = services.transfer_offer(actor=desk, transfer=t, note="Besproken aan de transfertafel.")
        if target == T.OFFERED:
            continue
        who = forwarder[t.candidate_id]
        if target == T.DECLINED:
            services.transfer_answer(
                actor=who, transfer=t, accepted=False, reason="Reisafstand te groot"
            )
            continue
        t = services.transfer_answer(actor=who, transfer=t, accepted=True)
        if target == T.ACCEPTED:
            continue
        services.handover_contact_record(
            actor=sending,
            transfer=t,
            spoke_with="Ingrid Intake (Arkin)",
            spoke_on=today,
            note="Dossier besproken; cliënt weet wat er komt.",
        )
        if target == T.HANDOVER:
            continue
        t = services.transfer_intake_plan(
            actor=receiving, transfer=t, intake_date=today + timedelta(days=9)
        )
        if target == T.INTAKE_PLANNED:
            continue
        if target == T.INTAKE_DONE:
            services.transfer_intake_done(actor=receiving, transfer=t)
        else:
            services.transfer_intake_failed(
                actor=receiving, transfer=t, reason="Cliënt was opgenomen in het ziekenhuis."
            )
    return Candidate.objects.filter(provider_reference__startswith="DEMO-").count()


def _history(users: dict[str, User], proces: User) -> int:
    """Earlier months, straight through the models and backdated (demo only): eight intakes
    done after a transfer (six in one group, for the effect comparison) and six declined offers."""
    today = timezone.localdate()
    now = timezone.now()
    amsterdam = Municipality.objects.get(code="GM0363")
    groups = {g.code: g for g in DiagnosisGroup.objects.all()}
    ingeest = Organisation.objects.get(agb_code="06290707")
    ingeest_loc = Location.objects.filter(organisation=ingeest).first()
    oost = Location.objects.get(name="Arkin Oost")
    jellinek = Location.objects.get(name="Jellinek Amsterdam")
    screener = users["transferscreener"]
    screener_org = Organisation.objects.get(name="Jellinek verslavingszorg")
    who, org = users["behandelaar"], ingeest

    def candidate(
        n: int, group: str, waiting_weeks: int, state: str, created_days_ago: int
    ) -> Candidate:
        created = now - timedelta(days=created_days_ago)
        c = Candidate.objects.create(
            reference=f"{PREFIX}{n:02d}",
            state=state,
            region_kind=REGION[0],
            region_code=REGION[1],
            municipality=amsterdam,
            diagnosis_group=groups[group],
            waiting_for="Behandeling bij somberheid, met gesprekken",
            waiting_since=today - timedelta(weeks=waiting_weeks),
            birth_date=date(1980, 1, 1) + timedelta(days=97 * n),
            current_provider=ingeest,
            current_location=ingeest_loc,
            provider_reference=f"HIST-{n:02d}",
            consent_given_on=(created - timedelta(days=1)).date(),
            consent_recorded_by=who,
            put_forward_as=PutForwardBy.PROVIDER,
            put_forward_by=who,
            put_forward_organisation=org,
            contact_name="Bas Behandelaar",
            contact_phone="020-7885555",
            screened_by=screener,
            screened_organisation=screener_org,
            screened_at=created + timedelta(days=2),
            screening_note="Geschikt voor transfer.",
        )
        Candidate.objects.filter(pk=c.pk).update(created_at=created)
        return c

    def transfer(
        c: Candidate, location: Location, steps: list[tuple[str, int]], **fields: object
    ) -> None:
        t = Transfer.objects.create(
            candidate=c, receiving_location=location, state=steps[-1][0], created_by=proces,
            days_saved=float(fields.pop("days_saved", 35.0)),  # type: ignore[arg-type]
            decline_reason=str(fields.pop("decline_reason", "")),
        )  # fmt: skip
        previous = ""
        for state, days_ago in steps:
            day = today - timedelta(days=days_ago)
            TransferEvent.objects.create(
                transfer=t, at=_at(day), actor=proces, from_state=previous, to_state=state
            )
            previous = state
            if state == T.OFFERED:
                fields.update(offered_at=_at(day), answer_due=day + timedelta(days=7))
            elif state in (T.ACCEPTED, T.DECLINED):
                fields["answered_at"] = _at(day, 14)
            elif state == T.HANDOVER:
                HandoverContact.objects.create(
                    transfer=t, organisation=ingeest, recorded_by=who, spoke_with="Intaker Arkin",
                    spoke_on=day, note="Dossier besproken.",
                )  # fmt: skip
            elif state == T.INTAKE_DONE:
                fields.update(intake_date=day, intake_done_on=day)
        fields["created_at"] = _at(today - timedelta(days=steps[0][1]))
        Transfer.objects.filter(pk=t.pk).update(**fields)

    n = 0
    for i in range(8):
        done_ago = 20 + 14 * i
        c = candidate(20 + i, "depressief" if i < 6 else "angst", 10 + done_ago // 7,
                      CandidateState.TRANSFERRED, done_ago + 30)  # fmt: skip
        transfer(
            c,
            oost,
            [(T.PROPOSED, done_ago + 25), (T.OFFERED, done_ago + 24), (T.ACCEPTED, done_ago + 22),
             (T.HANDOVER, done_ago + 18), (T.INTAKE_PLANNED, done_ago + 14), (T.INTAKE_DONE, done_ago)],
            days_saved=28 + 7 * (i % 4),
        )  # fmt: skip
        n += 1
    for i, reason in enumerate(
        ["Wil bij eigen behandelaar blijven"] * 5 + ["Reisafstand te groot"]
    ):
        c = candidate(40 + i, "depressief", 20, CandidateState.WAITING_AT_PREFERRED, 70 + 9 * i)
        Candidate.objects.filter(pk=c.pk).update(
            waiting_at_preferred_since=today - timedelta(days=57 + 9 * i), decline_reason=reason
        )
        transfer(c, jellinek, [(T.PROPOSED, 60 + 9 * i), (T.OFFERED, 59 + 9 * i), (T.DECLINED, 57 + 9 * i)],
                 decline_reason=reason)  # fmt: skip
        n += 1
    return n


@transaction.atomic
def load_demo() -> int:
    """Create the demo desk once; returns the number of candidates created."""
    users = _users()
    if Candidate.objects.filter(region_kind=REGION[0], region_code=REGION[1]).exists():
        ensure_demo_code()
        return 0
    proces = User.objects.get(username="proces")
    created = _live(users, proces) + _history(users, proces)
    ensure_demo_code()
    return created

"""Writes of the transfer mechanism: capacity, candidates, four-eyes screening and transfer steps.

Every service checks who acts (`access`), validates the input with Dutch messages that name the
field or the file line, runs in one transaction (nothing is half-saved) and logs the change in
the access log under the candidate's reference. Proposals (the matching engine) are in
`proposals.py`; the deadline reminders in `reminders.py`.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from vangnet.accounts.models import Membership, Role
from vangnet.accounts.selectors import Actor
from vangnet.audit.models import Action
from vangnet.audit.services import access_log_write
from vangnet.common.errors import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    raise_all,
)
from vangnet.directory.models import Location, Organisation, OrganisationType
from vangnet.regions.models import Municipality
from vangnet.waitlists.models import DiagnosisGroup, ProcessOwnerRegion, RegionKind

from . import access, workflow
from .models import (
    Candidate,
    CandidateState,
    Capacity,
    FinancingRegime,
    HandoverContact,
    Transfer,
    TransferEvent,
    TransferState,
    Urgency,
)

ANSWER_WORKING_DAYS = 5  # an offer not answered within this many working days is reminded
INTAKE_DATE_DAYS = 10  # an accepted transfer without an intake date after this many days
MAX_FREE_SLOTS = 500
MAX_WAIT_WEEKS = 104
MAX_VALID_DAYS = 120  # capacity is published for at most about four months ahead
MAX_CSV_LINES = 20_000
CAPACITY_COLUMNS = (
    "location_id",
    "diagnosis_group",
    "week",
    "free_slots",
    "expected_wait_weeks",
    "valid_until",
)


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _log(
    actor: Actor, candidate: Candidate, membership: Membership, action: str, what: str
) -> None:
    access_log_write(
        actor=actor,
        action=action,
        case_reference=candidate.reference,
        membership=membership,
        detail=what,
    )


# --- capacity ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityInput:
    location_id: int
    diagnosis_group: str  # the hoofddiagnosegroep's code
    week: date
    free_slots: int
    expected_wait_weeks: int
    valid_until: date


def _capacity_problems(
    row: CapacityInput,
    *,
    own_orgs: set[int],
    locations: dict[int, Location],
    groups: dict[str, DiagnosisGroup],
    today: date,
    prefix: str,
) -> list[DomainError]:
    errors: list[DomainError] = []
    location = locations.get(row.location_id)
    if location is None:
        errors.append(
            DomainError(f"{prefix}onbekende locatie {row.location_id}.", field="location_id")
        )
    elif location.organisation_id not in own_orgs:
        errors.append(
            DomainError(
                f"{prefix}locatie {row.location_id} is niet van uw eigen organisatie; u kunt "
                "alleen capaciteit van uw eigen locaties publiceren.",
                field="location_id",
            )
        )
    if row.diagnosis_group not in groups:
        errors.append(
            DomainError(
                f"{prefix}onbekende diagnosegroep '{row.diagnosis_group[:40]}'.",
                field="diagnosis_group",
            )
        )
    if row.free_slots < 0:
        errors.append(
            DomainError(f"{prefix}vrije intakeplekken kan niet negatief zijn.", field="free_slots")
        )
    elif row.free_slots > MAX_FREE_SLOTS:
        errors.append(
            DomainError(
                f"{prefix}{row.free_slots} vrije intakeplekken in één week is onwaarschijnlijk "
                f"veel (hoogstens {MAX_FREE_SLOTS}).",
                field="free_slots",
            )
        )
    if row.expected_wait_weeks < 0:
        errors.append(
            DomainError(
                f"{prefix}de verwachte wachttijd kan niet negatief zijn.",
                field="expected_wait_weeks",
            )
        )
    elif row.expected_wait_weeks > MAX_WAIT_WEEKS:
        errors.append(
            DomainError(
                f"{prefix}een verwachte wachttijd van {row.expected_wait_weeks} weken is "
                f"onwaarschijnlijk lang (hoogstens {MAX_WAIT_WEEKS}).",
                field="expected_wait_weeks",
            )
        )
    if row.week.weekday() != 0:
        errors.append(DomainError(f"{prefix}de week moet op een maandag beginnen.", field="week"))
    if row.week < today - timedelta(days=today.weekday()):
        errors.append(DomainError(f"{prefix}de week ligt in het verleden.", field="week"))
    if row.week > today + timedelta(days=MAX_VALID_DAYS):
        errors.append(
            DomainError(
                f"{prefix}de week ligt meer dan {MAX_VALID_DAYS} dagen vooruit.", field="week"
            )
        )
    if row.valid_until < row.week:
        errors.append(
            DomainError(
                f"{prefix}'geldig tot en met' ligt vóór het begin van de week.",
                field="valid_until",
            )
        )
    elif row.valid_until > today + timedelta(days=MAX_VALID_DAYS):
        errors.append(
            DomainError(
                f"{prefix}'geldig tot en met' ligt meer dan {MAX_VALID_DAYS} dagen vooruit.",
                field="valid_until",
            )
        )
    return errors


def capacity_publish(
    *, actor: Actor, rows: list[CapacityInput], channel: str = "web"
) -> list[Capacity]:
    """Publish free intake capacity for the actor's own locations (a new figure for the same
    location, group and week replaces the old one and is fresh again). All rows or none: every
    problem is reported at once."""
    return _publish(actor=actor, rows=[(None, r) for r in rows], errors=[], channel=channel)


def _publish(
    *,
    actor: Actor,
    rows: list[tuple[int | None, CapacityInput | None]],
    errors: list[DomainError],
    channel: str,
) -> list[Capacity]:
    """`rows` carry their file line number (None: not from a file) or None for a line that
    could not be read (its problem is already in `errors`)."""
    memberships = access.capacity_memberships(actor)
    if not memberships:
        access.log_denied(actor, action=Action.CREATE, channel=channel, detail="capaciteit")
        raise NotAllowed(
            "Alleen de datafunctionaris of manager van een aanbieder publiceert capaciteit."
        )
    if not rows:
        raise DomainError("Er is geen capaciteit opgegeven.")
    own_orgs = {m.organisation_id for m in memberships}
    locations = Location.objects.in_bulk({r.location_id for _n, r in rows if r is not None})
    groups = {g.code: g for g in DiagnosisGroup.objects.all()}
    today = timezone.localdate()
    errors = list(errors)
    seen: dict[tuple[int, str, date], int | None] = {}
    for number, row in rows:
        if row is None:
            continue
        prefix = f"Regel {number}: " if number is not None else ""
        errors += _capacity_problems(
            row, own_orgs=own_orgs, locations=locations, groups=groups, today=today, prefix=prefix
        )
        key = (row.location_id, row.diagnosis_group, row.week)
        if key in seen:
            where = f" (regel {seen[key]})" if seen[key] is not None else ""
            errors.append(
                DomainError(f"{prefix}dezelfde locatie, diagnosegroep en week staan er al{where}.")
            )
        seen.setdefault(key, number)
    errors.sort(key=_line_of)
    raise_all(errors)
    now = timezone.now()
    out: list[Capacity] = []
    with transaction.atomic():
        for _number, row in rows:
            assert row is not None
            capacity, _ = Capacity.objects.update_or_create(
                location=locations[row.location_id],
                diagnosis_group=groups[row.diagnosis_group],
                week=row.week,
                defaults={
                    "free_slots": row.free_slots,
                    "expected_wait_weeks": row.expected_wait_weeks,
                    "valid_until": row.valid_until,
                    "published_by": actor.user,
                    "published_at": now,
                },
            )
            out.append(capacity)
        access_log_write(
            actor=actor,
            action=Action.UPDATE,
            membership=memberships[0],
            channel=channel,
            detail=f"capaciteit gepubliceerd ({len(out)} regels)",
        )
    return out


def _parse_int(text: str, column: str, prefix: str, errors: list[DomainError]) -> int:
    try:
        return int(text.strip())
    except ValueError:
        errors.append(DomainError(f"{prefix}'{column}' moet een geheel getal zijn.", field=column))
        return 0


def _parse_date(text: str, column: str, prefix: str, errors: list[DomainError]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(
            DomainError(f"{prefix}'{column}' moet een datum zijn als JJJJ-MM-DD.", field=column)
        )
        return None


def _line_of(error: DomainError) -> int:
    text = error.message
    if text.startswith("Regel "):
        digits = text[6:].split(":", 1)[0]
        if digits.isdigit():
            return int(digits)
    return 0


def capacity_rows_from_csv(
    content: bytes,
) -> tuple[list[tuple[int | None, CapacityInput | None]], list[DomainError]]:
    """Parse a capacity file (UTF-8 CSV, comma or semicolon, the columns of
    `CAPACITY_COLUMNS`): the rows with their line numbers (the header is line 1) and the
    problems of lines that could not be read."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("Het bestand is geen UTF-8-tekst (sla het op als CSV UTF-8).") from None
    if not text.strip():
        raise DomainError("Het bestand is leeg.")
    first = text.splitlines()[0]
    dialect = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CAPACITY_COLUMNS if c not in header]
    if missing:
        raise DomainError(
            "Kolommen ontbreken in de kopregel: "
            + ", ".join(missing)
            + ". Verwacht: "
            + ", ".join(CAPACITY_COLUMNS)
            + "."
        )
    rows: list[tuple[int | None, CapacityInput | None]] = []
    errors: list[DomainError] = []
    for number, raw in enumerate(reader, start=2):
        if number > MAX_CSV_LINES + 1:
            raise DomainError(f"Het bestand heeft meer dan {MAX_CSV_LINES} regels.")
        values = {(k or "").strip(): (v or "") for k, v in raw.items() if isinstance(v, str)}
        if not any(values.values()):
            continue
        prefix = f"Regel {number}: "
        line_errors: list[DomainError] = []
        location_id = _parse_int(values.get("location_id", ""), "location_id", prefix, line_errors)
        free = _parse_int(values.get("free_slots", ""), "free_slots", prefix, line_errors)
        wait = _parse_int(
            values.get("expected_wait_weeks", ""), "expected_wait_weeks", prefix, line_errors
        )
        week = _parse_date(values.get("week", ""), "week", prefix, line_errors)
        until = _parse_date(values.get("valid_until", ""), "valid_until", prefix, line_errors)
        errors += line_errors
        if line_errors or week is None or until is None:
            rows.append((number, None))
            continue
        rows.append(
            (
                number,
                CapacityInput(
                    location_id=location_id,
                    diagnosis_group=values.get("diagnosis_group", "").strip(),
                    week=week,
                    free_slots=free,
                    expected_wait_weeks=wait,
                    valid_until=until,
                ),
            )
        )
    if not rows:
        raise DomainError("Het bestand bevat geen regels met capaciteit.")
    return rows, errors


def capacity_import(*, actor: Actor, content: bytes, channel: str = "web") -> list[Capacity]:
    """A provider with many locations uploads capacity as CSV: all lines or none."""
    if not access.capacity_memberships(actor):
        access.log_denied(actor, action=Action.CREATE, channel=channel, detail="capaciteit")
        raise NotAllowed(
            "Alleen de datafunctionaris of manager van een aanbieder publiceert capaciteit."
        )
    rows, errors = capacity_rows_from_csv(content)
    return _publish(actor=actor, rows=rows, errors=errors, channel=channel)


# --- candidates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateInput:
    municipality_code: str
    diagnosis_group: str
    waiting_for: str
    waiting_since: date
    birth_date: date
    consent: bool
    consent_given_on: date | None
    current_provider_id: int | None = None
    current_location_id: int | None = None
    provider_reference: str = ""
    insurer_id: int | None = None
    financing: str = FinancingRegime.ZVW
    urgency: str = Urgency.REGULAR
    expected_home_wait_weeks: int = 12
    travel_radius_km: int = 35
    ehealth_ok: bool = False
    neighbouring_regions_ok: bool = False
    refused_provider_ids: list[int] = field(default_factory=list)
    preferred_provider_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    organisation_id: int | None = None  # on whose behalf, when the actor has several


def region_for_municipality(municipality: Municipality) -> tuple[str, str]:
    """The desk that serves a municipality: the first region (of any kind) that has a process
    owner, else the municipality's veiligheidsregio (a desk can be named for it later)."""
    regions = access.municipality_regions(municipality.code)
    desks = set(ProcessOwnerRegion.objects.values_list("region_kind", "region_code"))
    for kind in (RegionKind.SAFETY_REGION, RegionKind.TABLE, RegionKind.PROVINCE):
        for region in regions:
            if region[0] == kind and region in desks:
                return region
    for region in regions:
        if region[0] == RegionKind.SAFETY_REGION:
            return region
    raise DomainError("Voor deze gemeente is geen regio bekend.", field="municipality_code")


def _new_reference(today: date) -> str:
    return f"TK-{today.year}-{secrets.randbelow(10**6):06d}"


def candidate_put_forward(*, actor: Actor, data: CandidateInput, channel: str = "web") -> Candidate:
    """Put a waiting client forward for transfer, with their recorded consent (criterion c)."""
    memberships = access.can_put_forward(actor)
    if data.organisation_id is not None:
        memberships = [m for m in memberships if m.organisation_id == data.organisation_id]
    if not memberships:
        access.log_denied(actor, action=Action.CREATE, channel=channel, detail="transferkandidaat")
        raise NotAllowed(
            "Een cliënt aandragen voor transfer kan de aanbieder waar de cliënt wacht "
            "(datafunctionaris of behandelaar), de huisarts, een onafhankelijke "
            "cliëntondersteuner of zorgbemiddeling van de zorgverzekeraar."
        )
    membership = memberships[0]
    today = timezone.localdate()
    errors: list[DomainError] = []
    if not data.consent or data.consent_given_on is None:
        errors.append(
            DomainError(
                "Zonder toestemming van de cliënt kan de cliënt niet worden aangedragen: leg "
                "vast wanneer de cliënt toestemming gaf om de gegevens te delen.",
                field="consent",
            )
        )
    elif data.consent_given_on > today:
        errors.append(
            DomainError(
                "De datum van de toestemming ligt in de toekomst.", field="consent_given_on"
            )
        )
    municipality = Municipality.objects.filter(code=data.municipality_code).first()
    if municipality is None:
        errors.append(DomainError("Onbekende gemeente.", field="municipality_code"))
    group = DiagnosisGroup.objects.filter(code=data.diagnosis_group).first()
    if group is None:
        errors.append(DomainError("Onbekende diagnosegroep.", field="diagnosis_group"))
    if not data.waiting_for.strip():
        errors.append(DomainError("Vul in waar de cliënt op wacht.", field="waiting_for"))
    if data.waiting_since > today:
        errors.append(DomainError("'Wacht sinds' ligt in de toekomst.", field="waiting_since"))
    elif data.waiting_since < today - timedelta(days=3650):
        errors.append(
            DomainError("'Wacht sinds' ligt meer dan tien jaar terug.", field="waiting_since")
        )
    if data.birth_date > today or data.birth_date < date(today.year - 120, 1, 1):
        errors.append(DomainError("De geboortedatum is niet mogelijk.", field="birth_date"))
    if not 1 <= data.travel_radius_km <= 300:
        errors.append(
            DomainError("De reisafstand moet tussen 1 en 300 km liggen.", field="travel_radius_km")
        )
    if not 0 <= data.expected_home_wait_weeks <= MAX_WAIT_WEEKS:
        errors.append(
            DomainError(
                f"De verwachte resterende wachttijd moet tussen 0 en {MAX_WAIT_WEEKS} weken "
                "liggen.",
                field="expected_home_wait_weeks",
            )
        )
    if data.financing not in FinancingRegime.values:
        errors.append(DomainError("Onbekende financiering.", field="financing"))
    if data.urgency not in Urgency.values:
        errors.append(DomainError("Onbekende urgentie.", field="urgency"))
    current_id = data.current_provider_id
    if current_id is None and membership.role in access.PROVIDER_ROLES:
        current_id = membership.organisation_id
    current = Organisation.objects.filter(pk=current_id).first() if current_id else None
    if current is None:
        errors.append(
            DomainError("Geef de aanbieder waar de cliënt wacht.", field="current_provider_id")
        )
    location = None
    if data.current_location_id is not None:
        location = Location.objects.filter(pk=data.current_location_id).first()
        if location is None or (current is not None and location.organisation_id != current.pk):
            errors.append(
                DomainError(
                    "De locatie hoort niet bij de aanbieder waar de cliënt wacht.",
                    field="current_location_id",
                )
            )
    insurer = None
    if data.insurer_id is not None:
        insurer = Organisation.objects.filter(
            pk=data.insurer_id, organisation_type=OrganisationType.INSURER
        ).first()
        if insurer is None:
            errors.append(DomainError("Onbekende zorgverzekeraar.", field="insurer_id"))
    elif membership.role == Role.ZORGBEMIDDELING:
        insurer = membership.organisation
    refused = list(Organisation.objects.filter(pk__in=data.refused_provider_ids))
    if len(refused) != len(set(data.refused_provider_ids)):
        errors.append(
            DomainError("Een geweigerde aanbieder bestaat niet.", field="refused_provider_ids")
        )
    preferred = None
    if data.preferred_provider_id is not None:
        preferred = Organisation.objects.filter(pk=data.preferred_provider_id).first()
        if preferred is None:
            errors.append(
                DomainError("Onbekende voorkeursaanbieder.", field="preferred_provider_id")
            )
        elif data.preferred_provider_id in data.refused_provider_ids:
            errors.append(
                DomainError(
                    "De voorkeursaanbieder staat ook bij de aanbieders die de cliënt niet wil.",
                    field="preferred_provider_id",
                )
            )
    region = None
    if municipality is not None:
        try:
            region = region_for_municipality(municipality)
        except DomainError as exc:
            errors.append(exc)
    raise_all(errors)
    assert municipality is not None and group is not None and current is not None
    assert region is not None and data.consent_given_on is not None
    with transaction.atomic():
        for _attempt in range(20):
            reference = _new_reference(today)
            if not Candidate.objects.filter(reference=reference).exists():
                break
        candidate = Candidate.objects.create(
            reference=reference,
            region_kind=region[0],
            region_code=region[1],
            municipality=municipality,
            diagnosis_group=group,
            financing=data.financing,
            urgency=data.urgency,
            waiting_for=data.waiting_for.strip()[:200],
            waiting_since=data.waiting_since,
            expected_home_wait_weeks=data.expected_home_wait_weeks,
            birth_date=data.birth_date,
            current_provider=current,
            current_location=location,
            provider_reference=data.provider_reference.strip()[:40],
            insurer=insurer,
            travel_radius_km=data.travel_radius_km,
            ehealth_ok=data.ehealth_ok,
            neighbouring_regions_ok=data.neighbouring_regions_ok,
            preferred_provider=preferred,
            consent_given_on=data.consent_given_on,
            consent_recorded_by=actor.user,
            put_forward_as=access.PUT_FORWARD_ROLES[membership.role],
            put_forward_by=actor.user,
            put_forward_organisation=membership.organisation,
            contact_name=data.contact_name.strip()[:120],
            contact_phone=data.contact_phone.strip()[:30],
        )
        candidate.refused_providers.set(refused)
        _log(actor, candidate, membership, Action.CREATE, "aangedragen voor transfer")
    return candidate


def _lock_candidate(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().get(pk=candidate.pk)


def candidate_screen(
    *, actor: Actor, candidate: Candidate, suitable: bool, note: str, channel: str = "web"
) -> Candidate:
    """Four-eyes screening (criterion b): a screener of another organisation than the one that
    put the client forward confirms suitability, or not with a reason. The same person or the
    same organisation is refused."""
    screeners = [m for m in actor.memberships if m.role == Role.TRANSFER_SCREENER]
    if actor.user.pk == candidate.put_forward_by_id:
        access.log_denied(actor, action=Action.UPDATE, channel=channel, detail="screening")
        raise NotAllowed(
            "Vier ogen: wie de cliënt aandroeg, kan de screening niet zelf doen. Een screener "
            "van een andere organisatie beoordeelt."
        )
    others = [m for m in screeners if m.organisation_id != candidate.put_forward_organisation_id]
    if screeners and not others:
        access.log_denied(actor, action=Action.UPDATE, channel=channel, detail="screening")
        raise NotAllowed(
            "Vier ogen: een screener van dezelfde organisatie als die de cliënt aandroeg, kan "
            "niet screenen. Een screener van een andere organisatie beoordeelt."
        )
    grant = access.candidate_access(
        actor, candidate, action=Action.UPDATE, channel=channel, detail="screening",
        parts=("screener",),
    )  # fmt: skip
    note = note.strip()
    if not suitable and not note:
        raise DomainError("Geef de reden waarom de cliënt niet geschikt is.", field="note")
    if len(note) > 2000:
        raise DomainError("De toelichting is te lang (hoogstens 2000 tekens).", field="note")
    with transaction.atomic():
        locked = _lock_candidate(candidate)
        to = CandidateState.SUITABLE if suitable else CandidateState.UNSUITABLE
        workflow.require_candidate_step(locked.state, to)
        locked.state = to
        locked.screened_by = actor.user
        locked.screened_organisation = grant.membership.organisation
        locked.screened_at = timezone.now()
        locked.screening_note = note
        locked.save()
    return locked


def candidate_withdraw(*, actor: Actor, candidate: Candidate, channel: str = "web") -> Candidate:
    """The client no longer wants a transfer (desk or whoever put them forward)."""
    access.candidate_access(
        actor, candidate, action=Action.UPDATE, channel=channel, detail="ingetrokken",
        parts=("desk", "put_forward"),
    )  # fmt: skip
    with transaction.atomic():
        locked = _lock_candidate(candidate)
        workflow.require_candidate_step(locked.state, CandidateState.WITHDRAWN)
        locked.state = CandidateState.WITHDRAWN
        locked.save(update_fields=["state", "updated_at"])
    return locked


def candidate_back_on_list(
    *, actor: Actor, candidate: Candidate, channel: str = "web"
) -> Candidate:
    """A client waiting at their preferred provider asks for a transfer after all."""
    access.candidate_access(
        actor, candidate, action=Action.UPDATE, channel=channel, detail="weer op de lijst",
        parts=("desk", "put_forward"),
    )  # fmt: skip
    with transaction.atomic():
        locked = _lock_candidate(candidate)
        workflow.require_candidate_step(locked.state, CandidateState.SUITABLE)
        locked.state = CandidateState.SUITABLE
        locked.save(update_fields=["state", "updated_at"])
    return locked


# --- transfers ----------------------------------------------------------------------------------


def transfer_get(pk: int) -> Transfer:
    transfer = (
        Transfer.objects.select_related(
            "candidate", "receiving_location__organisation", "capacity", "zorgbemiddeling"
        )
        .filter(pk=pk)
        .first()
    )
    if transfer is None:
        raise NotFound("Deze transfer bestaat niet.")
    return transfer


def _event(transfer: Transfer, actor: Actor, from_state: str, to_state: str, note: str) -> None:
    TransferEvent.objects.create(
        transfer=transfer,
        actor=actor.user,
        from_state=from_state,
        to_state=to_state,
        note=note[:2000],
    )


def _step(
    *,
    actor: Actor,
    transfer: Transfer,
    to_state: str,
    parts: tuple[str, ...],
    channel: str,
    note: str = "",
    detail: str,
) -> tuple[Transfer, Candidate]:
    """Check the actor's part and the state machine, lock, move, record. The caller completes
    the fields of the step inside its own atomic block."""
    access.candidate_access(
        actor, transfer.candidate, action=Action.UPDATE, channel=channel, detail=detail,
        parts=parts,
    )  # fmt: skip
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    workflow.require_transfer_step(locked.state, to_state)
    from_state = locked.state
    locked.state = to_state
    _event(locked, actor, from_state, to_state, note)
    candidate = _lock_candidate(transfer.candidate)
    return locked, candidate


def transfer_offer(
    *, actor: Actor, transfer: Transfer, note: str = "", channel: str = "web"
) -> Transfer:
    """The offer goes to the client through whoever put them forward; the client has five
    working days to answer."""
    with transaction.atomic():
        t, _c = _step(
            actor=actor, transfer=transfer, to_state=TransferState.OFFERED,
            parts=("desk", "put_forward"), channel=channel, note=note, detail="aanbieden",
        )  # fmt: skip
        now = timezone.now()
        t.offered_at = now
        t.answer_due = add_working_days(timezone.localdate(), ANSWER_WORKING_DAYS)
        t.save()
    return t


def transfer_answer(
    *, actor: Actor, transfer: Transfer, accepted: bool, reason: str = "", channel: str = "web"
) -> Transfer:
    """The client's answer, recorded by whoever put them forward (or the desk). A decline marks
    the candidate *wachtend bij voorkeursaanbieder* from today, with the reason."""
    reason = reason.strip()
    if not accepted and not reason:
        raise DomainError("Geef de reden waarom de cliënt het aanbod afwijst.", field="reason")
    if len(reason) > 2000:
        raise DomainError("De reden is te lang (hoogstens 2000 tekens).", field="reason")
    to = TransferState.ACCEPTED if accepted else TransferState.DECLINED
    with transaction.atomic():
        t, c = _step(
            actor=actor, transfer=transfer, to_state=to, parts=("put_forward", "desk"),
            channel=channel, note=reason, detail="antwoord cliënt",
        )  # fmt: skip
        today = timezone.localdate()
        t.answered_at = timezone.now()
        if accepted:
            t.intake_due = today + timedelta(days=INTAKE_DATE_DAYS)
        else:
            t.decline_reason = reason
            workflow.require_candidate_step(c.state, CandidateState.WAITING_AT_PREFERRED)
            c.state = CandidateState.WAITING_AT_PREFERRED
            c.waiting_at_preferred_since = today
            c.decline_reason = reason
            c.save()
        t.save()
    return t


def handover_contact_record(
    *,
    actor: Actor,
    transfer: Transfer,
    spoke_with: str,
    spoke_on: date,
    note: str = "",
    channel: str = "web",
) -> HandoverContact:
    """Warm handover (criterion d): the sending or receiving provider records who spoke with
    whom and when. The first contact starts the handover."""
    # The two providers are the parties of the handover whatever the state: a contact recorded
    # too early is a state error (409), not a refusal.
    membership = access.handover_membership(actor, transfer)
    if membership is None:
        access.candidate_access(
            actor, transfer.candidate, action=Action.UPDATE, channel=channel,
            detail="warme overdracht", parts=("sending", "receiving"),
        )  # fmt: skip
        raise NotAllowed()  # pragma: no cover - candidate_access refuses first
    access_log_write(
        actor=actor,
        action=Action.UPDATE,
        case_reference=transfer.candidate.reference,
        membership=membership,
        channel=channel,
        detail="warme overdracht",
    )
    errors: list[DomainError] = []
    if not spoke_with.strip():
        errors.append(DomainError("Vul in met wie u sprak.", field="spoke_with"))
    if spoke_on > timezone.localdate():
        errors.append(
            DomainError("De datum van het gesprek ligt in de toekomst.", field="spoke_on")
        )
    if len(note) > 2000:
        errors.append(
            DomainError("De afspraken zijn te lang (hoogstens 2000 tekens).", field="note")
        )
    raise_all(errors)
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.state not in (TransferState.ACCEPTED, TransferState.HANDOVER):
            raise InvalidTransition(
                "Een overdrachtscontact kan pas als de cliënt het aanbod accepteerde, en tot de "
                f"intake gepland is; de transfer staat op '{TransferState(locked.state).label}'."
            )
        contact = HandoverContact.objects.create(
            transfer=locked,
            organisation=membership.organisation,
            recorded_by=actor.user,
            spoke_with=spoke_with.strip()[:200],
            spoke_on=spoke_on,
            note=note.strip(),
        )
        if locked.state == TransferState.ACCEPTED:
            _event(locked, actor, locked.state, TransferState.HANDOVER, "eerste overdrachtscontact")
            locked.state = TransferState.HANDOVER
            locked.save(update_fields=["state", "updated_at"])
    return contact


def transfer_intake_plan(
    *, actor: Actor, transfer: Transfer, intake_date: date, channel: str = "web"
) -> Transfer:
    """The receiving provider confirms the intake date."""
    today = timezone.localdate()
    if intake_date < today:
        raise DomainError("De intakedatum ligt in het verleden.", field="intake_date")
    if intake_date > today + timedelta(days=365):
        raise DomainError("De intakedatum ligt meer dan een jaar vooruit.", field="intake_date")
    with transaction.atomic():
        t, _c = _step(
            actor=actor, transfer=transfer, to_state=TransferState.INTAKE_PLANNED,
            parts=("receiving",), channel=channel, note=f"intake op {intake_date.isoformat()}",
            detail="intakedatum",
        )  # fmt: skip
        t.intake_date = intake_date
        t.save()
    return t


def transfer_intake_done(
    *, actor: Actor, transfer: Transfer, on: date | None = None, channel: str = "web"
) -> Transfer:
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("De intake kan niet in de toekomst gedaan zijn.", field="on")
    with transaction.atomic():
        t, c = _step(
            actor=actor, transfer=transfer, to_state=TransferState.INTAKE_DONE,
            parts=("receiving", "desk"), channel=channel, detail="intake gedaan",
        )  # fmt: skip
        t.intake_done_on = on
        t.save()
        workflow.require_candidate_step(c.state, CandidateState.TRANSFERRED)
        c.state = CandidateState.TRANSFERRED
        c.save(update_fields=["state", "updated_at"])
    return t


def transfer_intake_failed(
    *, actor: Actor, transfer: Transfer, reason: str, channel: str = "web"
) -> Transfer:
    """The intake did not happen: the client goes back on the list (suitable again)."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Geef de reden waarom de intake niet doorging.", field="reason")
    with transaction.atomic():
        t, c = _step(
            actor=actor, transfer=transfer, to_state=TransferState.INTAKE_FAILED,
            parts=("receiving", "desk"), channel=channel, note=reason,
            detail="intake niet doorgegaan",
        )  # fmt: skip
        t.failure_reason = reason[:2000]
        t.save()
        workflow.require_candidate_step(c.state, CandidateState.SUITABLE)
        c.state = CandidateState.SUITABLE
        c.save(update_fields=["state", "updated_at"])
    return t


def transfer_attach_zorgbemiddeling(
    *, actor: Actor, transfer: Transfer, note: str = "", channel: str = "web"
) -> Transfer:
    """The desk attaches the client's insurer's zorgbemiddeling (criterion j): out of region,
    or when capacity must be bought or created."""
    access.candidate_access(
        actor, transfer.candidate, action=Action.UPDATE, channel=channel,
        detail="zorgbemiddeling", parts=("desk",),
    )  # fmt: skip
    insurer = transfer.candidate.insurer
    if insurer is None:
        raise DomainError(
            "Van deze cliënt is geen zorgverzekeraar bekend; zorgbemiddeling kan niet worden "
            "ingeschakeld."
        )
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if locked.state not in workflow.OPEN_TRANSFER_STATES:
            raise InvalidTransition(
                "Zorgbemiddeling inschakelen kan alleen bij een lopende transfer."
            )
        locked.zorgbemiddeling = insurer
        locked.save(update_fields=["zorgbemiddeling", "updated_at"])
        _event(locked, actor, locked.state, locked.state, "zorgbemiddeling ingeschakeld")
    return locked


def transfer_zorgbemiddeling_record(
    *, actor: Actor, transfer: Transfer, note: str, channel: str = "web"
) -> Transfer:
    """Zorgbemiddeling records what it arranged (bought or created capacity, out of region)."""
    note = note.strip()
    if not note:
        raise DomainError("Vul in wat zorgbemiddeling regelde.", field="note")
    if len(note) > 2000:
        raise DomainError("De tekst is te lang (hoogstens 2000 tekens).", field="note")
    access.candidate_access(
        actor, transfer.candidate, action=Action.UPDATE, channel=channel,
        detail="zorgbemiddeling", parts=("zorgbemiddeling",),
    )  # fmt: skip
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
        locked.zorgbemiddeling_note = note
        locked.save(update_fields=["zorgbemiddeling_note", "updated_at"])
        _event(locked, actor, locked.state, locked.state, "zorgbemiddeling: " + note[:200])
    return locked

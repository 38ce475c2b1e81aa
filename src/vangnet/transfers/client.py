"""What the client page and the printed letter say (cliëntreis, seed 002 bijlage 2).

Three questions, in plain Dutch (B1: short sentences, no jargon):

* Perspectief — what am I waiting for and how long will it probably take: what the candidate waits
  for (`waiting_for`, in the words of whoever put them forward), since when, where, and the
  expected wait of the receiving location (an open transfer) or of the current one, from fresh
  capacity figures or else the sociale kaart's offer.
* Vangnet — who is my contact person until the intake, who stands up for me (independent client
  support), where do I go when it gets worse: the GP, the provider's crisis service, 113.
* Zelfregie — what can I do myself meanwhile: the sociale kaart's public offers for the client's
  region (self-help, peer support, e-health, ...), and how to ask for a transfer myself.

Never shown: a BSN (the candidate holds none) and the diagnosis, also not the diagnosis group's
name, which says as much: the page speaks of "de zorg waarop u wacht". Offers whose text names the
client's diagnosis group are left out for the same reason (a letter can lie on a kitchen table).

The sociale kaart's selectors sit above this app in the layers, so the offers are read here from
`directory.models` with the same rule as the public region page (`directory.selectors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from vangnet.common.dates import dutch_date
from vangnet.directory.models import (
    PUBLIC_KINDS,
    Location,
    Offer,
    OfferKind,
    ServedArea,
)
from vangnet.regions.selectors import municipalities_of_table, table_for_municipality
from vangnet.waitlists.models import RegionKind

from .models import (
    CAPACITY_STALE_AFTER_DAYS,
    Candidate,
    CandidateState,
    Capacity,
    PutForwardBy,
    Transfer,
    TransferState,
)

NORM_WEEKS_INTAKE = 4  # Treeknorm: intake within four weeks
OFFERS_PER_KIND = 4
OPEN_STATES = (
    TransferState.OFFERED,
    TransferState.ACCEPTED,
    TransferState.HANDOVER,
    TransferState.INTAKE_PLANNED,
)
SELF_KINDS = (
    OfferKind.SELF_HELP,
    OfferKind.PEER_SUPPORT,
    OfferKind.EHEALTH,
    OfferKind.SOCIAL_WORK,
    OfferKind.DEBT_COUNSELLING,
    OfferKind.DAY_ACTIVITIES,
)


@dataclass(frozen=True)
class Help:
    name: str
    organisation: str
    kind: str
    description: str
    phone: str
    website: str
    where: str
    self_access: bool
    free: bool


@dataclass
class ClientPage:
    reference: str
    # perspectief
    waiting_for: str
    waiting_since: str
    weeks_waiting: int
    waits_at: str
    status: list[str]
    expectation: list[str]
    over_norm: bool
    # vangnet
    contact_name: str
    contact_phone: str
    contact_organisation: str
    put_forward_by: str
    supporter_note: str
    crisis: list[Help]
    client_support: list[Help]
    # zelfregie
    self_help: list[Help]
    region_table: int | None
    region_kind: str
    region_code: str
    region_name: str
    insurer: str
    preferences: list[str] = field(default_factory=list)


def weeks(n: float) -> str:
    n = round(n)
    return f"{n} week" if n == 1 else f"{n} weken"


def _open_transfer(candidate: Candidate) -> Transfer | None:
    return (
        candidate.transfers.filter(state__in=OPEN_STATES)
        .select_related("receiving_location__organisation", "receiving_location__municipality")
        .order_by("-created_at")
        .first()
    )


def _done_transfer(candidate: Candidate) -> Transfer | None:
    return (
        candidate.transfers.filter(state=TransferState.INTAKE_DONE)
        .select_related("receiving_location__organisation")
        .order_by("-intake_done_on")
        .first()
    )


def expected_wait_weeks(location: Location | None, candidate: Candidate) -> tuple[int | None, str]:
    """The expected wait to intake at a location for the candidate's group, and its source."""
    if location is None:
        return None, ""
    today = timezone.localdate()
    fresh = timezone.now() - timedelta(days=CAPACITY_STALE_AFTER_DAYS)
    cap = (
        Capacity.objects.filter(
            location=location,
            diagnosis_group_id=candidate.diagnosis_group_id,
            published_at__gte=fresh,
            valid_until__gte=today,
        )
        .order_by("-week")
        .first()
    )
    if cap is not None:
        return cap.expected_wait_weeks, "opgave van de aanbieder aan het transferpunt"
    offer = (
        Offer.objects.filter(location=location, diagnosis_groups=candidate.diagnosis_group_id)
        .exclude(stated_wait_weeks__isnull=True, observed_wait_weeks__isnull=True)
        .order_by("stated_wait_weeks")
        .first()
    )
    if offer is not None:
        value = offer.stated_wait_weeks
        if value is None and offer.observed_wait_weeks is not None:
            value = round(offer.observed_wait_weeks)
        return value, "sociale kaart"
    return None, ""


def _place(location: Location) -> str:
    if location.remote:
        return f"{location.organisation.name} (online of aan de telefoon)"
    town = location.municipality.name if location.municipality else ""
    address = ", ".join(p for p in (location.address, town) if p)
    name = location.organisation.name
    if location.name and location.name != name:
        name = f"{name}, {location.name}"
    return name + (f" ({address})" if address else "")


def _status(candidate: Candidate, transfer: Transfer | None, done: Transfer | None) -> list[str]:
    provider = candidate.current_provider.name
    state = candidate.state
    if done is not None and state == CandidateState.TRANSFERRED:
        when = f" op {dutch_date(done.intake_done_on)}" if done.intake_done_on else ""
        return [
            f"Uw intake bij {_place(done.receiving_location)} is geweest{when}.",
            "Uw nieuwe behandelaar is nu uw contactpersoon.",
        ]
    if transfer is not None:
        place = _place(transfer.receiving_location)
        if transfer.state == TransferState.OFFERED:
            due = f" vóór {dutch_date(transfer.answer_due)}" if transfer.answer_due else ""
            return [
                f"Er is een plek voor u gevonden: {place}.",
                f"Wilt u daarheen? Laat het uw contactpersoon weten{due}.",
                "Zegt u nee? Dan blijft u wachten bij de aanbieder waar u nu wacht. Dat mag.",
            ]
        if transfer.state in (TransferState.ACCEPTED, TransferState.HANDOVER):
            return [
                f"U hebt ja gezegd tegen een plek bij {place}.",
                "De aanbieder waar u nu wacht en uw nieuwe aanbieder bellen elkaar over u. "
                "Daarna krijgt u een datum voor de intake.",
            ]
        if transfer.state == TransferState.INTAKE_PLANNED and transfer.intake_date:
            return [f"Uw intake is op {dutch_date(transfer.intake_date)} bij {place}."]
    if state == CandidateState.AWAITING_SCREENING:
        return [
            "U hebt gevraagd of u ergens anders sneller terecht kunt. Dat heet een transfer.",
            "Iemand van een andere organisatie kijkt eerst mee of dat bij u past. Zo kijken "
            "altijd twee mensen naar uw vraag.",
        ]
    if state in (CandidateState.SUITABLE, CandidateState.IN_TRANSFER):
        return [
            "Een andere plek past bij u. Het transferpunt van uw regio zoekt een plek waar u "
            "sneller terecht kunt.",
            "Vinden we een plek? Dan hoort u dat van uw contactpersoon. U beslist zelf of u "
            "daarheen wilt.",
        ]
    if state == CandidateState.UNSUITABLE:
        return [
            f"Een andere plek past nu niet bij u. U blijft wachten bij {provider}.",
            "Wilt u weten waarom? Vraag het uw contactpersoon.",
        ]
    if state == CandidateState.WAITING_AT_PREFERRED:
        preferred = candidate.preferred_provider.name if candidate.preferred_provider else provider
        return [
            f"U hebt gekozen om te wachten bij {preferred}. Dat mag.",
            "Wilt u later toch naar een andere plek? Vraag het uw contactpersoon.",
        ]
    return [f"U staat niet meer op de lijst voor een andere plek. U wacht bij {provider}."]


def _expectation(
    candidate: Candidate, transfer: Transfer | None, waited: int
) -> tuple[list[str], bool]:
    over = waited > NORM_WEEKS_INTAKE
    lines: list[str] = []
    if transfer is not None and transfer.state == TransferState.INTAKE_PLANNED:
        return lines, over
    location = transfer.receiving_location if transfer is not None else candidate.current_location
    expected, source = expected_wait_weeks(location, candidate)
    where = location.organisation.name if location is not None else candidate.current_provider.name
    if expected is not None:
        lines.append(
            f"Bij {where} wachten mensen nu ongeveer {weeks(expected)} op een intake "
            f"(bron: {source})."
        )
        if transfer is None and waited >= expected:
            lines.append("U wacht al langer dan dat. Vraag uw contactpersoon wat er gebeurt.")
    else:
        lines.append(
            f"We weten nog niet hoe lang u bij {where} moet wachten. Uw contactpersoon kan het "
            "u vertellen zodra het bekend is."
        )
    lines.append(
        f"In Nederland is afgesproken: binnen {NORM_WEEKS_INTAKE} weken een intake. "
        + (
            "U wacht langer dan dat. Daarom kijken we of u ergens anders sneller terecht kunt."
            if over
            else "Gaat het langer duren? Dan kijken we of u ergens anders sneller terecht kunt."
        )
    )
    return lines, over


def _region_offers(candidate: Candidate, on: date) -> tuple[QuerySet[Offer], int | None]:
    municipality = candidate.municipality
    table = table_for_municipality(municipality=municipality, on=on)
    remote = Q(location__remote=True) & (
        Q(location__served_area=ServedArea.NATIONAL)
        | Q(
            location__served_area=ServedArea.PROVINCE,
            location__served_province_id=municipality.province_id,
        )
        | (
            Q(location__served_area=ServedArea.REGION, location__served_table=table)
            if table is not None
            else Q(pk__in=[])
        )
    )
    if table is not None:
        local = Q(
            location__remote=False,
            location__municipality__in=municipalities_of_table(table=table, on=on),
        )
    else:
        local = Q(location__remote=False, location__municipality=municipality)
    qs = (
        Offer.objects.filter(kind__in=PUBLIC_KINDS)
        .filter(local | remote)
        .select_related("location__organisation", "location__municipality")
        .order_by(
            # The client's own municipality first, then the rest of the region, then remote.
            "location__remote",
            "name",
            "pk",
        )
    )
    return qs, table.number if table is not None else None


def _names_group(offer: Offer, group_words: list[str]) -> bool:
    text = f"{offer.name} {offer.description}".lower()
    return any(word in text for word in group_words)


def _help(offer: Offer) -> Help:
    loc = offer.location
    where = (
        "online of aan de telefoon"
        if loc.remote
        else ", ".join(
            p for p in (loc.address, loc.municipality.name if loc.municipality else "") if p
        )
    )
    return Help(
        name=offer.name,
        organisation=loc.organisation.name,
        kind=str(OfferKind(offer.kind).label),
        description=offer.description,
        phone=loc.phone,
        website=loc.website,
        where=where,
        self_access=offer.access == "self",
        free=offer.financing == "free",
    )


GENERIC_WORDS = {"stoornissen", "overige", "andere", "gebonden", "middel", "kindertijd"}


def _stem(word: str) -> str:
    """'eetstoornissen' -> 'eetstoornis', 'depressieve' -> 'depressie' (enough for matching)."""
    if word.endswith("ssen"):
        return word[:-3]
    if word.endswith(("en", "ve")):
        return word[:-2]
    return word


def _group_words(candidate: Candidate) -> list[str]:
    """Words of the diagnosis group's name and code, as they would show in an offer's text."""
    group = candidate.diagnosis_group
    words = {group.name.lower(), group.code.replace("_", " ").lower()}
    for part in group.name.lower().replace("-", " ").split() + group.code.split("_"):
        if len(part) >= 5 and part not in GENERIC_WORDS:
            words.update({part, _stem(part)})
    return sorted(w for w in words if len(w) >= 5)


def region_name(kind: str, code: str) -> str:
    from vangnet.regions.models import Province, SafetyRegion, Table

    if kind == RegionKind.SAFETY_REGION:
        found = SafetyRegion.objects.filter(code=code).values_list("name", flat=True).first()
        return f"veiligheidsregio {found}" if found else code
    if kind == RegionKind.PROVINCE:
        found = Province.objects.filter(code=code).values_list("name", flat=True).first()
        return f"provincie {found}" if found else code
    if kind == RegionKind.TABLE and code.isdigit():
        table = Table.objects.filter(number=int(code)).first()
        return f"tafelregio {table.region_description}" if table else code
    return code


def client_page(candidate: Candidate, *, on: date | None = None) -> ClientPage:
    on = on or timezone.localdate()
    transfer = _open_transfer(candidate)
    done = _done_transfer(candidate)
    waited = candidate.current_wait_days(on) // 7
    status = _status(candidate, transfer, done)
    expectation, over = _expectation(candidate, transfer, waited)
    offers, table_number = _region_offers(candidate, on)
    words = _group_words(candidate)
    crisis: list[Help] = []
    support: list[Help] = []
    self_help: dict[str, list[Help]] = {k: [] for k in SELF_KINDS}
    own_crisis: list[Help] = []
    for offer in offers:
        if _names_group(offer, words):
            continue
        if offer.kind == OfferKind.CRISIS:
            target = (
                own_crisis
                if offer.location.organisation_id == candidate.current_provider_id
                else crisis
            )
            target.append(_help(offer))
        elif offer.kind == OfferKind.CLIENT_SUPPORT:
            support.append(_help(offer))
        elif offer.kind in self_help:
            self_help[offer.kind].append(_help(offer))
    supporter_note = ""
    if candidate.put_forward_as == PutForwardBy.CLIENT_SUPPORTER:
        supporter_note = (
            f"Uw cliëntondersteuner van {candidate.put_forward_organisation.name} heeft u "
            "aangemeld. Die komt voor u op en helpt u met vragen en keuzes."
        )
    preferences = [f"U wilt hoogstens {candidate.travel_radius_km} km reizen."]
    preferences.append(
        "Hulp via internet of telefoon (e-health) vindt u goed."
        if candidate.ehealth_ok
        else "U wilt geen hulp alleen via internet of telefoon (e-health)."
    )
    if candidate.neighbouring_regions_ok:
        preferences.append("U wilt ook zorg in een regio in de buurt.")
    if candidate.preferred_provider_id:
        preferences.append(f"Uw voorkeur gaat uit naar {candidate.preferred_provider}.")
    return ClientPage(
        reference=candidate.reference,
        waiting_for=candidate.waiting_for,
        waiting_since=dutch_date(candidate.waiting_since),
        weeks_waiting=waited,
        waits_at=(
            _place(candidate.current_location)
            if candidate.current_location
            else candidate.current_provider.name
        ),
        status=status,
        expectation=expectation,
        over_norm=over,
        contact_name=candidate.contact_name,
        contact_phone=candidate.contact_phone,
        contact_organisation=candidate.put_forward_organisation.name,
        put_forward_by=str(PutForwardBy(candidate.put_forward_as).label),
        supporter_note=supporter_note,
        crisis=(own_crisis + crisis)[:3],
        client_support=support[:OFFERS_PER_KIND],
        self_help=[h for kind in SELF_KINDS for h in self_help[kind][:OFFERS_PER_KIND]],
        region_table=table_number,
        region_kind=candidate.region_kind,
        region_code=candidate.region_code,
        region_name=region_name(candidate.region_kind, candidate.region_code),
        insurer=candidate.insurer.name if candidate.insurer_id and candidate.insurer else "",
        preferences=preferences,
    )


def candidate_for_page(pk: int) -> Candidate:
    return Candidate.objects.select_related(
        "municipality",
        "diagnosis_group",
        "current_provider",
        "current_location__organisation",
        "current_location__municipality",
        "put_forward_organisation",
        "preferred_provider",
        "insurer",
    ).get(pk=pk)

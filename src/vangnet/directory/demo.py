"""Demo sociale kaart (`python -m vangnet demo`): two table regions (3 Amsterdam / Noord-Holland
and 4 Utrecht, Flevoland en Gooi/Veluwe), several organisations, offers of every kind, a national
phone/e-health service and one stale entry. Written through the real services, so every entry
has its first version and its point. Idempotent; never used outside the demo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from vangnet.accounts.models import Membership, Role, User
from vangnet.accounts.selectors import actor_for

from . import services
from .models import Location, Offer, Organisation, OrganisationType
from .validation import LocationInput, OfferInput

EDITOR = ("kaart", "Karin Kaart")  # edits Arkin's entries (printed with the demo logins)
OTHER_EDITOR = ("kaart-overig", "Koen Kaartbeheer")  # keeps the other demo organisations

# organisation, type, AGB (or ""), [(location, municipality, address, postcode, phone, website,
#   [(offer name, kind, financing, access, groups, age_min, age_max, stated weeks, description)])]
ORGANISATIONS: list[tuple[str, str, str, list[tuple[Any, ...]]]] = [
    (
        "Arkin",
        OrganisationType.GGZ_INSTITUTION,
        "06290101",
        [
            (
                "Arkin Oost",
                "GM0363",
                "Klaprozenweg 111",
                "1033 NN",
                "020-5905555",
                "https://www.arkin.nl",
                [
                    (
                        "Dubbele diagnose ambulant",
                        "sggz",
                        "zvw",
                        "referral",
                        ["psychotisch", "middelen_overig"],
                        18,
                        65,
                        6,
                        "Behandeling van psychose en verslaving tegelijk, thuis en op de poli.",
                    ),
                    (
                        "Basis-ggz kortdurend",
                        "bggz",
                        "zvw",
                        "referral",
                        ["angst", "depressief"],
                        18,
                        None,
                        3,
                        "Korte behandeling bij angst- en stemmingsklachten.",
                    ),
                    (
                        "Crisisdienst Amsterdam",
                        "crisis",
                        "zvw",
                        "referral",
                        [],
                        None,
                        None,
                        0,
                        "Dag en nacht bereikbaar voor huisarts en politie bij een psychische crisis.",
                    ),
                ],
            ),
            (
                "Arkin Topklinisch Centrum",
                "GM0363",
                "Domselaerstraat 128",
                "1093 MB",
                "020-5904444",
                "https://www.arkin.nl",
                [
                    (
                        "Topklinische behandeling persoonlijkheidsstoornissen",
                        "top_referral",
                        "zvw",
                        "referral",
                        ["persoonlijkheid"],
                        18,
                        None,
                        16,
                        "Hoogspecialistische behandeling na eerdere behandelingen zonder resultaat.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Jellinek verslavingszorg",
        OrganisationType.ADDICTION_CARE,
        "06290303",
        [
            (
                "Jellinek Amsterdam",
                "GM0363",
                "Jacob Obrechtstraat 92",
                "1071 KR",
                "088-5051220",
                "https://www.jellinek.nl",
                [
                    (
                        "Alcohol- en drugsbehandeling",
                        "addiction",
                        "zvw",
                        "referral",
                        ["alcohol", "middelen_overig"],
                        16,
                        None,
                        4,
                        "Ambulante en klinische verslavingszorg.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Regenboog beschermd wonen",
        OrganisationType.SHELTERED_HOUSING,
        "06290606",
        [
            (
                "Regenboog Zaanstad",
                "GM0479",
                "Westzijde 74",
                "1506 EH",
                "075-6123456",
                "https://www.deregenboog.org",
                [
                    (
                        "Beschermd wonen Zaanstreek",
                        "sheltered_housing",
                        "wmo",
                        "referral",
                        [],
                        18,
                        None,
                        26,
                        "Wonen met begeleiding dag en nacht.",
                    ),
                    (
                        "Ambulante woonbegeleiding",
                        "ambulant_support",
                        "wmo",
                        "referral",
                        [],
                        18,
                        None,
                        8,
                        "Begeleiding thuis bij wonen, geld en dagritme.",
                    ),
                    (
                        "Inloop en dagbesteding",
                        "day_activities",
                        "free",
                        "self",
                        [],
                        18,
                        None,
                        None,
                        "Binnenlopen, koffie, werkplaats en samen koken.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Buurtteam Amsterdam-Oost",
        OrganisationType.MUNICIPALITY,
        "",
        [
            (
                "Buurtteam Oost",
                "GM0363",
                "Wijttenbachstraat 36",
                "1093 JC",
                "020-2539300",
                "https://www.buurtteamamsterdam.nl",
                [
                    (
                        "Maatschappelijk werk",
                        "social_work",
                        "free",
                        "self",
                        [],
                        None,
                        None,
                        2,
                        "Hulp bij zorgen over geld, werk, wonen en relaties.",
                    ),
                    (
                        "Schuldhulpverlening",
                        "debt_counselling",
                        "free",
                        "self",
                        [],
                        18,
                        None,
                        4,
                        "Samen uw schulden op een rij en een plan maken.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Herstelacademie Kennemerland",
        OrganisationType.OTHER,
        "",
        [
            (
                "Herstelacademie Haarlem",
                "GM0392",
                "Zijlweg 1",
                "2013 DA",
                "023-5550100",
                "https://www.herstelacademie-voorbeeld.nl",
                [
                    (
                        "Herstelwerkplaats WRAP",
                        "self_help",
                        "free",
                        "self",
                        [],
                        18,
                        None,
                        None,
                        "Cursus om zelf grip te houden op uw herstel.",
                    ),
                    (
                        "Lotgenotengroep ervaringsdeskundigen",
                        "peer_support",
                        "free",
                        "self",
                        [],
                        18,
                        None,
                        None,
                        "Praten met mensen die hetzelfde hebben meegemaakt.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Altrecht",
        OrganisationType.GGZ_INSTITUTION,
        "06290110",
        [
            (
                "Altrecht Utrecht",
                "GM0344",
                "Lange Nieuwstraat 119",
                "3512 PG",
                "030-2308850",
                "https://www.altrecht.nl",
                [
                    (
                        "Eetstoornissen Rintveld",
                        "top_referral",
                        "zvw",
                        "referral",
                        ["eetstoornis"],
                        18,
                        None,
                        20,
                        "Hoogspecialistische behandeling van eetstoornissen, ook met autisme.",
                    ),
                    (
                        "Forensische ambulante zorg",
                        "sggz",
                        "fz",
                        "referral",
                        ["persoonlijkheid"],
                        18,
                        None,
                        10,
                        "Behandeling na justitiële maatregel.",
                    ),
                    (
                        "Jeugd-ggz 12-18",
                        "sggz",
                        "jeugdwet",
                        "referral",
                        ["adhd_gedrag", "pervasief"],
                        12,
                        18,
                        12,
                        "Behandeling voor jongeren en hun ouders.",
                    ),
                ],
            ),
        ],
    ),
    (
        "Lister",
        OrganisationType.SHELTERED_HOUSING,
        "06290111",
        [
            (
                "Lister Amersfoort",
                "GM0307",
                "Utrechtseweg 18",
                "3811 NB",
                "033-4600300",
                "https://www.lister.nl",
                [
                    (
                        "Beschermd wonen met LVB-begeleiding",
                        "sheltered_housing",
                        "wlz",
                        "referral",
                        [],
                        18,
                        None,
                        30,
                        "Wonen met begeleiding voor mensen met een licht verstandelijke beperking.",
                    ),
                ],
            ),
        ],
    ),
    (
        "MEE Utrecht",
        OrganisationType.OTHER,
        "",
        [
            (
                "MEE Utrecht",
                "GM0344",
                "Kosterijland 50",
                "3981 AJ",
                "030-2363200",
                "https://www.mee-utrecht.nl",
                [
                    (
                        "Onafhankelijke cliëntondersteuning",
                        "client_support",
                        "free",
                        "self",
                        [],
                        None,
                        None,
                        1,
                        "Een onafhankelijke ondersteuner denkt gratis met u mee.",
                    ),
                ],
            ),
        ],
    ),
]

REMOTE = (
    "Stichting 113 Zelfmoordpreventie",
    [
        (
            "Chat en telefoon 113",
            "ehealth",
            "free",
            "self",
            [],
            None,
            None,
            0,
            "Anoniem praten over gedachten aan zelfdoding. Dag en nacht; bel 113 of 0800-0113.",
        ),
        (
            "Online zelfhulpcursus",
            "ehealth",
            "free",
            "self",
            ["depressief"],
            16,
            None,
            0,
            "Gratis online cursus om met sombere gedachten om te gaan.",
        ),
    ],
)


def _editor(username: str, full_name: str, orgs: list[Organisation]) -> User:
    from vangnet.accounts.demo import demo_user

    user = demo_user(username, full_name)
    for org in orgs:
        Membership.objects.get_or_create(user=user, organisation=org, role=Role.DIRECTORY_EDITOR)
    return user


def load_demo() -> int:
    """Create the demo sociale kaart once; returns the number of offers created."""
    orgs: dict[str, Organisation] = {}
    for name, kind, agb, _ in ORGANISATIONS:
        lookup = {"agb_code": agb} if agb else {"name": name}
        orgs[name] = Organisation.objects.get_or_create(
            **lookup, defaults={"name": name, "organisation_type": kind}
        )[0]
    remote_org = Organisation.objects.get_or_create(
        name=REMOTE[0], defaults={"organisation_type": OrganisationType.OTHER}
    )[0]
    editor = _editor(*EDITOR, [orgs["Arkin"]])
    other = _editor(*OTHER_EDITOR, [o for n, o in orgs.items() if n != "Arkin"] + [remote_org])
    if Location.objects.exists():
        return 0
    created = 0
    for name, _kind, _agb, locations in ORGANISATIONS:
        actor = actor_for(editor if name == "Arkin" else other)
        for loc_name, gm, address, postcode, phone, website, offers in locations:
            loc = services.location_save(
                actor=actor,
                organisation=orgs[name],
                data=LocationInput(
                    name=loc_name,
                    address=address,
                    postcode=postcode,
                    municipality=gm,
                    phone=phone,
                    website=website,
                    opening_hours="ma-vr 9.00-17.00",
                    accessibility="Rolstoeltoegankelijk; ringleiding bij de balie.",
                ),
            )
            for row in offers:
                created += _offer(actor, loc, row)
    actor = actor_for(other)
    online = services.location_save(
        actor=actor,
        organisation=remote_org,
        data=LocationInput(
            name="113 online en telefonisch",
            remote=True,
            served_area="national",
            phone="0800-0113",
            website="https://www.113.nl",
            opening_hours="dag en nacht",
        ),
    )
    for row in REMOTE[1]:
        created += _offer(actor, online, row)
    # Without a stated wait, so the waiting time comes from Vangnet's waiting-list data.
    ingeest = Organisation.objects.filter(agb_code="06290707").first()
    if ingeest is not None:
        Membership.objects.get_or_create(
            user=other, organisation=ingeest, role=Role.DIRECTORY_EDITOR
        )
        actor = actor_for(other)
        loc = services.location_save(
            actor=actor,
            organisation=ingeest,
            data=LocationInput(
                name="GGZ inGeest Amsterdam", municipality="GM0363", postcode="1081 HV"
            ),
        )
        created += _offer(
            actor,
            loc,
            (
                "Eetstoornissen ambulant",
                "sggz",
                "zvw",
                "referral",
                ["eetstoornis"],
                18,
                None,
                None,
                "Ambulante behandeling van eetstoornissen.",
            ),
        )
    # One stale entry: confirmed eight months ago, so it is flagged and its editor reminded.
    stale = Offer.objects.get(name="Ambulante woonbegeleiding")
    Offer.objects.filter(pk=stale.pk).update(confirmed_at=timezone.now() - timedelta(days=240))
    services.observed_waits_refresh()
    return created


def _offer(actor: Any, location: Location, row: tuple[Any, ...]) -> int:
    name, kind, financing, access, groups, age_min, age_max, weeks, description = row
    services.offer_save(
        actor=actor,
        location=location,
        data=OfferInput(
            kind=kind,
            name=name,
            financing=financing,
            access=access,
            description=description,
            diagnosis_groups=list(groups),
            age_min=age_min,
            age_max=age_max,
            lvb="LVB" in name,
            forensic=financing == "fz",
            stated_wait_weeks=weeks,
        ),
    )
    return 1

"""The seven inclusion criteria, verbatim from seed 004 §5a (loaded by a data migration)."""

CRITERIA = [
    (1, "Patiënten met meerdere vervlochten psychiatrische aandoeningen"),
    (
        2,
        "Behandeldoelstelling is aanwezig én realiseerbaar (kan ook betekenen: meer care-gerichte behandeling, herstelgericht)",
    ),
    (3, "Samenhang meerdere stoornissen i.c.m. systemische problematiek/ meerdere levensdomeinen"),
    (4, "Dreiging ernstig gevaar voor lichamelijk schade en/of overlijden"),
    (5, "Er is al een aantal (specifieke) behandelingen uitgevoerd"),
    (
        6,
        "Uitzonderlijk behandelregime is nodig om gevaar te voorkomen en de behandeling in gang te zetten",
    ),
    (
        7,
        "Zorg is schaars, intensief, duur, aanbod niet makkelijk op te schalen (maatwerk staat centraal)",
    ),
]

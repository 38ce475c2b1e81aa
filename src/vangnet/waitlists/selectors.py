"""Reads of the waiting-list domain, per acting user. Only aggregates leave here: no pseudonym is
ever returned. `actor=None` means the management command (an operator with shell access)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet

from vangnet.accounts.selectors import Actor
from vangnet.common.errors import NotAllowed, NotFound
from vangnet.common.recent import recent
from vangnet.directory.models import Organisation
from vangnet.regions.models import Municipality
from vangnet.regions.selectors import region_grouping

from . import access, aggregates, counting, published
from .counting import CountRow, Month
from .models import (
    DiagnosisGroup,
    PublishedImport,
    PublishedWaitingTime,
    RegionKind,
    RegistrationPause,
    Submission,
)


@dataclass(frozen=True)
class WithProvider:
    """A figure with its provider's AGB code and name (for display and export)."""

    row: Any
    provider_agb: str
    provider_name: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def with_providers(rows: Iterable[Any]) -> list[WithProvider]:
    rows = list(rows)
    providers = Organisation.objects.in_bulk({r.provider_id for r in rows})
    out = []
    for r in rows:
        org = providers.get(r.provider_id)
        out.append(WithProvider(r, org.agb_code if org else "", org.name if org else "?"))
    return out


def _check(actor: Actor | None, *, kind: str | None = None, region: str | None = None) -> None:
    if actor is None:
        return
    if kind is not None and region is not None:
        access.require_region_dashboard(actor, kind=kind, code=region)
    else:
        access.require_dashboards(actor)


def check_region(kind: str, code: str) -> str:
    """The region's name; NotFound for an unknown kind or code."""
    if kind not in RegionKind.values:
        raise NotFound("Deze regio-indeling bestaat niet.")
    name = counting.region_names(kind).get(code)
    if name is None:
        raise NotFound("Deze regio bestaat niet.")
    return name


T = TypeVar("T")


def national(name: str, compute: Callable[[], T]) -> T:
    """A national fact about the submissions (latest month, missing and unplaced providers):
    it changes only when submissions do, so the dashboards share one answer (`common.recent`),
    dropped at every import (`submissions_changed`) and otherwise at most
    VANGNET_WAITLISTS_NATIONAL_MAX_AGE seconds old. Reading them cost three queries over every
    submission of the country per dashboard request (bench/web.py)."""
    generation = cache.get_or_set(GENERATION_KEY, 0, None)
    return recent(
        f"waitlists-national-{name}:{generation}",
        compute,
        max_age=settings.VANGNET_WAITLISTS_NATIONAL_MAX_AGE,
    )


def submissions_changed() -> None:
    """After an import (on commit): the next dashboard reads the national facts afresh."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


GENERATION_KEY = "waitlists-submissions-generation"


def latest_month() -> Month | None:
    def read() -> Month | None:
        period = Submission.objects.aggregate(latest=Max("period"))["latest"]
        return (period.year, period.month) if period else None

    return national("latest-month", read)


def counts(
    actor: Actor | None,
    *,
    kind: str,
    months: Sequence[Month],
    region: str | None = None,
    across_groups: bool = False,
) -> list[CountRow]:
    _check(actor, kind=kind, region=region)
    return aggregates.count_rows(kind, months, region=region, across_groups=across_groups)


def flows(
    actor: Actor | None, *, kind: str, months: Sequence[Month], region: str | None = None
) -> list[counting.FlowRow]:
    _check(actor, kind=kind, region=region)
    return aggregates.flow_rows(kind, months, region=region)


def largest_breaches(
    actor: Actor | None, *, kind: str, months: Sequence[Month], region: str | None = None
) -> list[WithProvider]:
    _check(actor)
    return with_providers(aggregates.largest_breach_rows(kind, months, region=region))


def hotspots(
    actor: Actor | None,
    *,
    months: Sequence[Month],
    kind: str | None = None,
    region: str | None = None,
    min_months: int = 3,
) -> list[WithProvider]:
    """Hotspots (breaches of >= `min_months` months), for providers located in the region."""
    _check(actor)
    provider_ids = None
    if kind and region:
        provider_ids = set(access.providers_in_region(kind, region).values_list("id", flat=True))
    rows = aggregates.hotspot_rows(months, min_months=min_months, provider_ids=provider_ids)
    return with_providers(rows)


@dataclass(frozen=True)
class UnlocatedProvider:
    name: str
    agb_code: str
    latest_period: date


def providers_without_municipality() -> list[UnlocatedProvider]:
    """Providers with waiting-list submissions but no vestigingsgemeente
    (`Organisation.municipality`). Region pages place providers by that municipality, so these
    are missing from every region's hotspots, pauses and alternatives: the dashboard and the
    pause page list them to make the gap visible."""

    def read() -> list[UnlocatedProvider]:
        rows = (
            Organisation.objects.filter(municipality__isnull=True)
            .annotate(latest=Max("waitlist_submissions__period"))
            .filter(latest__isnull=False)
            .order_by("name", "agb_code")
            .values_list("name", "agb_code", "latest")
        )
        return [UnlocatedProvider(name, agb, latest) for name, agb, latest in rows]

    return national("unlocated", read)


# ------------------------------------------------------------------------------------------
# The region dashboard


@dataclass
class HeatCell:
    value: Any
    label: str
    css: str


@dataclass
class TrendPoint:
    month: str
    persons: int = 0
    registrations: int = 0
    over_norm: int = 0
    multi_provider: int = 0
    by_preference: int = 0
    intakes: int = 0
    treatment_starts: int = 0
    intake_wait_median: float | None = None
    treatment_wait_median: float | None = None
    # Providers that delivered the month before but not (yet) this month: the month is partial.
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def over_norm_share(self) -> float | None:
        return self.over_norm / self.registrations if self.registrations else None

    @property
    def multi_provider_share(self) -> float | None:
        return self.multi_provider / self.persons if self.persons else None

    @property
    def by_preference_share(self) -> float | None:
        return self.by_preference / self.persons if self.persons else None


@dataclass
class Hotspot:
    row: WithProvider
    group_name: str
    current: bool
    paused: bool

    @property
    def propose_pause(self) -> bool:
        return self.current and not self.paused


@dataclass
class RegionDashboard:
    kind: str
    code: str
    name: str
    months: list[str]
    groups: list[DiagnosisGroup]
    heat_persons: list[tuple[DiagnosisGroup, list[HeatCell]]]
    heat_share: list[tuple[DiagnosisGroup, list[HeatCell]]]
    trend: list[TrendPoint]
    trend_svg: dict[str, Any]
    hotspots: list[Hotspot]
    largest: list[WithProvider]
    pauses: list[RegistrationPause]
    rows: list[CountRow] = field(default_factory=list)
    unlocated: list[UnlocatedProvider] = field(default_factory=list)
    # The newest complete month of the range (None when none is), and the newer partial ones.
    headline: TrendPoint | None = None
    partial: list[TrendPoint] = field(default_factory=list)


def missing_providers(months: Sequence[Month]) -> dict[str, list[str]]:
    """Per month label, the providers that delivered the month before but not this month.

    A month is complete only when every provider of the month before has delivered again: a
    person counts once across providers, so any provider's absence lowers every region's count,
    which is why this is national. The first month anyone delivered is complete by definition.
    """
    if not months:
        return {}
    wanted_months = tuple(months)
    return national(
        "missing-" + "-".join(f"{y}{m:02d}" for y, m in wanted_months),
        lambda: _missing_providers(wanted_months),
    )


def _missing_providers(months: Sequence[Month]) -> dict[str, list[str]]:
    k = months[0][0] * 12 + months[0][1] - 2
    wanted = [((k // 12), k % 12 + 1), *months]
    periods = [date(y, m, 1) for y, m in wanted]
    delivered: dict[date, set[int]] = defaultdict(set)
    for period, provider_id in Submission.objects.filter(period__in=periods).values_list(
        "period", "provider_id"
    ):
        delivered[period].add(provider_id)
    missing_ids = {
        counting.month_label(wanted[i]): delivered[periods[i - 1]] - delivered[periods[i]]
        for i in range(1, len(wanted))
    }
    names = Organisation.objects.in_bulk(set().union(*missing_ids.values()))
    return {
        label: sorted(names[i].name for i in ids if i in names)
        for label, ids in missing_ids.items()
    }


def _axis_chart(values: Sequence[float | None], top: float, *, percent: bool) -> dict[str, Any]:
    """One series on its own chart: its polyline and the labels of its own y axis."""
    width, height = 640, 180
    ticks = [0.0, top / 2, top]
    return {
        "width": width,
        "height": height,
        "points": _svg_points(values, top, width, height),
        "ticks": [
            {
                "y": round(height - 20 - (height - 35) * (t / top if top else 0), 1),
                "label": f"{t:.0%}" if percent else f"{t:.0f}",
            }
            for t in ticks
        ],
    }


def _persons_class(value: int, top: int) -> str:
    if not value:
        return "heat-0"
    return f"heat-{min(5, 1 + (4 * value) // max(top, 1))}"


def _share_class(share: float) -> str:
    for bound, css in ((0.05, "share-0"), (0.15, "share-1"), (0.30, "share-2"), (0.50, "share-3")):
        if share < bound:
            return css
    return "share-4"


def _svg_points(values: Sequence[float | None], top: float, width: int, height: int) -> str:
    n = len(values)
    points = []
    for i, v in enumerate(values):
        if v is None:
            continue
        x = 40 + (width - 50) * (i / max(n - 1, 1))
        y = height - 20 - (height - 35) * (v / top if top else 0)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def region_dashboard(
    actor: Actor | None, *, kind: str, code: str, months: Sequence[Month]
) -> RegionDashboard:
    _check(actor, kind=kind, region=code)
    name = check_region(kind, code)
    labels = [counting.month_label(m) for m in months]
    rows, totals = aggregates.count_rows_both(kind, months, region=code)
    groups = list(DiagnosisGroup.objects.all())
    by_cell = {(r.diagnosis_group, r.month): r for r in rows}
    top = max((r.persons_waiting for r in rows), default=0)
    heat_persons = []
    heat_share = []
    for g in groups:
        persons_cells = []
        share_cells = []
        for m in labels:
            r = by_cell.get((g.code, m))
            if r is None:
                persons_cells.append(HeatCell(None, "–", "heat-0"))
                share_cells.append(HeatCell(None, "–", "heat-0"))
                continue
            persons_cells.append(
                HeatCell(
                    r.persons_waiting,
                    str(r.persons_waiting),
                    _persons_class(r.persons_waiting, top),
                )
            )
            share = (r.over_norm_intake + r.over_norm_treatment) / r.registrations_waiting
            share_cells.append(HeatCell(share, f"{share:.0%}", _share_class(share)))
        heat_persons.append((g, persons_cells))
        heat_share.append((g, share_cells))

    trend = {m: TrendPoint(month=m) for m in labels}
    for r in totals:
        p = trend[r.month]
        p.persons = r.persons_waiting
        p.registrations = r.registrations_waiting
        p.over_norm = r.over_norm_intake + r.over_norm_treatment
        p.multi_provider = r.persons_multi_provider
        p.by_preference = r.persons_by_preference
    for f in aggregates.flow_rows(kind, months, region=code, across_groups=True):
        p = trend[f.month]
        p.intakes = f.intakes
        p.treatment_starts = f.treatment_starts
        p.intake_wait_median = f.intake_wait_median
        p.treatment_wait_median = f.treatment_wait_median
    points = list(trend.values())
    for label, missing in missing_providers(months).items():
        if label in trend:
            trend[label].missing = missing
    complete = [p for p in points if p.complete and p.registrations]
    headline = complete[-1] if complete else None
    partial = [
        p for p in points if not p.complete and (headline is None or p.month > headline.month)
    ]
    # A partial month never drives the chart: its point is left out of both lines.
    persons_top = max((p.persons for p in points if p.complete), default=0)
    svg = {
        "persons_top": persons_top,
        "persons": _axis_chart(
            [p.persons if p.registrations and p.complete else None for p in points],
            persons_top,
            percent=False,
        ),
        "share": _axis_chart(
            [p.over_norm_share if p.complete else None for p in points], 1.0, percent=True
        ),
        "first": labels[0] if labels else "",
        "last": labels[-1] if labels else "",
    }

    # A subquery in the pauses' and the hotspots' queries rather than a list read first.
    provider_ids = access.providers_in_region(kind, code).values("id")
    today = date.today()
    pauses = list(active_pauses(on=today).filter(provider_id__in=provider_ids))
    paused = {(p.provider_id, p.diagnosis_group.code) for p in pauses}
    last = labels[-1] if labels else ""
    names = {g.code: g.name for g in groups}
    hot_rows = aggregates.hotspot_rows(
        months, provider_ids=provider_ids, group_codes=[g.code for g in groups]
    )
    # The providers of both tables in one query.
    named = with_providers([*hot_rows, *aggregates.largest_breach_rows(kind, months, region=code)])
    largest = named[len(hot_rows) :]
    hot = [
        Hotspot(
            h,
            group_name=names.get(h.diagnosis_group, h.diagnosis_group),
            current=h.end == last,
            paused=(h.provider_id, h.diagnosis_group) in paused,
        )
        for h in named[: len(hot_rows)]
    ]
    hot.sort(key=lambda h: (not h.current, -h.row.months, h.row.provider_name))
    return RegionDashboard(
        kind=kind,
        code=code,
        name=name,
        months=labels,
        groups=groups,
        heat_persons=heat_persons,
        heat_share=heat_share,
        trend=points,
        trend_svg=svg,
        hotspots=hot,
        largest=largest,
        pauses=pauses,
        rows=rows,
        unlocated=providers_without_municipality(),
        headline=headline,
        partial=partial,
    )


# ------------------------------------------------------------------------------------------
# Registration pauses


def active_pauses(*, on: date) -> QuerySet[RegistrationPause]:
    return (
        RegistrationPause.objects.filter(starts_on__lte=on, planned_end_on__gte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("provider", "diagnosis_group", "provider__municipality")
        .order_by("diagnosis_group__position", "provider__name")
    )


@dataclass
class Alternative:
    provider: Organisation
    median_wait_intake: float | None
    median_wait_treatment: float | None
    waiting: int


@dataclass
class PausedGroup:
    group: DiagnosisGroup
    pauses: list[RegistrationPause]
    alternatives: list[Alternative]


@dataclass
class PausePage:
    kind: str
    code: str
    name: str
    on: date
    data_month: str | None
    groups: list[PausedGroup]
    upcoming: list[RegistrationPause]
    unlocated: list[UnlocatedProvider] = field(default_factory=list)


def pause_page(actor: Actor, *, kind: str, code: str, on: date) -> PausePage:
    """Active pauses of the providers in a region and, per paused diagnosis group, the providers
    in the region that reported that group in the latest month without a Treeknorm breach."""
    if not access.can_read_pauses(actor):
        raise NotAllowed()
    name = check_region(kind, code)
    providers = {o.pk: o for o in access.providers_in_region(kind, code)}
    pauses = [p for p in active_pauses(on=on) if p.provider_id in providers]
    by_group: dict[int, list[RegistrationPause]] = defaultdict(list)
    for p in pauses:
        by_group[p.diagnosis_group_id].append(p)
    paused_pairs = {(p.provider_id, p.diagnosis_group_id) for p in pauses}
    month = latest_month()
    waits: dict[tuple[int, str], counting.ProviderWaitRow] = {}
    if month is not None and by_group:
        for w in aggregates.provider_wait_rows([month], provider_ids=set(providers)):
            waits[(w.provider_id, w.diagnosis_group)] = w
    groups = []
    for group in DiagnosisGroup.objects.filter(id__in=by_group):
        alternatives = []
        for (provider_id, group_code), w in waits.items():
            if group_code != group.code or w.breach or (provider_id, group.pk) in paused_pairs:
                continue
            alternatives.append(
                Alternative(
                    providers[provider_id],
                    w.median_wait_intake,
                    w.median_wait_treatment,
                    w.waiting_intake + w.waiting_treatment,
                )
            )
        alternatives.sort(key=lambda a: ((a.median_wait_intake or 0), a.provider.name))
        groups.append(PausedGroup(group, by_group[group.pk], alternatives))
    upcoming = list(
        RegistrationPause.objects.filter(
            provider_id__in=providers, starts_on__gt=on, ended_on__isnull=True
        )
        .select_related("provider", "diagnosis_group")
        .order_by("starts_on")
    )
    return PausePage(
        kind=kind,
        code=code,
        name=name,
        on=on,
        data_month=counting.month_label(month) if month else None,
        groups=groups,
        upcoming=upcoming,
        unlocated=providers_without_municipality(),
    )


# ------------------------------------------------------------------------------------------
# Published waiting times


def latest_published() -> PublishedImport | None:
    return PublishedImport.objects.order_by("-created_at", "-id").first()


def published_summary(
    actor: Actor | None,
    *,
    kind: str | None,
    by: tuple[str, ...] = ("circuit", "care_type", "diagnosis_group", "region"),
    source: PublishedImport | None = None,
    only_regions: Sequence[str] | None = None,
) -> list[published.SummaryRow]:
    """Aggregates of the latest published waiting times, per region of `kind` or nationally;
    `only_regions`: just these regions of `kind` (a region's own parties, issue 16 §4)."""
    if only_regions is not None and kind is not None:
        for code in only_regions:
            _check(actor, kind=kind, region=code)
    else:
        _check(actor)
    source = source or latest_published()
    if source is None:
        return []
    rows: list[dict[str, Any]] = [
        {**r, "diagnosis_group": r["diagnosis_group__code"]}
        for r in PublishedWaitingTime.objects.filter(source=source).values(
            "municipality_id",
            "circuit",
            "care_type",
            "diagnosis_group__code",
            "registration_weeks",
            "treatment_weeks",
            "registration_stop",
            "treatment_stop",
        )
    ]
    region_of = None
    if kind is not None:
        grouping = region_grouping(kind, on=date.today())
        ids = dict(Municipality.objects.values_list("code", "id"))
        region_of = {ids[gm]: region for gm, region in grouping.items() if gm in ids}
    summary = published.summarise(rows, region_of_municipality=region_of, by=by)
    if only_regions is not None:
        return [r for r in summary if r.region in only_regions]
    return summary

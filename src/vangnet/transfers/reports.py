"""Monthly reports of a region's transfer mechanism (issue 14 §4; seed 002 actie 4).

Per month: candidates put forward, screened, transfers proposed, offered, accepted, declined,
intakes realised and the days of waiting the realised transfers saved (the desk's expectation at
the time of the proposal); the decline reasons over the whole range; and the effect question of
actie 4 — are clients helped faster than before? — as the median wait from the start of waiting
(`waiting_since`) to the intake of transferred clients, per diagnosis group, against the median
intake wait of the same region × group in the waiting-list figures (`waitlists.WaitFlow`, the
intakes of those months, medians weighted by their intakes). The waiting-list figures count every
intake in the region, transferred or not; with a few transfers against hundreds of intakes that is
the region's "without transfer" level.

Where a step is counted: a candidate in the month it was put forward (`created_at`), screened at
`screened_at`, proposed when the transfer was made, offered / accepted / declined at the
transfer's history step (`TransferEvent`), an intake at `intake_done_on`.

Aggregates only, for process owners (their region), analysts and administrators. Small numbers are
suppressed as the monitor does for public output: every count from 1 to 4 is hidden, with
secondary suppression so no hidden count follows from the published totals
(`monitor.disclosure`); medians and sums of days follow the suppression of their counts.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from vangnet.common.errors import DomainError
from vangnet.engines.followup import add_months
from vangnet.monitor import disclosure
from vangnet.waitlists.models import DiagnosisGroup, RegionKind, WaitFlow

from .client import region_name
from .models import Candidate, Transfer, TransferEvent, TransferState

THRESHOLD = disclosure.DEFAULT_THRESHOLD
MAX_MONTHS = 36
METRICS: tuple[tuple[str, str], ...] = (
    ("candidates", "Aangedragen"),
    ("screened", "Gescreend"),
    ("proposed", "Voorgesteld"),
    ("offered", "Aangeboden"),
    ("accepted", "Geaccepteerd"),
    ("declined", "Afgewezen"),
    ("intakes", "Intakes gedaan"),
)
NO_REASON = "geen reden opgegeven"
OTHER_REASONS = "overige redenen (elk minder dan 5 keer)"


@dataclass
class MonthRow:
    month: date
    values: dict[str, int | None]  # None: suppressed
    days_saved: int | None

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class EffectRow:
    group_code: str
    group_name: str
    transferred: int | None
    transferred_median_days: float | None
    region_intakes: int
    region_median_days: float | None

    @property
    def difference_days(self) -> float | None:
        if self.transferred_median_days is None or self.region_median_days is None:
            return None
        return round(self.region_median_days - self.transferred_median_days, 1)


@dataclass
class Report:
    kind: str
    code: str
    name: str
    months: list[MonthRow]
    totals: dict[str, int | None]
    days_saved_total: int | None
    reasons: list[tuple[str, int | None]]
    effect: list[EffectRow]
    threshold: int = THRESHOLD
    notes: list[str] = field(default_factory=list)


def parse_month(text: str, *, field_name: str) -> date:
    try:
        year, month = (int(p) for p in text.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise DomainError(
            "Geef een maand als JJJJ-MM, bijvoorbeeld 2026-03.", field=field_name
        ) from exc


def month_range(first: date, last: date) -> list[date]:
    if last < first:
        raise DomainError("De laatste maand ligt vóór de eerste maand.", field="to")
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
        if len(months) > MAX_MONTHS:
            raise DomainError(f"Kies hoogstens {MAX_MONTHS} maanden tegelijk.", field="from")
    return months


def default_months(today: date | None = None) -> list[date]:
    today = today or timezone.localdate()
    last = today.replace(day=1)
    return month_range(add_months(last, -11), last)


def check_region(kind: str, code: str) -> None:
    if kind not in RegionKind.values:
        raise DomainError(
            "Kies een regio-indeling: province, veiligheidsregio of table.", field="kind"
        )
    if not code or len(code) > 10:
        raise DomainError("Kies een regiocode, bijvoorbeeld VR13.", field="code")


def _month_key(value: date) -> date:
    return value.replace(day=1)


def _per_month(qs: QuerySet[Any], column: str) -> Counter[date]:
    rows = qs.annotate(m=TruncMonth(column)).values("m").annotate(n=Count("pk", distinct=True))
    out: Counter[date] = Counter()
    for row in rows:
        m = row["m"]
        if m is None:
            continue
        day = m.date() if hasattr(m, "date") and callable(m.date) else m
        out[_month_key(day)] += int(row["n"])
    return out


def _event_months(region: dict[str, str], to_state: str, start: date, end: date) -> Counter[date]:
    """Transfers that took a step in each month (a transfer counts once per month per step)."""
    qs = TransferEvent.objects.filter(
        to_state=to_state,
        transfer__candidate__region_kind=region["kind"],
        transfer__candidate__region_code=region["code"],
        at__date__gte=start,
        at__date__lt=end,
    )
    rows = qs.annotate(m=TruncMonth("at")).values("m").annotate(n=Count("transfer", distinct=True))
    out: Counter[date] = Counter()
    for row in rows:
        m = row["m"]
        out[_month_key(m.date() if hasattr(m, "date") else m)] += int(row["n"])
    return out


def raw_counts(kind: str, code: str, months: Sequence[date]) -> dict[str, Counter[date]]:
    """Unsuppressed counts per metric and month (for the report and its tests)."""
    start, end = months[0], add_months(months[-1], 1)
    candidates = Candidate.objects.filter(region_kind=kind, region_code=code)
    transfers = Transfer.objects.filter(candidate__region_kind=kind, candidate__region_code=code)
    region = {"kind": kind, "code": code}
    out: dict[str, Counter[date]] = {
        "candidates": _per_month(
            candidates.filter(created_at__date__gte=start, created_at__date__lt=end), "created_at"
        ),
        "screened": _per_month(
            candidates.filter(screened_at__date__gte=start, screened_at__date__lt=end),
            "screened_at",
        ),
        "proposed": _per_month(
            transfers.filter(created_at__date__gte=start, created_at__date__lt=end), "created_at"
        ),
        "offered": _event_months(region, TransferState.OFFERED, start, end),
        "accepted": _event_months(region, TransferState.ACCEPTED, start, end),
        "declined": _event_months(region, TransferState.DECLINED, start, end),
        "intakes": _per_month(
            transfers.filter(
                state=TransferState.INTAKE_DONE,
                intake_done_on__gte=start,
                intake_done_on__lt=end,
            ),
            "intake_done_on",
        ),
    }
    return out


def _days_saved(kind: str, code: str, months: Sequence[date]) -> dict[date, float]:
    start, end = months[0], add_months(months[-1], 1)
    rows = (
        Transfer.objects.filter(
            candidate__region_kind=kind,
            candidate__region_code=code,
            state=TransferState.INTAKE_DONE,
            intake_done_on__gte=start,
            intake_done_on__lt=end,
        )
        .annotate(m=TruncMonth("intake_done_on"))
        .values("m")
        .annotate(days=Sum("days_saved"))
    )
    return {_month_key(r["m"]): float(r["days"] or 0) for r in rows}


def decline_reasons(kind: str, code: str, months: Sequence[date]) -> Counter[str]:
    start, end = months[0], add_months(months[-1], 1)
    ids = TransferEvent.objects.filter(
        to_state=TransferState.DECLINED,
        transfer__candidate__region_kind=kind,
        transfer__candidate__region_code=code,
        at__date__gte=start,
        at__date__lt=end,
    ).values("transfer_id")
    reasons: Counter[str] = Counter()
    for text in Transfer.objects.filter(pk__in=ids).values_list("decline_reason", flat=True):
        cleaned = " ".join(text.split())[:120]
        reasons[cleaned[:1].upper() + cleaned[1:] if cleaned else NO_REASON] += 1
    return reasons


def transferred_waits(kind: str, code: str, months: Sequence[date]) -> dict[str, list[int]]:
    """Days from the start of waiting to the intake of each transferred client, per group."""
    start, end = months[0], add_months(months[-1], 1)
    out: dict[str, list[int]] = defaultdict(list)
    rows = Transfer.objects.filter(
        candidate__region_kind=kind,
        candidate__region_code=code,
        state=TransferState.INTAKE_DONE,
        intake_done_on__gte=start,
        intake_done_on__lt=end,
    ).values_list("candidate__diagnosis_group__code", "candidate__waiting_since", "intake_done_on")
    for group, since, done in rows:
        if done is None:
            continue
        out[group].append(max(0, (done - since).days))
    return out


def region_waits(kind: str, code: str, months: Sequence[date]) -> dict[str, tuple[int, float]]:
    """(intakes, median days weighted by intakes) per group from the waiting-list figures."""
    weighted: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in WaitFlow.objects.filter(
        region_kind=kind, region_code=code, period__in=list(months), intakes__gt=0
    ).exclude(intake_wait_median__isnull=True):
        acc = weighted[row.diagnosis_group]
        acc[0] += row.intakes
        acc[1] += row.intakes * float(row.intake_wait_median or 0)
    return {g: (int(n), round(s / n, 1)) for g, (n, s) in weighted.items() if n}


def build_report(kind: str, code: str, months: Sequence[date]) -> Report:
    check_region(kind, code)
    counts = raw_counts(kind, code, months)
    keys = [k for k, _ in METRICS]
    table = disclosure.Table.of(
        [[counts[k][m] for k in keys] for m in months], row_totals=False, col_totals=True
    )
    sup = disclosure.suppress(table, THRESHOLD)
    saved = _days_saved(kind, code, months)
    intakes_col = keys.index("intakes")
    rows = []
    for i, m in enumerate(months):
        values = {k: sup.published((i, j)) for j, k in enumerate(keys)}
        shown = values["intakes"]
        rows.append(MonthRow(m, values, round(saved.get(m, 0.0)) if shown is not None else None))
    totals = {k: sup.published((len(months), j)) for j, k in enumerate(keys)}
    total_saved = (
        round(sum(saved.values()))
        if sup.published((len(months), intakes_col)) is not None
        else None
    )

    reasons = decline_reasons(kind, code, months)
    frequent = [(r, n) for r, n in reasons.most_common() if n >= THRESHOLD]
    rare = sum(n for n in reasons.values() if n < THRESHOLD)
    reason_rows: list[tuple[str, int | None]] = list(frequent)
    if rare:
        reason_rows.append((OTHER_REASONS, rare if rare >= THRESHOLD else None))
    if reason_rows:
        r_table = disclosure.Table.of(
            [[n or 0] for _, n in frequent] + ([[rare]] if rare else []),
            row_totals=False,
            col_totals=True,
        )
        r_sup = disclosure.suppress(r_table, THRESHOLD)
        reason_rows = [(label, r_sup.published((i, 0))) for i, (label, _) in enumerate(reason_rows)]

    names = dict(DiagnosisGroup.objects.values_list("code", "name"))
    transferred = transferred_waits(kind, code, months)
    baseline = region_waits(kind, code, months)
    effect = []
    for group in sorted(set(transferred) | set(baseline), key=lambda g: names.get(g, g)):
        if group not in names:
            continue  # "alle": the merged groups are not one comparison
        waits = transferred.get(group, [])
        n = len(waits)
        if not n:
            continue
        visible = n >= THRESHOLD
        base = baseline.get(group)
        effect.append(
            EffectRow(
                group_code=group,
                group_name=names[group],
                transferred=n if visible else None,
                transferred_median_days=float(statistics.median(waits)) if visible else None,
                region_intakes=base[0] if base else 0,
                region_median_days=base[1] if base else None,
            )
        )
    notes = [
        f"Aantallen van 1 tot en met {THRESHOLD - 1} zijn verborgen (\u2018<{THRESHOLD}\u2019), en "
        "waar nodig ook een ander getal, zodat een verborgen aantal niet uit de totalen volgt.",
        "Wachttijd tot intake van getransfereerde cliënten: van de wachtdatum tot de intake. "
        "Regio zonder transfer: de mediane wachttijd tot intake uit de wachtlijstcijfers van "
        "dezelfde regio, diagnosegroep en maanden (gewogen naar het aantal intakes).",
    ]
    return Report(
        kind=kind,
        code=code,
        name=region_name(kind, code),
        months=rows,
        totals=totals,
        days_saved_total=total_saved,
        reasons=reason_rows,
        effect=effect,
        notes=notes,
    )


def chart(
    report: Report, metrics: Sequence[str] = ("candidates", "offered", "intakes")
) -> dict[str, object]:
    """A grouped bar chart of some metrics per month (SVG coordinates; hidden values: no bar)."""
    width, height, left, bottom = 640, 200, 40, 24
    top = max([1] + [r.values[m] or 0 for r in report.months for m in metrics])
    n = max(len(report.months), 1)
    slot = (width - left - 10) / n
    bar = slot / (len(metrics) + 1)
    colours = ("#1f5fa8", "#d07a00", "#2e7d32")
    bars = []
    for i, row in enumerate(report.months):
        for j, metric in enumerate(metrics):
            value = row.values[metric]
            if not value:
                continue
            h = (height - bottom - 10) * value / top
            bars.append(
                {
                    "x": round(left + i * slot + j * bar, 1),
                    "y": round(height - bottom - h, 1),
                    "w": round(bar - 1, 1),
                    "h": round(h, 1),
                    "fill": colours[j % len(colours)],
                    "title": f"{row.label}: {dict(METRICS)[metric]} {value}",
                }
            )
    labels = [
        {"x": round(left + i * slot, 1), "text": r.label}
        for i, r in enumerate(report.months)
        if i % max(1, n // 6) == 0
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "top": top,
        "legend": [
            {"text": dict(METRICS)[m], "fill": colours[j % len(colours)]}
            for j, m in enumerate(metrics)
        ],
        "baseline": height - bottom,
    }


def _shown(value: int | float | None) -> int | float | str:
    return f"<{THRESHOLD}" if value is None else value


def table_rows(report: Report) -> tuple[list[str], list[list[object]]]:
    """The monthly table as the page, the CSV and the spreadsheet show it."""
    header = ["maand", *(label for _, label in METRICS), "dagen wachten bespaard"]
    rows: list[list[object]] = [
        [r.label, *(_shown(r.values[k]) for k, _ in METRICS), _shown(r.days_saved)]
        for r in report.months
    ]
    rows.append(
        ["totaal", *(_shown(report.totals[k]) for k, _ in METRICS), _shown(report.days_saved_total)]
    )
    return header, rows


def effect_rows(report: Report) -> tuple[list[str], list[list[object]]]:
    header = [
        "diagnosegroep",
        "getransfereerde cliënten met intake",
        "mediane wachttijd tot intake na transfer (dagen)",
        "intakes in de regio (wachtlijstcijfers)",
        "mediane wachttijd tot intake in de regio (dagen)",
        "verschil (dagen sneller)",
    ]
    rows: list[list[object]] = [
        [
            e.group_name,
            _shown(e.transferred),
            _shown(e.transferred_median_days),
            e.region_intakes,
            "" if e.region_median_days is None else e.region_median_days,
            "" if e.difference_days is None else e.difference_days,
        ]
        for e in report.effect
    ]
    return header, rows


def report_csv(report: Report) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header, rows = table_rows(report)
    writer.writerow(["regio", "regiocode", *header])
    for row in rows:
        writer.writerow([report.name, report.code, *row])
    return out.getvalue()


def report_xlsx(report: Report) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from vangnet.common.spreadsheet import escape_formula

    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = "Toelichting"
    info.append([f"Transfermechanisme {report.name} ({report.code})"])
    info["A1"].font = Font(bold=True)
    for note in report.notes:
        info.append([note])

    def sheet(title: str, header: list[str], rows: list[list[object]]) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([escape_formula(v) if isinstance(v, str) else v for v in row])
        ws.freeze_panes = "A2"

    sheet("Per maand", *table_rows(report))
    sheet(
        "Redenen afwijzing",
        ["reden", "aantal"],
        [[label, _shown(n)] for label, n in report.reasons],
    )
    sheet("Sneller geholpen", *effect_rows(report))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""The monthly transfer reports over the API (aggregates only, suppressed like the page).
Mounted at /api/v1/transfers/reports; every read is an export in the access log."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from vangnet.accounts.selectors import request_actor
from vangnet.audit.models import Action, Outcome
from vangnet.audit.services import access_log_write
from vangnet.common.errors import NotAllowed
from vangnet.common.schema import Month

from . import client_access, reports

router = Router(tags=["transfers"])

Kind = Literal["province", "veiligheidsregio", "table"]


class ReportQuery(Schema):
    from_: Month | None = Field(None, alias="from", description="Eerste maand, JJJJ-MM")
    to: Month | None = Field(None, description="Laatste maand, JJJJ-MM")


class MonthOut(Schema):
    month: str
    candidates: int | None = Field(description="Aangedragen (leeg: verborgen, minder dan 5)")
    screened: int | None
    proposed: int | None
    offered: int | None
    accepted: int | None
    declined: int | None
    intakes: int | None
    days_saved: int | None


class ReasonOut(Schema):
    reason: str
    count: int | None


class EffectOut(Schema):
    diagnosis_group: str
    transferred: int | None
    transferred_median_days: float | None
    region_intakes: int
    region_median_days: float | None
    difference_days: float | None = Field(description="Positief: na transfer zoveel dagen sneller")


class ReportOut(Schema):
    region_kind: str
    region_code: str
    region_name: str
    threshold: int
    months: list[MonthOut]
    totals: MonthOut
    decline_reasons: list[ReasonOut]
    effect: list[EffectOut]


@router.get("/{kind}/{code}", response=ReportOut)
def region_report(request: HttpRequest, kind: Kind, code: str, q: Query[ReportQuery]):
    """Monthly figures of a region's transfer mechanism; counts of 1–4 are null (suppressed)."""
    actor = request_actor(request)
    code = code[:10]
    reports.check_region(kind, code)
    try:
        membership = client_access.require_report(actor, kind=kind, code=code)
    except NotAllowed:
        access_log_write(
            actor=actor,
            action=Action.EXPORT,
            outcome=Outcome.DENIED,
            channel="api",
            detail=f"transfercijfers {code}",
        )
        raise
    if q.from_ is None and q.to is None:
        months = reports.default_months()
    else:
        months = reports.month_range(
            reports.parse_month(q.from_ or "", field_name="from"),
            reports.parse_month(q.to or "", field_name="to"),
        )
    report = reports.build_report(kind, code, months)
    access_log_write(
        actor=actor,
        membership=membership,
        action=Action.EXPORT,
        channel="api",
        detail=f"transfercijfers {code} {months[0]:%Y-%m}..{months[-1]:%Y-%m}",
    )
    return {
        "region_kind": kind,
        "region_code": code,
        "region_name": report.name,
        "threshold": report.threshold,
        "months": [
            {"month": r.label, **r.values, "days_saved": r.days_saved} for r in report.months
        ],
        "totals": {"month": "totaal", **report.totals, "days_saved": report.days_saved_total},
        "decline_reasons": [{"reason": label, "count": n} for label, n in report.reasons],
        "effect": [
            {
                "diagnosis_group": e.group_code,
                "transferred": e.transferred,
                "transferred_median_days": e.transferred_median_days,
                "region_intakes": e.region_intakes,
                "region_median_days": e.region_median_days,
                "difference_days": e.difference_days,
            }
            for e in report.effect
        ],
    }

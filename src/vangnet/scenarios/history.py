"""A region × diagnosis group's waiting-list history as arrays for the calibration engine.

Month M is read from the providers' submissions for period M only (see
docs/adr/0005-waitlist-submissions.md): registrations, intakes, treatment starts and exits
without treatment dated in M, and who waited at the end of M. Registrations are grouped by the
client's municipality (the region) and by provider; pseudonyms are used only to count unique
waiting persons of the cell and never leave this module.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from vangnet.engines.followup import add_months
from vangnet.engines.simulation.calibrate import History
from vangnet.regions.selectors import region_grouping
from vangnet.waitlists.models import DiagnosisGroup, Submission, WaitlistRegistration

# Treatment length is not in the data: a default per diagnosis group, in weeks, changeable by
# the user. Rough orders of magnitude of a ggz treatment trajectory (specialised care lasts
# longer for eating, personality and psychotic disorders); stated on every calibration page.
DEFAULT_TREATMENT_WEEKS = {
    "eetstoornis": 40,
    "persoonlijkheid": 52,
    "psychotisch": 52,
    "pervasief": 36,
    "bipolair": 36,
    "cognitief": 20,
}
DEFAULT_TREATMENT_WEEKS_OTHER = 26

NO_DATE = 2**40  # a missing date counts as "never" (after every month end)


def default_treatment_weeks(group_code: str) -> int:
    return DEFAULT_TREATMENT_WEEKS.get(group_code, DEFAULT_TREATMENT_WEEKS_OTHER)


@dataclass(frozen=True)
class CellHistory:
    history: History
    provider_ids: list[int]
    data_version: str
    first_month: date
    last_month: date


def _days(values: list[date | None]) -> np.ndarray:
    return np.array([v.toordinal() if v is not None else NO_DATE for v in values], dtype=np.int64)


def region_municipality_ids(kind: str, code: str) -> list[str]:
    return [m for m, r in region_grouping(kind).items() if r == code]


def load(
    kind: str, code: str, group: DiagnosisGroup, *, upto: date | None = None
) -> CellHistory | None:
    """The cell's history (optionally only the periods up to ``upto``), or None without data."""
    rows_q = WaitlistRegistration.objects.filter(
        diagnosis_group=group, municipality__code__in=region_municipality_ids(kind, code)
    )
    if upto is not None:
        rows_q = rows_q.filter(period__lte=upto)
    rows = list(
        rows_q.values_list(
            "period",
            "provider_id",
            "person_pseudonym",
            "registration_date",
            "intake_date",
            "treatment_start_date",
            "exit_date",
        )
    )
    if not rows:
        return None
    cols = list(zip(*rows, strict=True))
    periods = sorted(set(cols[0]))
    months: list[date] = []
    m = periods[0]
    while m <= periods[-1]:
        months.append(m)
        m = add_months(m, 1)
    providers = sorted(set(cols[1]))
    k_of = {mm: i for i, mm in enumerate(months)}
    p_of = {p: i for i, p in enumerate(providers)}
    k = np.array([k_of[x] for x in cols[0]], dtype=np.int64)
    p = np.array([p_of[x] for x in cols[1]], dtype=np.int64)
    reg, intake, start, exit_ = (_days(list(c)) for c in cols[3:7])
    first = np.array([mm.toordinal() for mm in months], dtype=np.int64)[k]
    last = np.array([(add_months(mm, 1) - timedelta(days=1)).toordinal() for mm in months])[k]
    left = np.minimum(start, exit_)

    n_p, n_k = len(providers), len(months)

    def count(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(n_p * n_k)
        np.add.at(out, p[mask] * n_k + k[mask], 1)
        return out.reshape(n_p, n_k)

    def dated_in_month(d: np.ndarray) -> np.ndarray:
        return (d >= first) & (d <= last)

    waiting = (reg <= last) & (left > last)
    waiting_intake = waiting & (intake > last)
    untreated_exit = dated_in_month(exit_) & (start > exit_)
    cell_waiting = np.zeros(n_k)
    persons = np.array(cols[2], dtype=object)
    for i in range(n_k):
        cell_waiting[i] = len(set(persons[waiting & (k == i)]))

    lk = n_k - 1
    now = waiting & (k == lk)
    end = last[now]
    since = np.where(intake[now] <= end, (end - intake[now]).astype(np.float64), np.nan)
    history = History(
        months=[(mm.year, mm.month) for mm in months],
        month_days=np.array([(add_months(mm, 1) - mm).days for mm in months], dtype=np.float64),
        arrivals=count(dated_in_month(reg)),
        intakes=count(dated_in_month(intake)),
        starts=count(dated_in_month(start)),
        exits_untreated=count(untreated_exit),
        waiting=count(waiting),
        waiting_intake=count(waiting_intake),
        cell_waiting=cell_waiting,
        init_provider=p[now],
        init_waited=(end - reg[now]).astype(np.float64),
        init_since_intake=since,
    )
    subs = sorted(
        (pid, per.isoformat(), sha)
        for pid, per, sha in Submission.objects.filter(
            provider_id__in=providers, period__in=months
        ).values_list("provider_id", "period", "content_sha256")
    )
    digest = hashlib.sha256(f"{group.code}|{kind}|{code}|{subs}".encode()).hexdigest()
    return CellHistory(history, providers, digest, months[0], months[-1])

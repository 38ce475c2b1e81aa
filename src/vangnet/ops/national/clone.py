"""Copy template cases, with everything hanging off them, in bulk.

Running the services ~10,000 times would take most of an hour; copying the rows a service run
produced takes seconds and keeps the history consistent with the workflow: every copy is the
template's rows, foreign keys remapped to the copies, all of its times moved back by one offset
(so event order and the gaps between steps stay as the services made them), and a new
reference, patient name and monitor code.

The rows that belong to a case are found from the model graph: every model with a foreign key
to a case, or to such a row, and the meetings its agenda items sit in.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from typing import Any, cast

from django.apps import apps
from django.db import models

from vangnet.cases.models import Case, Document, ReferenceCounter
from vangnet.meetings.models import AgendaItem, Meeting
from vangnet.monitor.models import MonitorRecord

# Not copied: documents (files on disk) and links between cases (about two real cases).
SKIP: set[type[models.Model]] = {Document}
KEEP_DATES = {(Case, "patient_birth_date")}


def owned_models() -> list[type[models.Model]]:
    """Case first, then every model whose rows belong to one case, parents before children."""
    owned: list[type[models.Model]] = [Meeting, Case]
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in owned or model in SKIP:
                continue
            if any(f.is_relation and f.related_model in owned for f in _fks(model)):
                owned.append(model)
                changed = True
    # Parents before children: a model comes after every owned model it points to.
    ordered: list[type[models.Model]] = []
    while len(ordered) < len(owned):
        before = len(ordered)
        for model in owned:
            parents = {f.related_model for f in _fks(model)} & set(owned) - {model}
            if model not in ordered and parents <= set(ordered):
                ordered.append(model)
        if len(ordered) == before:
            raise RuntimeError(f"foreign keys in a cycle: {set(owned) - set(ordered)}")
    return ordered


def _fks(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def _target(f: models.ForeignKey[Any, Any]) -> type[models.Model]:
    return cast(type[models.Model], f.related_model)


def template_rows(
    case: Case, order: list[type[models.Model]]
) -> dict[type[models.Model], list[Any]]:
    """The rows of one template case, per model in `order`."""
    rows: dict[type[models.Model], list[Any]] = {}
    ids: dict[type[models.Model], set[Any]] = {
        Case: {case.pk},
        Meeting: set(AgendaItem.objects.filter(case=case).values_list("meeting_id", flat=True)),
    }
    for model in order:
        if model not in ids:
            query = models.Q(pk__in=[])
            for f in _fks(model):
                parent = _target(f)
                if parent in ids:
                    query |= models.Q(**{f"{f.attname}__in": ids[parent]})
            ids[model] = set(model._base_manager.filter(query).values_list("pk", flat=True))
        rows[model] = list(model._base_manager.filter(pk__in=ids[model]).order_by("pk"))
    return rows


def _shift(obj: Any, days: int) -> None:
    delta = dt.timedelta(days=days)
    for f in obj._meta.concrete_fields:
        if not isinstance(f, models.DateField) or (type(obj), f.name) in KEEP_DATES:
            continue
        value = getattr(obj, f.attname)
        if value is not None:
            setattr(obj, f.attname, value - delta)


def clone_case(
    rows: dict[type[models.Model], list[Any]],
    order: list[type[models.Model]],
    copies: list[dict[str, Any]],
) -> list[int]:
    """Make one copy of the template per entry of `copies` (its `days` back in time and its
    case fields: reference, patient_name, ...). Returns the new case ids."""
    new_pk: list[dict[tuple[type[models.Model], Any], Any]] = [{} for _ in copies]
    for model in order:
        template = rows[model]
        if not template:
            continue
        objs = []
        for i, spec in enumerate(copies):
            for row in template:
                obj = copy.copy(row)
                obj._state = copy.copy(row._state)
                obj._state.adding = True
                obj._state.db = None
                obj._state.fields_cache = {}  # not the template's cached related objects
                obj.pk = None
                for f in _fks(model):
                    old = getattr(row, f.attname)
                    if _target(f) in rows and old is not None:
                        setattr(obj, f.attname, new_pk[i][(_target(f), old)])
                _shift(obj, spec["days"])
                if model is Case:
                    for name, value in spec.items():
                        if name != "days":
                            setattr(obj, name, value)
                elif model is MonitorRecord:
                    obj.case_ref = spec["monitor_ref"]
                objs.append(obj)
        created = model._base_manager.bulk_create(objs, batch_size=1000)
        k = 0
        for i in range(len(copies)):
            for row in template:
                new_pk[i][(model, row.pk)] = created[k].pk
                k += 1
    # The criteria the referrer ticked (many-to-many through rows).
    through = Case.referrer_criteria.through
    links = list(
        through.objects.filter(case_id=rows[Case][0].pk).values_list("criterion_id", flat=True)
    )
    through.objects.bulk_create(
        [
            through(case_id=new_pk[i][(Case, rows[Case][0].pk)], criterion_id=c)
            for i in range(len(copies))
            for c in links
        ],
        batch_size=2000,
    )
    return [new_pk[i][(Case, rows[Case][0].pk)] for i in range(len(copies))]


class References:
    """Case references `VN-<year>-<n>` continuing the service's counter per year."""

    def __init__(self) -> None:
        self.last: dict[int, int] = dict(ReferenceCounter.objects.values_list("year", "last"))

    def next(self, year: int) -> str:
        self.last[year] = self.last.get(year, 0) + 1
        return f"VN-{year}-{self.last[year]:05d}"

    def save(self) -> None:
        for year, last in self.last.items():
            ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})


def monitor_refs(seed: int, count: int, problem: Callable[[str], str | None]) -> Iterator[str]:
    """Deterministic monitor codes of the form the service makes (`M-` + 10 hex), skipping the
    ones the import would refuse."""
    made = 0
    i = 0
    while made < count:
        ref = "M-" + hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()[:10].upper()
        i += 1
        if problem(ref) is None:
            made += 1
            yield ref

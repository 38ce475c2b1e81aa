"""Reference data over the API: tables, municipalities and the seven criteria (public)."""

from __future__ import annotations

from django.utils import timezone
from ninja import Router, Schema

from vangnet.common.errors import NotFound

from .models import Criterion, Municipality, Table
from .selectors import table_for_municipality

router = Router(tags=["referentiedata"])


class TableOut(Schema):
    number: int
    name: str
    region_description: str
    coordinating_institution: str


class CriterionOut(Schema):
    number: int
    text: str


class MunicipalityOut(Schema):
    code: str
    name: str
    table: int | None


@router.get("/tables", response=list[TableOut], auth=None)
def tables(request):
    return list(Table.objects.all())


@router.get("/criteria", response=list[CriterionOut], auth=None)
def criteria(request):
    return list(Criterion.objects.all())


@router.get("/municipalities/{code}", response=MunicipalityOut, auth=None)
def municipality(request, code: str):
    m = Municipality.objects.filter(code=code).first()
    if m is None:
        raise NotFound("Deze gemeente is onbekend.")
    table = table_for_municipality(municipality=m, on=timezone.localdate())
    return MunicipalityOut(code=m.code, name=m.name, table=table.number if table else None)

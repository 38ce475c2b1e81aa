"""Public pages of the registration desk: the tables, who they are for, and how to register."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import Criterion, Municipality, Table
from .selectors import municipalities_of_table, table_for_municipality


def table_list(request: HttpRequest) -> HttpResponse:
    return render(request, "regions/table_list.html", {"tables": Table.objects.all()})


def table_detail(request: HttpRequest, number: int) -> HttpResponse:
    table = get_object_or_404(Table, number=number)
    municipalities = municipalities_of_table(table=table, on=timezone.localdate()).order_by("name")
    return render(
        request,
        "regions/table_detail.html",
        {"table": table, "criteria": Criterion.objects.all(), "municipalities": municipalities},
    )


def proposed_table(request: HttpRequest) -> HttpResponse:
    """HTMX fragment: the table proposed for the chosen municipality (no patient data involved)."""
    code = request.GET.get("patient_municipality", "")
    municipality = Municipality.objects.filter(code=code).first()
    table = (
        table_for_municipality(municipality=municipality, on=timezone.localdate())
        if municipality
        else None
    )
    return render(
        request, "regions/_proposed_table.html", {"table": table, "municipality": municipality}
    )

"""URLs of the monthly transfer reports (mounted under /transfers/rapportage/)."""

from django.urls import path

from . import report_views as views

app_name = "transfers_reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:kind>/<str:code>/", views.region, name="region"),
    path("<str:kind>/<str:code>/export.csv", views.export, {"fmt": "csv"}, name="csv"),
    path("<str:kind>/<str:code>/export.xlsx", views.export, {"fmt": "xlsx"}, name="xlsx"),
]

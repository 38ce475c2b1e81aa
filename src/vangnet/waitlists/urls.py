from django.urls import path

from . import views

app_name = "waitlists"
urlpatterns = [
    path("", views.index, name="index"),
    path("kies/", views.choose, name="choose"),
    path("regio/<str:kind>/<str:code>/", views.dashboard, name="dashboard"),
    path(
        "regio/<str:kind>/<str:code>/export.csv",
        views.export,
        {"fmt": "csv"},
        name="export_csv",
    ),
    path(
        "regio/<str:kind>/<str:code>/export.xlsx",
        views.export,
        {"fmt": "xlsx"},
        name="export_xlsx",
    ),
    path("pauzes/nieuw/", views.pause_new, name="pause_new"),
    path("pauzes/<int:pk>/beeindigen/", views.pause_end, name="pause_end"),
    path("pauzes/<str:kind>/<str:code>/", views.pauses, name="pauses"),
    path("aanleveren/", views.upload, name="upload"),
    path("gepubliceerd/", views.published_view, name="published"),
]

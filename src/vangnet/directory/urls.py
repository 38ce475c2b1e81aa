from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("mijn/", views.mine, name="mine"),
    path("aanbod/<int:pk>/", views.offer_detail, name="offer"),
    path("aanbod/<int:pk>/bewerken/", views.offer_edit, name="offer_edit"),
    path("locatie/<int:location>/aanbod/nieuw/", views.offer_new, name="offer_new"),
    path("locatie/<int:pk>/bewerken/", views.location_edit, name="location_edit"),
    path("organisatie/<int:org>/locatie/nieuw/", views.location_new, name="location_new"),
    path("organisatie/<int:org>/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("organisatie/<int:org>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("organisatie/<int:org>/import/", views.import_file, name="import"),
    path("<str:entity>/<int:pk>/bevestigen/", views.confirm, name="confirm"),
    path("doel/<int:goal>/koppelen/", views.goal_attach, name="goal_attach"),
    path("doel/<int:goal>/tekort/", views.goal_shortage, name="goal_shortage"),
    path("regio/", views.public_index, name="public_index"),
    path("regio/<int:number>/", views.public_region, name="public_region"),
]

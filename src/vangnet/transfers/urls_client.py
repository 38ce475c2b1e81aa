"""URLs of the client journey: the public client page and desk pages, and the staff's side of it
(client page, personal code, letter). Kept apart from the desk's URLs for an easy merge."""

from django.urls import path

from . import client_views as views

app_name = "transfers_client"
urlpatterns = [
    path("mijn-transfer/", views.client_start, name="start"),
    path("mijn-transfer/pagina/", views.client_view, name="page"),
    path("mijn-transfer/afsluiten/", views.client_leave, name="leave"),
    path("transferpunt/", views.desk_index, name="desk_index"),
    path("transferpunt/<str:kind>/<str:code>/", views.desk_region, name="desk_region"),
    path("transfers/clientpagina/<str:reference>/", views.staff_page, name="staff"),
    path("transfers/clientpagina/<str:reference>/code/", views.staff_issue, name="issue"),
    path("transfers/clientpagina/<str:reference>/brief.pdf", views.staff_letter, name="letter"),
    path("transfers/clientcode/<int:pk>/intrekken/", views.staff_revoke, name="revoke"),
]

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("overzicht/", views.dashboard, name="dashboard"),
    path("", views.case_list, name="list"),
    path("aanmelden/", views.register, name="register"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/triage/", views.triage, name="triage"),
    path("<str:reference>/tweede-beoordeling/", views.screen, name="screen"),
    path("<str:reference>/verplaatsen/", views.move, name="move"),
]

from django.urls import path

from . import views, views_followup

app_name = "cases"
urlpatterns = [
    path("overzicht/", views.dashboard, name="dashboard"),
    path("", views.case_list, name="list"),
    path("aanmelden/", views.register, name="register"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/triage/", views.triage, name="triage"),
    path("<str:reference>/tweede-beoordeling/", views.screen, name="screen"),
    path("<str:reference>/verplaatsen/", views.move, name="move"),
    path("<str:reference>/actie/<slug:name>/", views_followup.case_action, name="action"),
    path("<str:reference>/documenten/", views_followup.document_upload, name="document_upload"),
    path("<str:reference>/documenten/<int:pk>/", views_followup.document_download, name="document"),
    path("<str:reference>/financiering/<int:pk>/", views_followup.financing, name="financing"),
]

from django.urls import path

from vangnet.cases.views import (
    case_list,
    document_download,
    document_upload,
    move,
    organisation_search,
    register,
    screen,
    triage,
)
from vangnet.casework.views import (
    case_action,
    case_form,
    case_open,
    case_pdf,
    dashboard,
    detail,
    section,
)
from vangnet.plans.views import financing

app_name = "cases"
urlpatterns = [
    path("overzicht/", dashboard, name="dashboard"),
    path("", case_list, name="list"),
    path("aanmelden/", register, name="register"),
    path("organisaties/zoeken/", organisation_search, name="organisation_search"),
    path("<str:reference>/", detail, name="detail"),
    path("<str:reference>/openen/", case_open, name="open"),
    path("<str:reference>/dossier/pdf/", case_pdf, name="pdf"),
    path("<str:reference>/dossier/<slug:name>/", section, name="section"),
    path("<str:reference>/triage/", triage, name="triage"),
    path("<str:reference>/tweede-beoordeling/", screen, name="screen"),
    path("<str:reference>/verplaatsen/", move, name="move"),
    path("<str:reference>/actie/<slug:name>/", case_action, name="action"),
    path("<str:reference>/formulier/<slug:name>/", case_form, name="form"),
    path("<str:reference>/documenten/", document_upload, name="document_upload"),
    path("<str:reference>/documenten/<int:pk>/", document_download, name="document"),
    path("<str:reference>/financiering/<int:pk>/", financing, name="financing"),
]

from django.urls import path

from . import views

app_name = "monitor"
urlpatterns = [
    path("", views.index, name="index"),
    path("rapport/", views.report, name="report"),
    path("rapport.pdf", views.report_pdf, name="report_pdf"),
    path("rapport/pdf-maken/", views.report_pdf_render, name="report_pdf_render"),
    path("importeren/", views.import_file, name="import"),
    path("exporteren/", views.export_file, name="export"),
    path("vragenlijsten/", views.questionnaires, name="questionnaires"),
    path("vragenlijsten/<str:reference>/", views.questionnaire, name="questionnaire"),
]

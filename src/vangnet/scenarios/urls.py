from django.urls import path

from . import views

app_name = "scenarios"
urlpatterns = [
    path("", views.index, name="index"),
    path("kalibratie/", views.calibrate, name="calibrate"),
    path("kalibratie/<int:pk>/", views.calibration_page, name="calibration"),
    path("<int:pk>/", views.scenario_page, name="scenario"),
    path("<int:pk>/voortgang/", views.progress, name="progress"),
    path("vergelijk/", views.compare_page, name="compare"),
    path("vergelijk/pdf/", views.compare_pdf, name="compare_pdf"),
    path("vergelijk/xlsx/", views.compare_xlsx, name="compare_xlsx"),
]

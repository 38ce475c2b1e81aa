"""The public signal form and status page: no account needed."""

from django.urls import path

from . import views

app_name = "signal"

urlpatterns = [
    path("", views.public_signal, name="new"),
    path("status/", views.public_status, name="status"),
]

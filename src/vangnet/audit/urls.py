from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.log_view, name="log"),
    path("beheer/", views.account_log_view, name="account_log"),
]

from django.urls import path

from vangnet.plans.views import my_decisions

app_name = "plans"
urlpatterns = [
    path("mijn-besluiten/", my_decisions, name="decisions"),
]

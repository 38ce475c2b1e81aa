from django.urls import path

from . import views

app_name = "outcomes"
urlpatterns = [
    path("bedankt/", views.thanks, name="thanks"),
    path("<str:token>/", views.answer, name="answer"),
]

from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("", views.question_list, name="questions"),
    path("nieuw/", views.question_new, name="question_new"),
    path("signalen/", views.signal_list, name="signals"),
    path("signalen/<str:reference>/", views.signal_detail, name="signal"),
    path("signalen/<str:reference>/aanmelden/", views.signal_register, name="signal_register"),
    path("<str:reference>/", views.question_detail, name="question"),
    path("<str:reference>/aanmelden/", views.question_register, name="question_register"),
    path("<str:reference>/stap/<str:step>/", views.question_step, name="question_step"),
]

from django.urls import path

from . import views

app_name = "board"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("inbrengen/", views.doorzettingsmacht, name="doorzettingsmacht"),
    path("casus/<str:reference>/", views.refer, name="refer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/besluit/", views.decide, name="decide"),
    path("<int:pk>/uitgevoerd/", views.carried_out, name="carried_out"),
]

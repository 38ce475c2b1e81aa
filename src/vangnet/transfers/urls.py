from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.index, name="index"),
    path("tafel/<str:kind>/<str:code>/", views.desk, name="desk"),
    path("tafel/<str:kind>/<str:code>/<str:section>/", views.desk_list, name="desk_list"),
    path("voorstel/<int:pk>/", views.proposal, name="proposal"),
    path("voorstel/regel/<int:pk>/<str:decision>/", views.line_decide, name="line_decide"),
    path("capaciteit/", views.capacity, name="capacity"),
    path("aandragen/", views.put_forward, name="put_forward"),
    path("screening/", views.screening, name="screening"),
    path("kandidaat/<str:reference>/", views.candidate, name="candidate"),
    path("kandidaat/<str:reference>/screenen/", views.screen, name="screen"),
    path("kandidaat/<str:reference>/<str:step>/", views.candidate_step, name="candidate_step"),
    path("transfer/<int:pk>/", views.transfer, name="transfer"),
    path("transfer/<int:pk>/<str:step>/", views.transfer_step, name="transfer_step"),
]

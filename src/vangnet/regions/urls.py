from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.table_list, name="table_list"),
    path("<int:number>/", views.table_detail, name="table_detail"),
    path("voorgestelde-tafel/", views.proposed_table, name="proposed_table"),
]

from django.urls import path

from .views import inbox, letter_pdf

app_name = "continuity"
urlpatterns = [
    path("", inbox, name="inbox"),
    path("brief/<int:pk>/pdf/", letter_pdf, name="letter_pdf"),
]

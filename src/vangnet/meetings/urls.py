from django.urls import path

from vangnet.meetings.views import meeting_detail, meeting_list, meeting_pdf

app_name = "meetings"
urlpatterns = [
    path("", meeting_list, name="list"),
    path("<int:pk>/", meeting_detail, name="detail"),
    path("<int:pk>/pdf/", meeting_pdf, name="pdf"),
]

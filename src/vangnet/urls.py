from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

from vangnet.api import errors as api_errors
from vangnet.api.api import api

if settings.VANGNET_REQUIRE_2FA:
    # The admin shows health-related data too: it requires a verified second factor as well.
    admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Vangnet beheer"
admin.site.site_title = "Vangnet beheer"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:dashboard", permanent=False)),
    path("account/", include("vangnet.accounts.urls")),
    path("tafels/", include("vangnet.regions.urls")),
    path("casussen/", include("vangnet.casework.urls")),
    path("toegangslog/", include("vangnet.audit.urls")),
    path("consultaties/", include("vangnet.consultations.urls")),
    path("besprekingen/", include("vangnet.meetings.urls")),
    path("financiering/", include("vangnet.plans.urls")),
    path("huisartsberichten/", include("vangnet.continuity.urls")),
    path("monitor/", include("vangnet.monitor.urls")),
    path("wachtlijsten/", include("vangnet.waitlists.urls")),
    path("scenarios/", include("vangnet.scenarios.urls")),
    path("sociale-kaart/", include("vangnet.directory.urls")),
    path("uitkomstvraag/", include("vangnet.outcomes.urls")),
    path("bestuurlijke-overlegtafel/", include("vangnet.board.urls")),
    path("", include("vangnet.transfers.urls_client")),
    path("transfers/rapportage/", include("vangnet.transfers.urls_reports")),
    path("transfers/", include("vangnet.transfers.urls")),
    path("vragen/", include("vangnet.routing.urls")),
    path("signaal/", include("vangnet.routing.public_urls")),
    path("beheer/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_errors.not_found),
]

handler403 = "vangnet.common.views.forbidden"
handler404 = "vangnet.common.views.not_found"
handler500 = "vangnet.common.views.server_error"

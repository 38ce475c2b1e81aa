"""The API instance. Domain apps register their routers here; OpenAPI is committed to docs/."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import NinjaAPI

from . import errors
from .auth import AUTH
from .contract import document_problems


class VangnetAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also lists every problem+json answer (contract.py)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_problems(super().get_openapi_schema(*args, **kwargs))


def _docs_behind_login(view: Any) -> Any:
    """In production the Swagger UI and the OpenAPI document need a verified login."""
    from vangnet.accounts.decorators import verified_required

    guarded = verified_required(view)

    def docs(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if settings.VANGNET_API_DOCS_PUBLIC:
            return view(request, *args, **kwargs)
        return guarded(request, *args, **kwargs)

    return docs


api = VangnetAPI(
    title="Vangnet API",
    version="1.0.0",
    description=(
        "API van Vangnet, voor de casuïstiektafels hoogcomplexe ggz. Authenticatie met een "
        "sessie (met tweede factor) of een persoonlijk API-token (Authorization: Bearer). "
        "Fouten worden teruggegeven als application/problem+json."
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_decorator=_docs_behind_login,
)
errors.install(api)


def _register() -> None:
    from vangnet.cases.api import router as cases_router

    # The whole case journey (issue 16 §5): each case-work app's router, mounted at the root
    # because its paths sit under /cases/{reference}/… beside the cases router's own.
    from vangnet.casework.api import router as casework_router
    from vangnet.consultations.api import router as consultations_router
    from vangnet.continuity.api import router as continuity_router
    from vangnet.directory.api import case_router as directory_case_router
    from vangnet.directory.api import router as directory_router
    from vangnet.followup.api import router as followup_router
    from vangnet.meetings.api import router as meetings_router
    from vangnet.monitor.api import router as monitor_router
    from vangnet.plans.api import router as plans_router
    from vangnet.regions.api import router as regions_router
    from vangnet.routing.api import router as routing_router
    from vangnet.scenarios.api import router as scenarios_router
    from vangnet.transfers.api import router as transfers_router
    from vangnet.transfers.api_reports import router as transfer_reports_router
    from vangnet.waitlists.api import router as waitlists_router

    api.add_router("/cases", cases_router)
    api.add_router("/reference", regions_router)
    api.add_router("/waitlists", waitlists_router)
    api.add_router("/monitor", monitor_router)
    api.add_router("/scenarios", scenarios_router)
    api.add_router("/directory", directory_router)
    api.add_router("", meetings_router)
    api.add_router("", plans_router)
    api.add_router("", followup_router)
    api.add_router("", casework_router)
    api.add_router("/consultations", consultations_router)
    api.add_router("", directory_case_router)
    api.add_router("/continuity", continuity_router)
    from vangnet.board.api import router as board_router
    from vangnet.outcomes.api import router as outcomes_router

    api.add_router("/outcome-questions", outcomes_router)
    api.add_router("/board", board_router)
    api.add_router("/transfers/reports", transfer_reports_router)
    api.add_router("/transfers", transfers_router)
    api.add_router("/routing", routing_router)


_register()

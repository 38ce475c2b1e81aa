from typing import Any

from django.conf import settings
from django.http import HttpRequest


def vangnet(request: HttpRequest) -> dict[str, Any]:
    return {"demo_banner": settings.VANGNET_DEMO_BANNER}

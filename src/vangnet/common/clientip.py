"""The client's address, also behind a reverse proxy (for the login lockout and rate limits).

REMOTE_ADDR is the proxy when one terminates TLS in front of Vangnet: every client would then
share one address, and a lockout of "username at this address" would lock the username for
everyone. The forwarded header is trusted only when the request comes from a configured proxy
(VANGNET_TRUSTED_PROXIES); the client is the right-most address in it that is not a proxy.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = set(settings.VANGNET_TRUSTED_PROXIES)
    if remote is None or remote not in proxies:
        return remote
    key = "HTTP_" + settings.VANGNET_PROXY_CLIENT_IP_HEADER.upper().replace("-", "_")
    chain = [a for a in (_valid(p) for p in request.META.get(key, "").split(",")) if a]
    for address in reversed(chain):
        if address not in proxies:
            return address
    return remote

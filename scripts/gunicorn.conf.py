"""gunicorn settings for `make serve` (production-like): workers sized to the cores.

Environment: VANGNET_BIND (default 127.0.0.1:8000), VANGNET_WORKERS (default 2 × cores: sync
workers that wait on PostgreSQL part of the time; see below),
VANGNET_THREADS (default 1), VANGNET_AUDIT_SEALER (default 1: run the access log's sealer,
`audit seal --follow`, beside the workers, as docs/security.md asks of production; the requests
then leave sealing to it; 0: no sealer, each logging request seals its own rows).
"""

import multiprocessing
import os
import subprocess
import sys
from typing import Any

wsgi_app = "vangnet.wsgi:application"
bind = os.environ.get("VANGNET_BIND", "127.0.0.1:8000")
# Two per core, not gunicorn's rule of thumb 2 × cores + 1: on the 2-core bench machine, with
# PostgreSQL on the same cores, bench/web.py (--quick, 120 s, two runs each) measured p95 254-286 ms
# with 3 workers, 168-210 ms with 4 and 270-321 ms with 5; a fifth worker only adds contention.
workers = int(os.environ.get("VANGNET_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("VANGNET_THREADS", 1))
# Load the app once in the master: workers fork with Django and the engines' imports done.
preload_app = True
timeout = 60
graceful_timeout = 20
max_requests = 5000  # recycle workers now and then; jitter so they do not restart together
max_requests_jitter = 500
accesslog = "-"
# No query strings in the access log: they can carry search terms.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'

# One sealer beside the workers seals every second in one batch; without it each request that
# logged a row sealed at its end (a locked transaction of five queries per request).
SEALER = os.environ.get("VANGNET_AUDIT_SEALER", "1") != "0"
if SEALER:
    os.environ["VANGNET_AUDIT_SEAL_IN_REQUEST"] = "0"  # read by the settings the app loads
_sealer: subprocess.Popen[bytes] | None = None


def when_ready(server: Any) -> None:
    global _sealer
    if SEALER:
        _sealer = subprocess.Popen([sys.executable, "-m", "vangnet", "audit", "seal", "--follow"])


def on_exit(server: Any) -> None:
    if _sealer is not None:
        _sealer.terminate()
        _sealer.wait(timeout=15)

"""gunicorn settings for `make serve` (production-like): workers sized to the cores.

Environment: VANGNET_BIND (default 127.0.0.1:8000), VANGNET_WORKERS (default 2 × cores + 1,
gunicorn's rule of thumb for a sync Django app that waits on PostgreSQL part of the time),
VANGNET_THREADS (default 1).
"""

import multiprocessing
import os

wsgi_app = "vangnet.wsgi:application"
bind = os.environ.get("VANGNET_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("VANGNET_WORKERS", 2 * multiprocessing.cpu_count() + 1))
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

"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vangnet.settings.production")
application = get_wsgi_application()

# Import every view now (the URL configuration) rather than in each worker's first request:
# gunicorn preloads this module, so its workers fork with the views loaded (py-spy under load:
# a quarter of the workers' time in the first minute went to these imports, again after each
# worker restart).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

"""WSGI entry point for gunicorn: ``gunicorn afterschool.wsgi``."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "afterschool.settings")

application = get_wsgi_application()

# Django, the apps and their modules live as long as the worker: move them
# out of the cyclic garbage collector's reach, so its full collections scan
# only what requests left behind (one took about half a second every few
# hundred requests, BENCHMARKS.md).
gc.freeze()

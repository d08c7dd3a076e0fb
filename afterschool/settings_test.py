"""Test settings: the real settings plus a fast password hasher (STYLE.md §10)."""

import os

from afterschool.settings import *  # noqa: F403

# pytest-django's live_server runs beside Playwright's sync API in one thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# No outside notice channel unless a test switches one on.
NOTICE_CHANNELS: list[str] = []
# The home pages' figures live in every other test (tests/overview/test_home_figures.py
# switches a real cache on to test the caching itself).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}

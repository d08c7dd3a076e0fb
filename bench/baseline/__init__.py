"""A bare Django 6.1 project: the baseline of ``bench/pages.py``.

Same stack as the product (Django, PostgreSQL, gunicorn, DEBUG off,
persistent connections, database sessions, the same password hasher list's
default), nothing else: no product middleware, no templates beyond one.
"""

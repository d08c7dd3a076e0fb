"""The demo school 阳光实验小学: every app's demo builder and ``manage.py load_demo``.

Sits on top of the import layers (it may import every app; no product app
imports it) and is the only code that needs ``faker`` (the ``demo`` extra).
"""

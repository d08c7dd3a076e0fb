"""gunicorn settings for the web process (deploy/systemd/afterschool-web.service).

Every value can be changed from the environment (deploy/afterschool.env.example),
so the same file serves one small server or several behind a load balancer.
Run: ``gunicorn -c deploy/gunicorn.conf.py`` from the project folder.
"""

import os

wsgi_app = "afterschool.wsgi:application"

# nginx on the same machine talks to 127.0.0.1:8000; behind a separate load
# balancer use 0.0.0.0:8000 (and firewall the port to the balancer).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# The cores this process may use (a container's or a systemd CPUAffinity's share).
_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = int(os.environ.get("GUNICORN_WORKERS", _cores * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# PDF batches (a class's fee sheets) can take several seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: WeasyPrint and openpyxl hold on to memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100

# gunicornc's control socket only where asked for (the systemd unit puts it in
# /run/afterschool/); the default, ~/.gunicorn/gunicorn.ctl, is read-only under
# the unit's ProtectHome and shared by every gunicorn of the same user.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

# Only the proxy in front may set X-Forwarded-For / -Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs go to stdout/stderr (journald). The access log has the path without the
# query string (%(U)s, not %(r)s): searches and filters may carry names,
# mobiles or ID numbers. No client address either: nginx logs it.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# gunicorn's own loggers pass the same filter as Django's (afterschool/logging.py):
# an ID number or mobile in a path, or in a failed request's URI, is blanked.
_scrub = ["scrub_personal_data"]
logconfig_dict = {
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {
            "level": loglevel.upper(),
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["console"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
    "filters": {"scrub_personal_data": {"()": "afterschool.logging.ScrubPersonalDataFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
            "filters": _scrub,
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
            "filters": _scrub,
        },
    },
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
        # access_log_format carries its own time stamp.
        "access": {"format": "%(message)s"},
    },
}

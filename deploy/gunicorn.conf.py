"""gunicorn settings for the web process (deploy/systemd/afterschool-web.service).

Every value can be changed from the environment (deploy/afterschool.env.example),
so the same file serves one small server or several behind a load balancer.
Run: ``gunicorn -c deploy/gunicorn.conf.py`` from the project folder.
"""

import multiprocessing
import os

wsgi_app = "afterschool.wsgi:application"

# nginx on the same machine talks to 127.0.0.1:8000; behind a separate load
# balancer use 0.0.0.0:8000 (and firewall the port to the balancer).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# PDF batches (a class's fee sheets) can take several seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then: WeasyPrint and openpyxl hold on to memory.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = 100

# Only the proxy in front may set X-Forwarded-For / -Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs go to stdout/stderr (journald). The access log has the path without the
# query string (%(U)s, not %(r)s): searches and filters may carry names,
# mobiles or ID numbers. No client address either: nginx logs it.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

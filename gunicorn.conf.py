"""gunicorn's settings for the portal's web processes: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Each setting can be changed by an environment variable. Long work (PDFs, imports of many rows, emails)
runs in jobs, so a request that takes longer than the timeout is a fault: its worker is restarted.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
#: One worker a core. A page spends most of its time in Python (CPU), little waiting on the database, so
#: more workers than cores only share the cores and switch between them. `make bench` measures four
#: set-ups on the same data (2 cores, 8 clients): 2 sync workers served the front-door queue at 138
#: requests a second (median 56 ms), 4 and 5 workers at 129 and 123 (62 and 64 ms), 2 workers of 4
#: threads at 88 (80 ms); the other pages alike (README, "Running in production").
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
#: The application is loaded once, before the workers are forked (less memory, faster restarts).
preload_app = True
#: A worker is replaced after this many requests (a slow leak never grows for long).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
#: The proxy in front that may say who the client is (X-Forwarded-For; see PROXY_FIX_X_FOR).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """A forked worker never uses a database connection opened before the fork (with ``preload_app`` the
    parent may have opened one): its pool starts empty, without closing the parent's."""
    from portal.extensions import db
    from wsgi import app

    with app.app_context():
        db.engine.dispose(close=False)

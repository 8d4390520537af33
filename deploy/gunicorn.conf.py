"""Gunicorn settings for the web nodes: gunicorn -c deploy/gunicorn.conf.py "marketplace:create_app()".

Values come from the environment (systemd EnvironmentFile=/etc/marketplace/env) so nodes differ only there.
"""

import os

# Loopback by default; a node behind a separate nginx host sets GUNICORN_BIND=<private-ip>:8000.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Measured on 2 cores: 2 sync workers beat gthread and beat more workers; raise with the core count.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers: nginx buffers slow clients, and requests are short and CPU/DB bound.
worker_class = "sync"
# Kill a worker stuck for 30 s on one request (long work belongs in the job queue).
timeout = 30
# On reload/stop, give in-flight requests 30 s to finish (systemd TimeoutStopSec is larger).
graceful_timeout = 30
# Recycle each worker after ~2000 requests to cap slow memory growth ...
max_requests = 2000
# ... with jitter so the workers do not all restart at the same moment.
max_requests_jitter = 200
# Trust X-Forwarded-* only from the nginx host(s); comma-separated IPs, e.g. 10.0.0.10.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access log to stdout and errors to stderr: both go to journald.
accesslog = "-"
errorlog = "-"
# Import the app in each worker: every worker opens its own DB pool and search index after the fork.
preload_app = False

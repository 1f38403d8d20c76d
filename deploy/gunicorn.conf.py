"""gunicorn settings for production (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 30
# Access log without the client address: reporters' IP addresses are never stored anywhere.
accesslog = "-"
access_log_format = '%(m)s %(U)s %(s)s %(B)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

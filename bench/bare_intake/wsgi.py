"""``gunicorn -c deploy/gunicorn.conf.py bench.bare_intake.wsgi``: the baseline server."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

# Always this module's settings: with the project's URLs this entry would not be the baseline.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_intake.settings"

application = get_wsgi_application()

"""The Celery application. Tasks live in each app's ``tasks.py``."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_init
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ombuds")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _verify_before_serving(**kwargs: Any) -> None:
    # A worker with the wrong keys would fail every task that touches a case, and one without
    # the database protections would serve unguarded; stop it at once.
    # Celery's dispatcher logs and swallows exceptions from receivers, so exit explicitly.
    from config.startup import verify_before_serving

    try:
        verify_before_serving()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc

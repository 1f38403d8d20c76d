"""A real Celery worker starts from our configuration and answers over a real Redis broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery

from tests.conftest import REDIS_URL
from tests.processes import ROOT


@pytest.mark.redis
def test_worker_answers_over_redis(migrated_db: Path) -> None:
    broker = REDIS_URL.rsplit("/", 1)[0] + "/13"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
           "CELERY_BROKER_URL": broker, "DATABASE_URL": f"sqlite:///{migrated_db}"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=WARNING", "--hostname=ombuds-test@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        # A bare client app on the same broker, as another process in production would be.
        client = Celery(broker=broker)
        replies: list[dict[str, object]] = []
        deadline = time.monotonic() + 30
        while not replies and time.monotonic() < deadline and worker.poll() is None:
            replies = client.control.ping(timeout=1.0)
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        assert any(name.startswith("ombuds-test@") for reply in replies for name in reply)
    finally:
        worker.terminate()
        worker.wait(timeout=30)

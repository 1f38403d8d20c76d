"""The demo app: installed only so that ``manage.py seed_demo`` is found."""

from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo"

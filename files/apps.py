"""The files app: no models, no start-up work; installed so it stands among the apps."""

from __future__ import annotations

from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "files"
    verbose_name = "Files"

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProtectionsConfig(AppConfig):
    name = "protections"
    verbose_name = "Database protections"

    def ready(self) -> None:
        from protections import checks  # noqa: F401 - registers the system check
        from protections.installing import install_after_migrate

        # Infrastructure, not domain flow: after every migrate, put back what it may have
        # dropped. Sent once per migrate because this app has a (model-less) models module.
        post_migrate.connect(
            install_after_migrate, sender=self, dispatch_uid="protections.install_after_migrate"
        )

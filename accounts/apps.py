from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401 - registers the system check
        from accounts.protections import SUPERUSER_NO_ROLE_TRIGGERS
        from protections.registry import register as register_protection

        register_protection(SUPERUSER_NO_ROLE_TRIGGERS)

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts"

    def ready(self) -> None:
        from accounts import checks  # noqa: F401 - registers the system check
        from accounts.protections import SUPERUSER_NO_ROLE_TRIGGERS
        from accounts.session_timeout import stamp_sign_in
        from protections.registry import register as register_protection

        register_protection(SUPERUSER_NO_ROLE_TRIGGERS)
        # Session bookkeeping (infrastructure, not domain flow): every sign-in is stamped, so
        # the session's absolute limit counts from it.
        user_logged_in.connect(stamp_sign_in, dispatch_uid="accounts.stamp_sign_in")

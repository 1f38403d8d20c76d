"""The system administrator's pages: creating staff accounts and deactivating them.

Roles, permissions and the superuser flag are not here (DESIGN.md §2): roles are granted and
removed by coordinators through ``accounts.services.role_grant``/``role_revoke``, and an account
that could be made superuser here could be given every role's power. Creating, deactivating
and reactivating an account, and setting someone's password, are recorded on the audit trail's
system stream with who did it, in the admin's own transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User


class StaffUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        # is_staff opens this admin only; it grants no role and no case.
        (_("Account"), {"fields": ("is_active", "is_staff")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff")
    filter_horizontal = ()

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User],
                   change: bool) -> None:
        services.account_admin_save(user=obj, actor=request.user,  # type: ignore[arg-type]
                                    created=not change, changed=form.changed_data)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:
        """Django's password page, with the change recorded in the same transaction."""
        if request.method != "POST" or not unquote(id).isdigit():
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            before = User.objects.filter(pk=unquote(id)).values_list("password", flat=True)
            old = before.first()
            response = super().user_change_password(request, id, form_url)
            new = before.first()
            if old is not None and new != old:
                services.account_password_set_record(
                    user_id=int(unquote(id)), actor=request.user)  # type: ignore[arg-type]
        return response

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        # What the fieldsets leave out is out of the form too, so a crafted POST with groups,
        # user_permissions or is_superuser changes nothing.
        for name in ("groups", "user_permissions", "is_superuser"):
            form.base_fields.pop(name, None)
        return form


admin.site.register(User, StaffUserAdmin)

# The stock device admin shows TOTP secrets. Second factors are issued only with
# ``manage.py staff_totp``, which prints the secret once to the operator.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

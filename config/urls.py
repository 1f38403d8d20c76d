from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

from config.health import healthz

# The admin accepts only sessions verified with a second factor, and has no login page of its
# own: everyone signs in through the staff login, which is also the one the throttle watches.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("staff/audit/", include("auditor.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/", include("cases.urls")),
    path("", include("intake.urls")),
]

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

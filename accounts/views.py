from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from accounts import selectors
from accounts.decorators import StaffRequest, verified_staff_required
from accounts.exceptions import RoleChangeRefused
from accounts.forms import StaffLoginForm
from accounts.models import User
from accounts.roles import Role, has_role, superusers_in_role_groups
from accounts.services import role_grant, role_revoke, sign_in_refused_record

logger = logging.getLogger(__name__)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _superuser_with_role(user: User) -> bool:
    """A superuser in a role group is refused at sign-in, with the uniform message (DESIGN.md
    §2: the system administrator holds no role); the trail and the log say why."""
    if not user.is_superuser or not superusers_in_role_groups().filter(pk=user.pk).exists():
        return False
    logger.warning("Sign-in refused: superuser account %s holds a role group", user.pk)
    sign_in_refused_record(user_id=user.pk, reason="superuser_with_role")
    return True


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
def staff_login(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(_safe_next(request))
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(
            request, username=username, password=form.cleaned_data["password"]
        )
        device = match_token(user, form.cleaned_data["otp_token"].strip()) if user else None
        if user is not None and device is None:
            # The password was right but the second factor was not: the throttle must count
            # this like any other failed login, or the code could be guessed at leisure.
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=request
            )
        if user is not None and device is not None and _superuser_with_role(user):
            device = None
        if user is not None and device is not None:
            login(request, user)
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request))
        # One message for every failure, so the form does not reveal which part was wrong.
        form.add_error(None, _("The username, password or code is not correct."))
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


# --- roles: the coordinators' page -----------------------------------------------------------

CHANGES = {"grant": role_grant, "revoke": role_revoke}


def _coordinator_only(request: StaffRequest) -> None:
    # Like every workspace page someone may not use: it does not exist for them.
    if not has_role(request.user, Role.COORDINATOR):
        raise Http404


@require_GET
@verified_staff_required
def staff_roles(request: StaffRequest) -> HttpResponse:
    _coordinator_only(request)
    return render(request, "accounts/roles.html", {
        "staff": selectors.staff_roles(), "role_choices": Role.choices})


@require_http_methods(["GET", "POST"])
@verified_staff_required
def role_change(request: StaffRequest, *, user_id: int, change: str, role: str) -> HttpResponse:
    _coordinator_only(request)
    if change not in CHANGES or role not in Role.values:
        raise Http404
    member = selectors.staff_member(user_id=user_id)
    error = None
    if request.method == "POST":
        try:
            CHANGES[change](user_id=member.pk, role=Role(role), actor=request.user)
        except RoleChangeRefused as refused:
            error = str(refused)
        else:
            done = (_("%(name)s now holds the role “%(role)s”.") if change == "grant"
                    else _("%(name)s no longer holds the role “%(role)s”."))
            messages.success(request, done % {
                "name": member.get_full_name() or member.get_username(),
                "role": Role(role).label})
            return redirect("accounts:roles")
    return render(request, "accounts/role_change.html", {
        "member": member, "role": Role(role), "granting": change == "grant", "error": error})

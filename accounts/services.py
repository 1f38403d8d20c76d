"""Writes on staff accounts: creating staff users and their second factor."""

from __future__ import annotations

import base64

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role


def totp_secret_base32(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps expect it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic
def staff_user_ensure(
    *,
    username: str,
    password: str,
    role: Role | None,
    superuser: bool = False,
    full_name: str = "",
) -> User:
    """Create the staff user if it does not exist yet, with exactly the given role.

    Idempotent: an existing user keeps its password and second factor; only its role
    membership is brought in line. Used by ``seed_demo`` and by operators' scripts.
    """
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": full_name,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    role_groups = Group.objects.filter(name__in=[r.value for r in Role])
    user.groups.remove(*role_groups)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@transaction.atomic
def totp_device_ensure(*, user: User, replace: bool = False) -> TOTPDevice:
    """The user's confirmed TOTP device, created if missing (or replaced on request)."""
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    if replace:
        devices.delete()
    device = devices.filter(confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device

"""Writes on staff accounts: creating them, their roles and their second factor.

Every change that decides who may open what is an event on the audit trail's system stream,
recorded in the transaction that makes it, with who made it: a coordinator granting or
removing a role, the system (a management command, the demo seeding) granting the first
one, the system administrator deactivating an account or setting someone's password in the
admin, an operator issuing a second factor.

Roles are granted and removed only here (DESIGN.md §2): never through the admin, and never to
a superuser (which the database refuses too, ``accounts.protections``).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.exceptions import RoleChangeRefused, StaffNotFound
from accounts.models import User
from accounts.roles import Role, has_role
from audit import actions
from audit.actors import Actor, ActorKind
from audit.services import SYSTEM_STREAM, record

# Who acts: a signed-in member of staff, or the system (``Actor.system()``: a management
# command run by an operator, the demo seeding). Never left implicit.
Acting = User | Actor

TARGET_TYPE = "user"


def _audit_actor(actor: Acting) -> Actor:
    if isinstance(actor, Actor):
        if actor.kind != ActorKind.SYSTEM:
            raise TypeError("Only the system acts on accounts without a user.")
        return actor
    return Actor.user(actor)


def _record(action: str, *, user: User, actor: Acting, fields: Sequence[str] = (),
            detail: dict[str, str | int | bool | None] | None = None) -> None:
    # Only tokens: the account's id and the role's value, never a name or an e-mail address.
    record(stream=SYSTEM_STREAM, action=action, actor=_audit_actor(actor),
           target_type=TARGET_TYPE, target_id=str(user.pk), fields=fields, detail=detail)


# --- roles ---------------------------------------------------------------------------------


def _may_change_roles(actor: Acting) -> bool:
    """Coordinators change roles; the system does so only for bootstrapping (the command)."""
    if isinstance(actor, Actor):
        return _audit_actor(actor).kind == ActorKind.SYSTEM
    return has_role(actor, Role.COORDINATOR)


def _locked_staff(user_id: int, actor: Acting) -> User:
    """The account, locked; ``StaffNotFound`` for a missing one and for an actor who may not
    change roles (one answer, as for every workspace page they may not use)."""
    if not _may_change_roles(actor):
        raise StaffNotFound("Only a coordinator changes roles.")
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise StaffNotFound("No such staff account.")
    return user


def _role_group(role: Role) -> Group:
    # get_or_create: the groups come from a migration, but a flushed test database has none.
    return Group.objects.get_or_create(name=Role(role).value)[0]


def _holds(user: User, role: Role) -> bool:
    return user.groups.filter(name=Role(role).value).exists()


@transaction.atomic(durable=True)
def role_grant(*, user_id: int, role: Role, actor: Acting) -> bool:
    """Give ``role`` to the account; True if it changed, False if it held the role already.

    Refused for a superuser (the system administrator never holds a role) and for an inactive
    account. Recorded as ``role.granted`` on the system stream, in the same transaction.
    """
    user = _locked_staff(user_id, actor)
    if user.is_superuser:
        raise RoleChangeRefused(_("A system administrator account cannot hold a role."))
    if not user.is_active:
        raise RoleChangeRefused(_("This account is deactivated; it cannot be given a role."))
    if _holds(user, role):
        return False
    user.groups.add(_role_group(role))
    _record(actions.ROLE_GRANTED, user=user, actor=actor, fields=["groups"],
            detail={"role": Role(role).value})
    return True


@transaction.atomic(durable=True)
def role_revoke(*, user_id: int, role: Role, actor: Acting) -> bool:
    """Remove ``role`` from the account; True if it changed, False if it did not hold it.

    A coordinator cannot remove their own coordinator role (another coordinator, or the
    command, must), so the office is never left without one by a slip. Recorded as
    ``role.revoked`` on the system stream, in the same transaction.
    """
    user = _locked_staff(user_id, actor)
    if (isinstance(actor, User) and actor.pk == user.pk
            and Role(role) == Role.COORDINATOR):
        raise RoleChangeRefused(_("You cannot remove your own coordinator role. "
                                  "Ask another coordinator."))
    if not _holds(user, role):
        return False
    user.groups.remove(_role_group(role))
    _record(actions.ROLE_REVOKED, user=user, actor=actor, fields=["groups"],
            detail={"role": Role(role).value})
    return True


# --- accounts ------------------------------------------------------------------------------


def staff_user_ensure(
    *,
    username: str,
    password: str,
    role: Role | None,
    superuser: bool = False,
    full_name: str = "",
) -> User:
    """Create the staff user if it does not exist yet, with exactly the given role.

    Idempotent: an existing user keeps its password and second factor; only its roles are
    brought in line, through ``role_grant`` and ``role_revoke`` with the system as actor, so
    the trail shows each change. Used by ``seed_demo`` and by operators' scripts.
    """
    with transaction.atomic(durable=True):
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
            _record(actions.ACCOUNT_CREATED, user=user, actor=Actor.system())
    system = Actor.system()
    for other in Role:
        if other != role:
            role_revoke(user_id=user.pk, role=other, actor=system)
    if role is not None:
        role_grant(user_id=user.pk, role=role, actor=system)
    return user


@transaction.atomic
def account_admin_save(*, user: User, actor: User, created: bool,
                       changed: Sequence[str]) -> User:
    """Save an account as the system administrator changed it in the admin, and record it.

    Runs inside the admin's own transaction (so it is not durable): creating an account,
    deactivating and reactivating one are events on the system stream with who did it.
    Other fields (name, e-mail, staff flag) are in ``django_admin_log`` only.
    """
    user.save()
    if created:
        _record(actions.ACCOUNT_CREATED, user=user, actor=actor)
    elif "is_active" in changed:
        action = actions.ACCOUNT_REACTIVATED if user.is_active else actions.ACCOUNT_DEACTIVATED
        _record(action, user=user, actor=actor, fields=["is_active"])
    return user


@transaction.atomic
def account_password_set_record(*, user_id: int, actor: User) -> None:
    """Record that ``actor`` set the password of account ``user_id`` (the admin's password
    page, inside the transaction that saved it)."""
    user = User.objects.get(pk=user_id)
    _record(actions.ACCOUNT_PASSWORD_SET, user=user, actor=actor, fields=["password"],
            detail={"own": actor.pk == user.pk})


@transaction.atomic(durable=True)
def sign_in_refused_record(*, user_id: int, reason: str) -> None:
    """Record a sign-in refused for a reason the person is not told (a superuser holding a
    role): the uniform message hides it, the trail keeps it."""
    user = User.objects.get(pk=user_id)
    _record(actions.SIGN_IN_REFUSED, user=user, actor=Actor.system(), detail={"reason": reason})


# --- the second factor ---------------------------------------------------------------------


def totp_secret_base32(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps expect it (RFC 4648 base32, no padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


@transaction.atomic(durable=True)
def totp_device_ensure(*, user: User, actor: Acting, replace: bool = False) -> TOTPDevice:
    """The user's confirmed TOTP device, created if missing (or replaced on request).

    Issuing one and replacing one are events on the system stream; handing back the device
    the user has already is not.
    """
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    replaced = replace and devices.exists()
    if replace:
        devices.delete()
    device = devices.filter(confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        action = actions.SECOND_FACTOR_REPLACED if replaced else actions.SECOND_FACTOR_ISSUED
        _record(action, user=user, actor=actor)
    return device

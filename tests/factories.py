"""factory_boy factories that keep related objects consistent.

Call ``Factory.create(...)`` rather than ``Factory(...)``: both create the object, but only
``create`` is typed (factory_boy's metaclass ``__call__`` is not), so the checker sees a User.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role

TEST_PASSWORD = "correct horse battery staple"


class StaffUserFactory(factory.django.DjangoModelFactory[User]):
    """A staff user with a password, a confirmed TOTP device and (optionally) one role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    # Distinct and never part of one another ("Ann" is in "Anna"): tests look for one staff
    # member's name on a page and must not find it inside another's.
    first_name = factory.Sequence(lambda n: f"Colleague{n:04d}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(obj: User, create: bool, extracted: Role | None, **kwargs: Any) -> None:
        if extracted is not None:
            # get_or_create: a transactional test's flush removes the migration-made groups.
            obj.groups.add(Group.objects.get_or_create(name=extracted.value)[0])

    @factory.post_generation
    def totp(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        TOTPDevice.objects.create(user=obj, name="authenticator", confirmed=True)


def sign_in_verified(client: Client, user: User) -> None:
    """Sign in as if password and second factor had both been given."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

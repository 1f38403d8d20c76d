"""Writes on cases. Each is one typed, keyword-only function that locks, changes, audits.

The workflow services follow in later work; this module starts with crypto-shredding.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit import actions
from audit.actors import Actor
from audit.services import record
from cases.crypto.blind_index import blind_index_fields
from cases.exceptions import CaseKeyAlreadyDestroyedError
from cases.models import KEY_FIELDS, Case


@transaction.atomic(durable=True)
def case_destroy_key(*, case_id: UUID, actor: AbstractBaseUser) -> Case:
    """Crypto-shred one case: destroy its data key, so every encrypted value of the case (in
    this database and, once they age out, in backups) reads as ``DESTROYED`` from now on.

    The blind indexes go too: they would otherwise still answer "was this person in that
    case?". Raises ``Case.DoesNotExist`` or ``CaseKeyAlreadyDestroyedError``.
    """
    case = Case.objects.select_for_update().get(pk=case_id)
    return _destroy_key_locked(case=case, actor=actor)


def _destroy_key_locked(*, case: Case, actor: AbstractBaseUser) -> Case:
    """The shredding step for a case already locked by the caller's transaction (so that the
    retention service can destroy a case and its key in one transaction)."""
    if case.is_key_destroyed:
        raise CaseKeyAlreadyDestroyedError(f"The data key of case {case.pk} is already destroyed.")
    case.forget_data_key()
    index_fields = [field.attname for field in blind_index_fields(Case)]
    for attname in index_fields:
        setattr(case, attname, "")
    # Named explicitly: a plain save() of a stored case never writes the key columns.
    case.save(update_fields=[*KEY_FIELDS, *index_fields])
    record(
        stream=str(case.pk),
        action=actions.CASE_KEY_DESTROYED,
        actor=Actor.user(actor),
        target_type="case",
        target_id=str(case.pk),
        fields=["wrapped_key", *index_fields],
        detail={},
    )
    return case

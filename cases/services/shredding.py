"""Crypto-shredding: destroying a case's data key and, with it, every blind index."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.db import models, transaction

from accounts.models import User
from audit import actions
from audit.actors import Actor
from audit.services import record
from cases.exceptions import (
    CaseKeyAlreadyDestroyedError,
)
from cases.models import (
    KEY_FIELDS,
    Case,
)
from cases.services._common import _lock
from crypto.blind_index import blind_index_fields


@transaction.atomic(durable=True)
def case_destroy_key(*, case_id: UUID, actor: User) -> Case:
    """Crypto-shred one case: destroy its data key, so every encrypted value of the case (in
    this database and, once they age out, in backups) reads as ``DESTROYED`` from now on.

    The blind indexes go too: they would otherwise still answer "was this person in that
    case?". Coordinators only, as for destroying a case (``access.require`` with no per-case
    permission): anyone else gets ``CaseNotFound`` or ``NotPermitted`` and the key stays.
    Raises ``CaseKeyAlreadyDestroyedError`` for a key already gone.
    """
    case = _lock(case_id, actor, None)
    return _destroy_key_locked(case=case, actor=actor)


def _destroy_key_locked(*, case: Case, actor: User) -> Case:
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
    _clear_part_blind_indexes(case)
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


def _clear_part_blind_indexes(case: Case) -> None:
    """The blind indexes of the case's parts (a party's name) go with the key: otherwise they
    would still answer "was this person in that case?" after the content is unreadable."""
    for relation in Case._meta.related_objects:
        # The model that declares the foreign key: always a class on this side of a relation
        # (django-stubs shares the type with the forward side, which may still say "self").
        related_model = cast("type[models.Model]", relation.related_model)
        attnames = [field.attname for field in blind_index_fields(related_model)]
        if attnames:
            related_model._base_manager.filter(**{relation.field.name: case}).update(
                **dict.fromkeys(attnames, ""))

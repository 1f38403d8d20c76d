"""Who handles a case: assigning advisors, with their per-case permissions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit import actions
from audit.actors import Actor
from cases import access
from cases.choices import State
from cases.exceptions import (
    InvalidCaseInput,
    TransitionUnavailable,
)
from cases.models import (
    Case,
    CaseAssignment,
)
from cases.services._common import (
    _audit,
    _lock,
    _save,
)


def _set_advisors(case: Case, actor: User, advisors: Sequence[User]) -> tuple[int, int]:
    current = {a.advisor_id: a for a in CaseAssignment.objects.filter(case=case)}
    wanted = {advisor.pk: advisor for advisor in advisors}
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    audit_actor = Actor.user(actor)
    for advisor in added:
        CaseAssignment.objects.create(case=case, advisor=advisor)
        access.grant_advisor(case, advisor)
        _audit(case, audit_actor, actions.PERMISSION_GRANTED,
               detail={"user": advisor.pk, "role": "advisor"})
    for assignment in removed:
        access.revoke_advisor(case, assignment.advisor)
        assignment.delete()
        _audit(case, audit_actor, actions.PERMISSION_REVOKED,
               detail={"user": assignment.advisor_id, "role": "advisor"})
    if added or removed:
        case.is_assigned = bool(wanted)
        _save(case, ["is_assigned"])
        _audit(case, audit_actor, actions.CASE_ASSIGNED, fields=["advisors"],
               detail={"added": len(added), "removed": len(removed),
                       "advisors": len(wanted)})
    return len(added), len(removed)


@transaction.atomic(durable=True)
def case_assign(*, case_id: UUID, actor: User, advisor_ids: Iterable[int]) -> Case:
    """Set the advisors of a case (coordinators only): new ones get the advisor's
    permissions on it, removed ones lose them, in the same transaction."""
    case = _lock(case_id, actor, None)
    if case.state in (State.CLOSED, State.DESTROYED):
        raise TransitionUnavailable(_("A closed case is not assigned any more."))
    ids = set(advisor_ids)
    advisors = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(advisors) != len(ids) or not all(access.may_be_assigned(a) for a in advisors):
        raise InvalidCaseInput(_("Only active confidential advisors can be assigned."))
    if case.unwanted_advisor_id is not None and case.unwanted_advisor_id in ids:
        raise InvalidCaseInput(_("The reporter asked that this advisor does not handle their "
                                 "case. Choose another advisor."))
    _set_advisors(case, actor, advisors)
    return case

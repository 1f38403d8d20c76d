"""Steps every case service shares: lock and check, transition with reasons, save, audit,
and the cleaning of free text. Private to ``cases.services``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, Transition, TransitionNotAllowed

from accounts.models import User
from audit.actors import Actor
from audit.services import record
from cases import access, workflow
from cases.choices import State
from cases.exceptions import CaseNotFound, InvalidCaseInput, TransitionUnavailable
from cases.models import Case

TEXT_MAX = 20_000  # characters in a narrative, note or message
SHORT_TEXT_MAX = 500  # names, contact details, a reason

def _audit(case: Case, actor: Actor, action: str, *, fields: Sequence[str] = (),
           detail: dict[str, Any] | None = None, target: tuple[str, str] | None = None) -> None:
    target_type, target_id = target or ("case", str(case.pk))
    record(stream=str(case.pk), action=action, actor=actor, target_type=target_type,
           target_id=target_id, fields=fields, detail=detail or {})


def _lock(case_id: UUID, actor: User, codename: str | None) -> Case:
    """The case, locked for this transaction, if ``actor`` may act on it with ``codename``
    (see ``access.require``). Locking comes first: waiting reveals nothing."""
    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound
    access.require(actor, codename, case)
    return case


def _transition(case: Case, name: str, **kwargs: Any) -> list[str]:
    """Run one transition and return the columns it writes (declared beside it on ``Case``);
    if the state or a rule does not allow it, say why in words."""
    declared = _declared_transition(case, name)
    method: Callable[..., None] = getattr(case, name)
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        reasons = workflow.explain(declared.conditions if declared else [], case)
        message = _("This is not possible while the case is “%(state)s”.") % {
            "state": case.get_state_display()}
        if reasons:
            message = " ".join(str(reason) for reason in reasons)
        raise TransitionUnavailable(message) from None
    if declared is None:  # the transition ran, so the state offered it
        raise RuntimeError(f"transition {name} ran without being declared for its state")
    return list(declared.custom["writes"])


def _declared_transition(case: Case, name: str) -> Transition | None:
    """django-fsm-2's description of transition ``name`` from the case's current state."""
    for transition in case.get_all_state_transitions():
        if transition.name == name and transition.source == case.state:
            return transition
    return None


def _save(case: Case, fields: Iterable[str]) -> None:
    case.updated_at = timezone.now()
    try:
        case.save(update_fields=[*fields, "updated_at"])
    except ConcurrentTransition:
        # Not expected under the row lock; kept so a future path without it fails politely.
        raise TransitionUnavailable(
            _("Someone changed this case a moment ago. Reload the page to see it now.")
        ) from None


def _clean_text(value: str | None, *, label: str, required: bool = False,
                limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidCaseInput(_("%(field)s cannot be empty.") % {"field": label})
    if len(text) > limit:
        raise InvalidCaseInput(
            _("%(field)s is too long: at most %(limit)s characters.")
            % {"field": label, "limit": limit})
    if "\x00" in text or not _encodable(text):
        raise InvalidCaseInput(_("%(field)s contains characters that cannot be stored.")
                               % {"field": label})
    return text




def _require_not_destroyed(case: Case) -> None:
    if case.state == State.DESTROYED:
        raise TransitionUnavailable(_("This case has been destroyed."))




def _encodable(text: str) -> bool:
    # A lone surrogate (from a broken client or a script, never from a real keyboard) cannot
    # be stored as UTF-8; refuse it here rather than fail later inside encryption.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

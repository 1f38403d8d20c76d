"""Registering a report or consultation received by phone or in person."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actors import Actor
from cases import access
from cases.choices import ReceivedVia
from cases.exceptions import (
    InvalidCaseInput,
    NotPermitted,
)
from cases.services._creation import (
    CaseInput,
    RegisteredCase,
    create_case,
)
from cases.services.assignment import _set_advisors


@transaction.atomic(durable=True)
def case_register(*, actor: User, data: CaseInput,
                  received_at: datetime | None = None) -> RegisteredCase:
    """Register a report or consultation received by phone or in person.

    The reporter gets the receipt code from the advisor, who has seen it, so it must be
    replaced on first use. An advisor who registers a case is assigned to it.

    ``received_at`` is when the office received it, if earlier than now (a call on Friday
    registered on Monday): the 7-day acknowledgement period runs from then. Never in the
    future.
    """
    if not access.may_register_cases(actor):
        raise NotPermitted(_("Only advisors and coordinators register cases."))
    if data.received_via == ReceivedVia.WEB:
        raise InvalidCaseInput(_("Say how the report was received: by phone or in person."))
    registered = create_case(data=data, actor=Actor.user(actor), registered_by=actor,
                              must_replace_code=True, received_at=received_at)
    if access.may_be_assigned(actor):
        _set_advisors(registered.case, actor, [actor])
    return registered

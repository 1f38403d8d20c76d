"""The reporter's side of a case: the web form, and what a receipt code opens (DESIGN.md §2, §4).

Reporters have no account. The audit trail records them as "reporter": never their code, their
address or anything about their device. A signed-in reporter is a ``ReporterAccess``: the case
and the selector of the code they used. Every service here checks, under the case's row lock,
that this is still the case's code, so replacing a code ends every session that used the old
one at once.

Rate limits and lockouts for codes belong to intake: they are about clients, and live only in
the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import actions
from audit.actors import Actor
from audit.services import record, record_read
from cases import access, receipt_codes
from cases.choices import MessageDirection, ReceivedVia, State
from cases.exceptions import (
    AlreadySubmitted,
    InvalidCaseInput,
    MustReplaceCode,
    ReceiptCodeRefused,
    ReporterSessionEnded,
    TransitionUnavailable,
)
from cases.models import Case, CaseMessage, ReceiptCode
from cases.reporter_access import ReporterAccess
from cases.services._common import _audit, _clean_text, _save, _transition
from cases.services._creation import (
    FORM_CODE_ATTEMPTS,
    CaseInput,
    FileInput,
    RegisteredCase,
    check_files,
    create_case,
    new_unused_code,
    store_attachment,
)
from crypto.keys import receipt_code_keyring
from files.checking import CheckedFile

# A form sent again within this time, before its code was used or saved, is shown its code
# again (see ``case_submit``); later, it is refused.
RESUBMIT_WINDOW = timedelta(minutes=10)
# A replacement sent twice (a double click) answers the second sending with the same code.
REPLACE_REPEAT_WINDOW = timedelta(minutes=2)
REPORTER = Actor.reporter()


@dataclass(frozen=True)
class ReplacedCode:
    access: ReporterAccess
    # Shown once, to the reporter; never stored, logged or audited.
    receipt_code: str = field(repr=False)


# --- the web form ---------------------------------------------------------------------------


def case_submit(*, data: CaseInput, files: Sequence[FileInput] = (), submission_token: str = "",
                unwanted_advisor_id: int | None = None) -> RegisteredCase:
    """File a report or a conversation request from the public web form.

    The form carries a one-time token. Sent twice (a double click, a request resent after an
    answer got lost) it still makes one case, and the receipt code is derived from the token,
    so every answer shows the same, working code, whichever sending the server handled first
    and whichever answer the browser kept. The code is shown again only within
    ``RESUBMIT_WINDOW``, while nobody has used it and before the reporter confirmed they saved
    it (``receipt_code_saved``); otherwise ``AlreadySubmitted``.
    """
    token = (submission_token or "").strip()
    # Checked before the transaction: reading a PDF or an Office file can take seconds.
    submit = partial(_submit, data=data, checked_files=check_files(files), token=token,
                     unwanted_advisor_id=unwanted_advisor_id)
    try:
        return submit()
    except IntegrityError:
        if not token or not Case.objects.filter(submission_key=_submission_key(token)).exists():
            raise
        # Both sendings arrived at the same moment and the other one stored the case.
        return submit()


def _submission_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@transaction.atomic(durable=True)
def _submit(*, data: CaseInput, checked_files: Sequence[tuple[FileInput, CheckedFile]],
            token: str, unwanted_advisor_id: int | None) -> RegisteredCase:
    key = _submission_key(token) if token else None
    if key is not None:
        earlier = Case.objects.select_for_update(of=("self",)).filter(submission_key=key).first()
        if earlier is not None:
            return _show_again(earlier, token)
    if data.received_via != ReceivedVia.WEB:
        raise InvalidCaseInput(_("This form can only be sent from the website."))
    return create_case(data=data, actor=REPORTER, registered_by=None, must_replace_code=False,
                       checked_files=checked_files,
                       unwanted_advisor=_unwanted_advisor(unwanted_advisor_id),
                       submission_key=key, form_token=token or None)


def _show_again(case: Case, token: str) -> RegisteredCase:
    """The answer to a form sent again: the same case and the same code, nothing stored."""
    code_row = ReceiptCode.objects.get(case=case)
    if (code_row.first_used_at is None and code_row.saved_at is None
            and case.state != State.DESTROYED
            and case.received_at >= timezone.now() - RESUBMIT_WINDOW):
        for key_id in receipt_code_keyring().ids:
            for attempt in range(FORM_CODE_ATTEMPTS):
                code = receipt_codes.from_form_token(token, attempt=attempt, key_id=key_id)
                if (code.selector, code.verifier_mac) == (code_row.selector,
                                                          code_row.verifier_mac):
                    return RegisteredCase(case=case, receipt_code=code.display, repeated=True)
    raise AlreadySubmitted(_(
        "This form was sent before, and we have received it. Use the receipt code you were "
        "given to follow it."))


def receipt_code_saved(*, submission_token: str) -> None:
    """The reporter confirmed on the receipt page that they saved the code the form with
    ``submission_token`` was given: from now on, sending that form again shows no code, in
    any process. Stored on the code's row, so it holds until the row goes; only the first
    confirmation counts, and a token that made no case changes nothing."""
    token = (submission_token or "").strip()
    if token:
        ReceiptCode.objects.filter(case__submission_key=_submission_key(token),
                                   saved_at=None).update(saved_at=timezone.now())


def _unwanted_advisor(advisor_id: int | None) -> User | None:
    if advisor_id is None:
        return None
    advisor = get_user_model().objects.filter(pk=advisor_id, is_active=True).first()
    if advisor is None or not access.may_be_assigned(advisor):
        raise InvalidCaseInput(_("Choose an advisor from the list, or “No preference”."))
    return advisor


# --- signing in with a receipt code ---------------------------------------------------------


def receipt_code_selector(code: str) -> str:
    """The selector part of a code as typed (for counting attempts per code), or "" when it
    cannot be a code at all."""
    compact = receipt_codes.normalise(code)
    return receipt_codes.split(compact)[0] if compact else ""


def receipt_code_sign_in(*, code: str) -> ReporterAccess:
    """The case a receipt code opens, or ``ReceiptCodeRefused`` — the same for a code that
    does not exist and one that is wrong, and checked in constant time either way."""
    compact = receipt_codes.normalise(code)
    if compact is None:
        raise ReceiptCodeRefused
    selector, verifier = receipt_codes.split(compact)
    row = (ReceiptCode.objects.filter(selector=selector).exclude(case__state=State.DESTROYED)
           .only("case_id", "selector", "verifier_mac", "must_replace").first())
    if not receipt_codes.verifier_matches(verifier, row.verifier_mac if row else None):
        raise ReceiptCodeRefused
    if row is None:  # verifier_matches is False without a row; said again for the checker
        raise ReceiptCodeRefused
    _record_first_use(row)
    return ReporterAccess(case_id=row.case_id, selector=selector, must_replace=row.must_replace)


@transaction.atomic(durable=True)
def _record_first_use(row: ReceiptCode) -> None:
    """The first sign-in with a code is audited: for a code an advisor handed over, it is the
    moment the reporter (or whoever holds it) took the case over."""
    if ReceiptCode.objects.filter(pk=row.pk, first_used_at=None).update(
            first_used_at=timezone.now()):
        record(stream=str(row.case_id), action=actions.RECEIPT_CODE_USED, actor=REPORTER,
               target_type="case", target_id=str(row.case_id),
               detail={"must_replace": row.must_replace})


def status_viewed(*, reporter: ReporterAccess) -> None:
    """Record that the reporter opened their status page (a read; DESIGN.md §5)."""
    record_read(stream=str(reporter.case_id), action=actions.STATUS_VIEWED, actor=REPORTER,
                target_type="case", target_id=str(reporter.case_id))


def _lock(reporter: ReporterAccess) -> tuple[Case, ReceiptCode]:
    """The reporter's case, locked, and its code, if the reporter's code is still the case's
    code. A code an advisor handed over opens nothing but its own replacement (which has its
    own check, in ``receipt_code_replace``)."""
    case = Case.objects.select_for_update(of=("self",)).filter(pk=reporter.case_id).first()
    code_row = ReceiptCode.objects.filter(case_id=reporter.case_id).only(
        "case_id", "selector", "verifier_mac", "must_replace").first()
    if case is None or case.state == State.DESTROYED or code_row is None \
            or code_row.selector != reporter.selector:
        raise ReporterSessionEnded
    if code_row.must_replace:
        raise MustReplaceCode
    return case, code_row


def _require_open(case: Case) -> None:
    if case.state == State.CLOSED:
        raise TransitionUnavailable(_(
            "Your case is closed, so nothing can be added to it any more. If something new "
            "happened, you can make a new report or ask for a conversation."))


def _refuse_own_code(code_row: ReceiptCode, text: str) -> None:
    if receipt_codes.contains_code(text, selector=code_row.selector,
                                   verifier_mac=code_row.verifier_mac):
        raise InvalidCaseInput(_(
            "Your message contains your receipt code. Please take it out and send the message "
            "again: the code is your key to this page, and nobody at the office needs it."))


# --- what the code opens --------------------------------------------------------------------


@transaction.atomic(durable=True)
def reporter_message_send(*, reporter: ReporterAccess, body: str) -> CaseMessage:
    """A message from the reporter to their advisor."""
    case, code_row = _lock(reporter)
    _require_open(case)
    text = _clean_text(body, label=_("Your message"), required=True)
    _refuse_own_code(code_row, text)
    message = CaseMessage.objects.create(case=case, direction=MessageDirection.FROM_REPORTER,
                                         body=text)
    _audit(case, REPORTER, actions.MESSAGE_SENT, fields=["body"],
           target=("message", str(message.pk)), detail={"direction": message.direction})
    return message


def reporter_information_add(*, reporter: ReporterAccess, text: str,
                             files: Sequence[FileInput]) -> int:
    """More information and files from the reporter; returns how many files were added.
    Every file is checked before anything is stored, and before the case is locked."""
    body = _clean_text(text, label=_("Information"))
    if not body and not files:
        raise InvalidCaseInput(_("Write something or choose a file to add."))
    return _information_store(reporter=reporter, body=body, checked_files=check_files(files))


@transaction.atomic(durable=True)
def _information_store(*, reporter: ReporterAccess, body: str,
                       checked_files: Sequence[tuple[FileInput, CheckedFile]]) -> int:
    case, code_row = _lock(reporter)
    _require_open(case)
    if body:
        _refuse_own_code(code_row, body)
        message = CaseMessage.objects.create(
            case=case, direction=MessageDirection.FROM_REPORTER, body=body)
        _audit(case, REPORTER, actions.MESSAGE_SENT, fields=["body"],
               target=("message", str(message.pk)),
               detail={"direction": message.direction, "purpose": "information"})
    for file, checked in checked_files:
        store_attachment(case, actor=REPORTER, added_by=None, file=file, checked=checked)
    return len(checked_files)


@transaction.atomic(durable=True)
def reporter_withdraw(*, reporter: ReporterAccess) -> Case:
    """The reporter withdraws their report or request; the case closes as withdrawn."""
    case, _code_row = _lock(reporter)
    if case.state not in (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS):
        raise TransitionUnavailable(_(
            "Your case can no longer be withdrawn here. If you want to stop, write to your "
            "advisor: they will tell you what is still possible."))
    fields = _transition(case, "withdraw", moment=timezone.now())
    _save(case, fields)
    _audit(case, REPORTER, actions.CASE_WITHDRAWN, fields=fields, detail={"by": "reporter"})
    return case


@transaction.atomic(durable=True)
def receipt_code_replace(*, reporter: ReporterAccess, form_token: str) -> ReplacedCode:
    """A new code for the reporter's case; the old one stops working at once, in every
    browser that used it.

    The new code is derived from the old selector and the form's one-time token. A double
    click sends the request twice, and the second one still carries the old code's session:
    it is answered with the same new code (within ``REPLACE_REPEAT_WINDOW``), so whichever
    answer the browser shows holds the working code.
    """
    case = Case.objects.select_for_update(of=("self",)).filter(pk=reporter.case_id).first()
    code_row = ReceiptCode.objects.select_for_update().filter(case_id=reporter.case_id).first()
    if case is None or code_row is None or case.state == State.DESTROYED:
        raise ReporterSessionEnded
    seed = f"replace:{reporter.selector}:{form_token}"
    if code_row.selector != reporter.selector:
        repeated = receipt_codes.from_form_token(seed)
        if (form_token and (repeated.selector, repeated.verifier_mac)
                == (code_row.selector, code_row.verifier_mac)
                and code_row.issued_at >= timezone.now() - REPLACE_REPEAT_WINDOW):
            return ReplacedCode(access=ReporterAccess(case_id=case.pk,
                                                      selector=repeated.selector),
                                receipt_code=repeated.display)
        raise ReporterSessionEnded
    code = new_unused_code(form_token=seed if form_token else None)
    code_row.selector, code_row.verifier_mac = code.selector, code.verifier_mac
    # Replaced by the reporter, who is using it now: nothing left to replace, and a form
    # sent again for the case can no longer show a code.
    code_row.issued_at = code_row.first_used_at = timezone.now()
    code_row.must_replace = False
    code_row.save(update_fields=["selector", "verifier_mac", "issued_at", "must_replace",
                                 "first_used_at"])
    _audit(case, REPORTER, actions.RECEIPT_CODE_REPLACED, detail={"reason": "reporter"})
    return ReplacedCode(access=ReporterAccess(case_id=case.pk, selector=code.selector),
                        receipt_code=code.display)

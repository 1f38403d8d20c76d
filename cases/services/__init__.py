"""Writes on cases: one typed, keyword-only function per change (DESIGN.md §7, STYLE.md).

Each locks the case row, checks the actor's permission (a case they may not see raises
``CaseNotFound``, exactly like one that does not exist), performs the django-fsm-2
transition or change, saves with ``update_fields``, and records the audit event in the same
durable transaction. The row lock serialises two advisors acting at once: the second waits,
then finds the case moved on and gets ``TransitionUnavailable`` with a sentence to show.

Views, the admin and tasks never call a transition or write a case model themselves.
"""

from __future__ import annotations

from cases.receipt_codes import normalise as receipt_code_normalise
from cases.reporter_access import ReporterAccess
from cases.services._common import SHORT_TEXT_MAX, TEXT_MAX
from cases.services._creation import (
    CaseInput,
    FileInput,
    PartyInput,
    RegisteredCase,
    file_too_large,
    too_many_files,
)
from cases.services.assignment import case_assign
from cases.services.content import (
    attachment_add,
    attachment_downloaded,
    case_viewed,
    message_send,
    note_add,
)
from cases.services.registration import case_register

# The reporter's side (web form, status page); re-exported so that intake needs only this
# package.
from cases.services.reporter import (
    case_submit,
    receipt_code_replace,
    receipt_code_saved,
    receipt_code_selector,
    receipt_code_sign_in,
    reporter_information_add,
    reporter_message_send,
    reporter_withdraw,
    status_viewed,
)
from cases.services.shredding import case_destroy_key
from cases.services.workflow import (
    STEP_SERVICES,
    case_accept,
    case_acknowledge,
    case_close,
    case_convert_to_report,
    case_decide,
    case_destroy,
    case_record_consent,
    case_refer,
    case_return,
    case_start,
    case_withdraw,
)

__all__ = [
    "SHORT_TEXT_MAX",
    "STEP_SERVICES",
    "TEXT_MAX",
    "CaseInput",
    "FileInput",
    "PartyInput",
    "RegisteredCase",
    "ReporterAccess",
    "attachment_add",
    "attachment_downloaded",
    "case_accept",
    "case_acknowledge",
    "case_assign",
    "case_close",
    "case_convert_to_report",
    "case_decide",
    "case_destroy",
    "case_destroy_key",
    "case_record_consent",
    "case_refer",
    "case_register",
    "case_return",
    "case_start",
    "case_submit",
    "case_viewed",
    "case_withdraw",
    "file_too_large",
    "message_send",
    "note_add",
    "receipt_code_normalise",
    "receipt_code_replace",
    "receipt_code_saved",
    "receipt_code_selector",
    "receipt_code_sign_in",
    "reporter_information_add",
    "reporter_message_send",
    "reporter_withdraw",
    "status_viewed",
    "too_many_files",
]

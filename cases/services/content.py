"""What staff add to a case (notes, messages to the reporter, files) and the reads that
count (DESIGN.md §5)."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit import actions
from audit.actors import Actor
from audit.services import record_read
from cases import access
from cases.choices import MessageDirection
from cases.models import (
    Case,
    CaseAttachment,
    CaseMessage,
    CaseNote,
)
from cases.services._common import (
    _audit,
    _clean_text,
    _lock,
    _require_not_destroyed,
    _save,
)
from cases.services._creation import (
    FileInput,
    check_files,
    store_attachment,
)
from files.checking import CheckedFile


@transaction.atomic(durable=True)
def note_add(*, case_id: UUID, actor: User, body: str) -> CaseNote:
    """A private note of the advisor; never shown to the reporter or a committee."""
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    note = CaseNote.objects.create(case=case, author=actor,
                                   body=_clean_text(body, label=_("Note"), required=True))
    _audit(case, Actor.user(actor), actions.NOTE_ADDED, fields=["body"],
           target=("note", str(note.pk)))
    return note


@transaction.atomic(durable=True)
def message_send(*, case_id: UUID, actor: User, body: str) -> CaseMessage:
    """A message to the reporter, read on the status page. The first one after the
    acknowledgement counts as the feedback the reporter is owed within three months."""
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    message = CaseMessage.objects.create(
        case=case, author=actor, direction=MessageDirection.TO_REPORTER,
        body=_clean_text(body, label=_("Message"), required=True))
    if case.record_feedback(message.created_at):
        _save(case, ["feedback_given_at", "next_deadline_at"])
    _audit(case, Actor.user(actor), actions.MESSAGE_SENT, fields=["body"],
           target=("message", str(message.pk)), detail={"direction": message.direction})
    return message


def attachment_add(*, case_id: UUID, actor: User, filename: str, content: bytes
                   ) -> CaseAttachment:
    """Add a file to the case (an advisor's upload), encrypted with the case key. The file is
    checked (and its working copy made) before the case is locked: that can take seconds."""
    [(file, checked)] = check_files([FileInput(name=filename, content=content)])
    return _attachment_store(case_id=case_id, actor=actor, file=file, checked=checked)


@transaction.atomic(durable=True)
def _attachment_store(*, case_id: UUID, actor: User, file: FileInput,
                      checked: CheckedFile) -> CaseAttachment:
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    return store_attachment(case, actor=Actor.user(actor), added_by=actor, file=file,
                            checked=checked)


# --- reads that count (DESIGN.md §5) -------------------------------------------------------


def case_viewed(*, case: Case, actor: User) -> None:
    """Record that ``actor`` opened the case page."""
    record_read(stream=str(case.pk), action=actions.CASE_VIEWED, actor=Actor.user(actor),
                target_type="case", target_id=str(case.pk))


def attachment_downloaded(*, attachment: CaseAttachment, actor: User, original: bool) -> None:
    """Record a download: of the working copy, or of the original kept as evidence."""
    record_read(stream=str(attachment.case_id), action=actions.ATTACHMENT_DOWNLOADED,
                actor=Actor.user(actor), target_type="attachment",
                target_id=str(attachment.pk), detail={"copy": "original" if original
                                                      else "working"})

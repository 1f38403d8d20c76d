"""Creating a case and adding files: the steps shared by staff registration (phone, in person)
and the reporter's web form. Private to ``cases.services``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from audit import actions
from audit.actors import Actor
from cases import receipt_codes
from cases.choices import (
    Affiliation,
    Behaviour,
    Channel,
    Kind,
    Population,
    ReceivedVia,
    ReporterRole,
)
from cases.exceptions import InvalidCaseInput
from cases.models import Case, CaseAttachment, CaseParty, ReceiptCode
from cases.services._common import SHORT_TEXT_MAX, _audit, _clean_text
from files.checking import CheckedFile, UnpackBudget, check_file
from files.exceptions import FileRefused


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    affiliation: str = Affiliation.UNKNOWN
    description: str = ""


@dataclass(frozen=True)
class CaseInput:
    """What is known when a case is registered. Plain values, already parsed by a form."""

    kind: str
    channel: str
    reporter_role: str
    reporter_population: str
    received_via: str = ReceivedVia.WEB
    behaviours: Sequence[str] = ()
    accused_affiliation: str = Affiliation.UNKNOWN
    narrative: str = ""
    occurred: str = ""
    desired_outcome: str = ""
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    statement_in_writing: bool = False
    parties: Sequence[PartyInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class RegisteredCase:
    case: Case
    # Shown once, to whoever registered the case; never stored, logged or audited.
    receipt_code: str = field(repr=False)
    # A web form sent again: the case and code of its first sending, nothing new stored.
    repeated: bool = False


def _validate_case_input(data: CaseInput) -> None:
    choices = [
        (data.kind, Kind, _("Kind")), (data.channel, Channel, _("Channel")),
        (data.received_via, ReceivedVia, _("Received via")),
        (data.reporter_role, ReporterRole, _("Reporter's role")),
        (data.reporter_population, Population, _("Reporter's population")),
        (data.accused_affiliation, Affiliation, _("Affiliation")),
    ]
    for value, enum, label in choices:
        if value not in enum.values:
            raise InvalidCaseInput(_("%(field)s: choose one of the options.") % {"field": label})
    if any(value not in Behaviour.values for value in data.behaviours):
        raise InvalidCaseInput(_("Behaviour: choose from the categories offered."))
    contact = (data.reporter_name, data.reporter_email, data.reporter_phone)
    if data.channel == Channel.ANONYMOUS and any(x.strip() for x in contact):
        raise InvalidCaseInput(_("An anonymous case holds no name or contact details."))
    if data.kind == Kind.REPORT and data.channel == Channel.NAMED and not any(
            x.strip() for x in contact):
        raise InvalidCaseInput(_("A named report needs the reporter's name or contact "
                                 "details."))
    if data.kind == Kind.REPORT and not data.narrative.strip():
        raise InvalidCaseInput(_("A report needs a description of what happened."))
    for party in data.parties:
        if party.role not in CaseParty.PartyRole.values or party.affiliation not in \
                Affiliation.values:
            raise InvalidCaseInput(_("People involved: choose one of the options."))


@dataclass(frozen=True)
class FileInput:
    """An uploaded file as the form received it: the name its owner gave it, and its bytes."""

    name: str
    content: bytes = field(repr=False)


def create_case(*, data: CaseInput, actor: Actor, registered_by: User | None,
                 must_replace_code: bool, received_at: datetime | None = None,
                 checked_files: Sequence[tuple[FileInput, CheckedFile]] = (),
                 unwanted_advisor: User | None = None, submission_key: str | None = None,
                 form_token: str | None = None) -> RegisteredCase:
    """Store a new case with its parts, files and receipt code, and audit it; inside a
    transaction. Everything is checked before the first row is written; the files were
    checked by ``check_files`` before the transaction began (that can take seconds)."""
    _validate_case_input(data)
    if received_at is not None and received_at > timezone.now():
        raise InvalidCaseInput(_("The time of receipt cannot be in the future."))
    case = Case(
        received_at=received_at or timezone.now(),
        kind=data.kind, channel=data.channel, received_via=data.received_via,
        reporter_role=data.reporter_role, reporter_population=data.reporter_population,
        behaviours=sorted(set(data.behaviours)), accused_affiliation=data.accused_affiliation,
        statement_in_writing=data.statement_in_writing, registered_by=registered_by,
        unwanted_advisor=unwanted_advisor, submission_key=submission_key,
        narrative=_clean_text(data.narrative, label=_("What happened")) or None,
        occurred=_clean_text(data.occurred, label=_("When and where"),
                             limit=SHORT_TEXT_MAX * 4) or None,
        desired_outcome=_clean_text(data.desired_outcome, label=_("Desired outcome")) or None,
        reporter_name=_clean_text(data.reporter_name, label=_("Name"),
                                  limit=SHORT_TEXT_MAX) or None,
        reporter_phone=_clean_text(data.reporter_phone, label=_("Phone"),
                                   limit=SHORT_TEXT_MAX) or None,
    )
    case.set_reporter_email(_clean_text(data.reporter_email, label=_("E-mail"),
                                        limit=SHORT_TEXT_MAX) or None)
    case.save()
    parties = []
    for party_input in data.parties:
        party = CaseParty(
            case=case, role=party_input.role, affiliation=party_input.affiliation,
            description=_clean_text(party_input.description, label=_("Description"),
                                    limit=SHORT_TEXT_MAX * 4) or None,
        )
        party.set_name(_clean_text(party_input.name, label=_("Name"), required=True,
                                   limit=SHORT_TEXT_MAX))
        parties.append(party)
    CaseParty.objects.bulk_create(parties)
    code = new_unused_code(form_token=form_token)
    ReceiptCode.objects.create(case=case, selector=code.selector,
                               verifier_mac=code.verifier_mac, must_replace=must_replace_code)
    _audit(case, actor, actions.CASE_CREATED,
           fields=["kind", "channel", "narrative", "reporter_name", "reporter_email",
                   *(["received_at"] if received_at is not None else [])],
           detail={"kind": case.kind, "channel": case.channel, "via": case.received_via,
                   "parties": len(parties), "files": len(checked_files),
                   "unwanted_advisor": unwanted_advisor is not None})
    for file, checked in checked_files:
        store_attachment(case, actor=actor, added_by=registered_by, file=file, checked=checked)
    _audit(case, actor, actions.RECEIPT_CODE_ISSUED,
           detail={"must_replace": must_replace_code})
    return RegisteredCase(case=case, receipt_code=code.display)




FORM_CODE_ATTEMPTS = 20


def new_unused_code(*, form_token: str | None = None) -> receipt_codes.NewCode:
    """A fresh receipt code whose selector no case uses yet: random, or derived from a web
    form's one-time token (see ``receipt_codes.from_form_token``)."""
    if form_token:
        for attempt in range(FORM_CODE_ATTEMPTS):
            code = receipt_codes.from_form_token(form_token, attempt=attempt)
            if not ReceiptCode.objects.filter(selector=code.selector).exists():
                return code
    code = receipt_codes.new_code()
    # 30^8 selectors: a repeat is rare, but at a national service's millions of cases not
    # impossible, and the unique index would then fail the whole registration (a reporter's
    # report lost to an error page). Draw again instead.
    while ReceiptCode.objects.filter(selector=code.selector).exists():
        code = receipt_codes.new_code()
    return code


# --- files ---------------------------------------------------------------------------------


def check_files(files: Sequence[FileInput]) -> list[tuple[FileInput, CheckedFile]]:
    """Every file checked (count, size, kind by content) before anything is stored, so a bad
    file refuses the whole submission and leaves nothing half-stored. What the files may unpack
    to is one budget for them all: ten zip bombs cost no more than one."""
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise too_many_files()
    budget = UnpackBudget(per_file=settings.ATTACHMENT_MAX_UNPACKED_BYTES,
                          per_request=settings.ATTACHMENT_MAX_UNPACKED_BYTES_PER_REQUEST)
    checked = []
    for file in files:
        name = _clean_text(file.name, label=_("File name"), required=True, limit=255)
        if not file.content:
            raise InvalidCaseInput(_("“%(name)s” is empty.") % {"name": name[:80]})
        if len(file.content) > settings.ATTACHMENT_MAX_BYTES:
            raise file_too_large(name)
        try:
            result = check_file(filename=name, content=file.content, budget=budget)
        except FileRefused as refused:
            # The message is already the sender's, word for word; the callers of the cases
            # services expect the cases app's own error.
            raise InvalidCaseInput(str(refused)) from refused
        checked.append((FileInput(name=name, content=file.content), result))
    return checked


def too_many_files() -> InvalidCaseInput:
    most = settings.ATTACHMENT_MAX_FILES
    return InvalidCaseInput(ngettext(
        "You can add at most %(count)d file at a time.",
        "You can add at most %(count)d files at a time.", most) % {"count": most})


def file_too_large(name: str) -> InvalidCaseInput:
    return InvalidCaseInput(_("“%(name)s” is too large: at most %(mb)s MB per file.") % {
        "name": name[:80], "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)})


def store_attachment(case: Case, *, actor: Actor, added_by: User | None, file: FileInput,
                     checked: CheckedFile) -> CaseAttachment:
    """Store a checked file: the original as evidence and, when metadata was removed, the
    working copy people open; both encrypted with the case key."""
    attachment = CaseAttachment.objects.create(
        case=case, added_by=added_by, filename=file.name, size=len(file.content),
        content_type=checked.content_type, content=file.content,
        working_copy=checked.working_copy,
        metadata_removed=checked.working_copy is not None)
    _audit(case, actor, actions.ATTACHMENT_ADDED, fields=["content"],
           target=("attachment", str(attachment.pk)),
           detail={"size": attachment.size, "type": checked.kind,
                   "metadata_removed": attachment.metadata_removed})
    return attachment

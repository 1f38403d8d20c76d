"""What a case holds besides its own facts: its advisors, private notes, messages with the
reporter, files and the people involved. Every text is encrypted with the case's data key
(``encryption_key_path = "case"``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import Affiliation, MessageDirection, PartyRole
from cases.models.case import Case
from crypto.blind_index import BlindIndexField, blind_index
from crypto.fields import EncryptedBytesField, EncryptedTextField


class CaseAssignment(models.Model):
    """An advisor assigned to a case. Granting and revoking their object permissions goes with
    it (cases.access); both happen only in cases.services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="case_assignments")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "advisor"],
                                               name="case_assignment_unique")]
        indexes = [models.Index(fields=["advisor", "case"], name="case_assignment_advisor")]

    def __str__(self) -> str:
        return f"{self.case_id} / {self.advisor_id}"


class CaseNote(models.Model):
    """An advisor's private note: never shown to the reporter or to a committee."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    body = EncryptedTextField(_("note"))

    encryption_key_path = "case"

    class Meta:
        indexes = [models.Index(fields=["case", "-created_at"], name="case_note_case")]

    def __str__(self) -> str:
        return str(self.pk)


class CaseMessage(models.Model):
    """A message between the office and the reporter (the reporter reads them on /status/)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=16, choices=MessageDirection.choices)
    # The advisor who wrote a message to the reporter; empty for the reporter's own.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    body = EncryptedTextField(_("message"))

    encryption_key_path = "case"

    class Meta:
        indexes = [models.Index(fields=["case", "-created_at"], name="case_message_case")]

    def __str__(self) -> str:
        return str(self.pk)


class CaseAttachment(models.Model):
    """A file of the case: the original, kept as evidence, encrypted with the case key.

    The metadata needed to list files (type, size, date) is plain; the name people gave the
    file is encrypted, like its content. Listing never loads ``content``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    # Staff who added it; empty when the reporter did.
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    filename = EncryptedTextField(_("file name"))
    content = EncryptedBytesField()
    # The copy people open: the original with identifying metadata (EXIF, XMP, document
    # properties) removed; see files.checking. Empty when there was nothing to remove
    # or it could not be removed (``metadata_removed`` says which copy a download serves).
    working_copy = EncryptedBytesField(null=True, blank=True)
    metadata_removed = models.BooleanField(default=False)

    encryption_key_path = "case"

    class Meta:
        indexes = [models.Index(fields=["case", "-created_at"], name="case_attachment_case")]

    def __str__(self) -> str:
        return str(self.pk)


class CaseParty(models.Model):
    """A person involved in the case (complained about, witness...), named only in ciphertext.

    ``name_index`` finds the same person across cases (conflict-of-interest checks) without
    decrypting anything.
    """

    PartyRole = PartyRole  # the vocabulary lives in cases.choices, with the others

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(max_length=24, choices=PartyRole.choices)
    affiliation = models.CharField(max_length=16, choices=Affiliation.choices,
                                   default=Affiliation.UNKNOWN)
    name = EncryptedTextField(_("name"))
    name_index = BlindIndexField()
    description = EncryptedTextField(_("description"), null=True, blank=True)

    encryption_key_path = "case"

    def __str__(self) -> str:
        return str(self.pk)

    def set_name(self, name: str) -> None:
        self.name = name
        self.name_index = blind_index(name)

"""The reporter's way back to their case."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from cases.models.case import Case
from crypto.blind_index import INDEX_MAX_LENGTH


class ReceiptCode(models.Model):
    """How a reporter without an account returns to their case (DESIGN.md §4).

    The code is a selector (looked up, stored plain) and a verifier stored only as
    HMAC-SHA256 under a server pepper; see cases.receipt_codes. Replacing the code overwrites
    both, so the old one stops working at once.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="receipt_code")
    selector = models.CharField(max_length=16, unique=True)
    verifier_mac = models.CharField(max_length=INDEX_MAX_LENGTH)
    issued_at = models.DateTimeField(default=timezone.now)
    # A code handed over by an advisor (phone, in person) was seen by someone else: the reporter
    # is asked to replace it on first use.
    must_replace = models.BooleanField(default=False)
    # When the reporter first signed in with this code (a resubmitted form may replace a code
    # nobody has used yet; see cases.services.reporter).
    first_used_at = models.DateTimeField(null=True, blank=True)
    # When the reporter ticked "I have saved my receipt code" on the receipt page: from then
    # on, the same form sent again no longer shows the code (see cases.services.reporter).
    saved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"receipt code for {self.case_id}"

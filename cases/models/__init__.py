"""The Case aggregate's models (DESIGN.md §4), one module per topic.

``case``: the case, its encrypted facts and its workflow (django-fsm-2 transitions; the rules are
in ``cases.workflow``). ``parts``: advisors, notes, messages, files, people involved.
``receipt_code``: the reporter's way back. ``references``: the per-year reference counter.
``permissions``: per-case object permissions. Import from ``cases.models``.
"""

from cases.models.case import KEY_FIELDS, Case, CaseQuerySet
from cases.models.parts import CaseAssignment, CaseAttachment, CaseMessage, CaseNote, CaseParty
from cases.models.permissions import CaseGroupObjectPermission, CaseUserObjectPermission
from cases.models.receipt_code import ReceiptCode
from cases.models.references import CaseReferenceCounter

__all__ = [
    "KEY_FIELDS",
    "Case",
    "CaseAssignment",
    "CaseAttachment",
    "CaseGroupObjectPermission",
    "CaseMessage",
    "CaseNote",
    "CaseParty",
    "CaseQuerySet",
    "CaseReferenceCounter",
    "CaseUserObjectPermission",
    "ReceiptCode",
]

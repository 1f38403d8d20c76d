"""The one registry of audit actions.

``audit.services.record`` refuses any action not defined here, so the trail's vocabulary stays
small and searchable. Names are ``<object>.<past-tense verb>``; add new ones at the end of their
group and never rename one that has been recorded (old events keep their name forever).
"""

from __future__ import annotations

# --- cases: writes ---------------------------------------------------------------------------
CASE_CREATED = "case.created"
CASE_UPDATED = "case.updated"
CASE_ACKNOWLEDGED = "case.acknowledged"
CASE_ASSIGNED = "case.assigned"
CASE_STARTED = "case.started"
CASE_REFERRED = "case.referred"
CASE_RETURNED = "case.returned"
CASE_ACCEPTED = "case.accepted"
CASE_DECIDED = "case.decided"
CASE_CLOSED = "case.closed"
CASE_WITHDRAWN = "case.withdrawn"
CASE_CONVERTED = "case.converted"
CASE_CONSENT_RECORDED = "case.consent_recorded"
CASE_HOLD_SET = "case.hold_set"
CASE_HOLD_RELEASED = "case.hold_released"
CASE_DESTROYED = "case.destroyed"
CASE_KEY_DESTROYED = "case.key_destroyed"
NOTE_ADDED = "note.added"
MESSAGE_SENT = "message.sent"
ATTACHMENT_ADDED = "attachment.added"
RECEIPT_CODE_ISSUED = "receipt_code.issued"
RECEIPT_CODE_REPLACED = "receipt_code.replaced"
RECEIPT_CODE_USED = "receipt_code.used"
PERMISSION_GRANTED = "permission.granted"
PERMISSION_REVOKED = "permission.revoked"

# --- cases: reads (DESIGN.md §5: reads count) ------------------------------------------------
CASE_VIEWED = "case.viewed"
STATUS_VIEWED = "status.viewed"
DOSSIER_DOWNLOADED = "dossier.downloaded"
ATTACHMENT_DOWNLOADED = "attachment.downloaded"
CASES_EXPORTED = "cases.exported"
CASES_SEARCHED = "cases.searched"

# --- system ----------------------------------------------------------------------------------
KEYS_ROTATED = "keys.rotated"
RETENTION_NOTICE_SENT = "retention.notice_sent"
AUDIT_CHECKPOINT = "audit.checkpoint"
AUDIT_VIEWED = "audit.viewed"
AUDIT_EXPORTED = "audit.exported"

# --- accounts (system stream): who holds a role, and who changed an account ------------------
ROLE_GRANTED = "role.granted"
ROLE_REVOKED = "role.revoked"
ACCOUNT_CREATED = "account.created"
ACCOUNT_DEACTIVATED = "account.deactivated"
ACCOUNT_REACTIVATED = "account.reactivated"
# An action name, not a password.
ACCOUNT_PASSWORD_SET = "account.password_set"  # noqa: S105  # nosec B105
SECOND_FACTOR_ISSUED = "second_factor.issued"
SECOND_FACTOR_REPLACED = "second_factor.replaced"
SIGN_IN_REFUSED = "sign_in.refused"

REGISTERED: frozenset[str] = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)


def is_registered(action: str) -> bool:
    return action in REGISTERED

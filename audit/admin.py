"""Deliberately empty: the audit trail is not in the Django admin.

Auditors read the trail at ``/staff/audit/``, which requires the auditor role and records every
read as ``audit.viewed``. The admin belongs to the system administrator, who manages accounts
and must not read the trail (nor could the admin log that read). Do not register the audit
models here; ``tests/audit/test_admin.py`` checks that ``/admin/audit/...`` is a 404.
"""

"""The auditor's page: the audit trail read, filtered and paginated, metadata only.

Kept apart from ``audit`` on purpose: ``audit`` is domain-free (it records and verifies, and
imports no app of ours), while this page needs the staff sign-in and the auditor role from
``accounts``. URL names stay in the ``audit`` namespace (``audit:log``).
"""

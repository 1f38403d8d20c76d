"""Kept only for the historic migrations of cases; new code imports ``crypto``.

The encryption layer moved to the ``crypto`` app. Migrations 0001, 0003 and 0006 of cases
name their field classes by this package's old paths (``cases.crypto.fields.EncryptedTextField``
and the like), and applied migrations are not rewritten, so these modules re-export exactly
those classes. Nothing else may import this package.
"""

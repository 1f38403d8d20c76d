"""Kept only for the historic migrations of cases; new code imports ``crypto.fields``."""

from __future__ import annotations

from crypto.fields import EncryptedBytesField, EncryptedTextField

__all__ = ["EncryptedBytesField", "EncryptedTextField"]

"""Kept only for the historic migrations of cases; new code imports ``crypto.blind_index``."""

from __future__ import annotations

from crypto.blind_index import BlindIndexField

__all__ = ["BlindIndexField"]

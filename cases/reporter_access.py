"""What a reporter's browser session holds after signing in with a receipt code.

A value shared by the write side (``cases.services.reporter`` signs in and acts) and the read
side (``cases.reporter_selectors`` shows the status page), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class ReporterAccess:
    case_id: UUID
    selector: str
    must_replace: bool = False

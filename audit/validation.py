"""What may go into an audit event: registered actions, short tokens, and no content.

Detail is metadata (a committee code, a count, a key id), never text a person wrote. Rather
than trying to recognise content, only short tokens are allowed: no spaces, no ``@``, at most
64 characters. Error messages name the argument, never its value (nor a detail key longer than
32 characters: it might be key material).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from audit import actions
from audit.actors import Actor, ActorKind
from audit.exceptions import InvalidAuditEvent

MAX_TOKEN = 64
MAX_FIELDS = 32
MAX_DETAIL_KEYS = 16
MAX_DETAIL_JSON = 1024
TOKEN = re.compile(r"[A-Za-z0-9_.:/+\-]*")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_MAX_INT = 2**63
_MAX_SHOWN_KEY = 32


@dataclass(frozen=True)
class ValidEvent:
    stream: str
    action: str
    actor_kind: str
    actor_id: str
    target_type: str
    target_id: str
    changed_fields: str
    detail: str


def _token(value: object, argument: str, *, allow_empty: bool) -> str:
    if not isinstance(value, str):
        raise InvalidAuditEvent(f"{argument} must be a string.")
    if len(value) > MAX_TOKEN or not TOKEN.fullmatch(value) or (not value and not allow_empty):
        raise InvalidAuditEvent(
            f"{argument} must be a token of 1-{MAX_TOKEN} letters, digits or _.:/+- characters."
        )
    return value


def _name(value: object, argument: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise InvalidAuditEvent(f"{argument} must be a lower-case identifier.")
    return value


def canonical_detail(detail: Mapping[str, str | int | bool | None] | None) -> str:
    if not detail:
        return "{}"
    if not isinstance(detail, Mapping):
        raise InvalidAuditEvent("detail must be a mapping.")
    if len(detail) > MAX_DETAIL_KEYS:
        raise InvalidAuditEvent(f"detail holds at most {MAX_DETAIL_KEYS} keys.")
    clean: dict[str, str | int | bool | None] = {}
    for key, value in detail.items():
        _name(key, "a detail key")
        # The key is a valid name by now; a long one is not echoed (it might be a pasted key).
        shown = f"detail[{key!r}]" if len(key) <= _MAX_SHOWN_KEY else "a detail value"
        if value is None or isinstance(value, bool):
            clean[key] = value
        elif isinstance(value, int):
            if not -_MAX_INT <= value < _MAX_INT:
                raise InvalidAuditEvent(f"{shown} is out of range.")
            clean[key] = value
        elif isinstance(value, str):
            _token(value, shown, allow_empty=True)
            clean[key] = value
        else:
            # Floats, lists and nested mappings are refused: detail is flat metadata.
            raise InvalidAuditEvent(f"{shown} must be a string, integer, boolean or None.")
    text = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    if len(text) > MAX_DETAIL_JSON:
        raise InvalidAuditEvent(f"detail is longer than {MAX_DETAIL_JSON} characters.")
    return text


def validate(
    *,
    stream: object,
    action: str,
    actor: Actor,
    target_type: str,
    target_id: object,
    fields: Sequence[str],
    detail: Mapping[str, str | int | bool | None] | None,
) -> ValidEvent:
    if not actions.is_registered(action):
        raise InvalidAuditEvent("action is not registered in audit.actions.")
    if not isinstance(actor, Actor) or actor.kind not in ActorKind.values:
        raise InvalidAuditEvent("actor must be an audit.actors.Actor.")
    if isinstance(fields, str):
        raise InvalidAuditEvent("fields must be a sequence of field names, not one string.")
    names = [_name(name, "a field name") for name in fields]
    if len(names) > MAX_FIELDS or len(set(names)) != len(names):
        raise InvalidAuditEvent(f"fields holds at most {MAX_FIELDS} distinct names.")
    return ValidEvent(
        # Case ids are UUIDs; accepting one saves every caller a str().
        stream=_token(str(stream), "stream", allow_empty=False),
        action=action,
        actor_kind=str(actor.kind),
        actor_id=_token(actor.id, "actor id", allow_empty=True),
        target_type=_name(target_type, "target_type"),
        target_id=_token(str(target_id), "target_id", allow_empty=True),
        changed_fields=",".join(names),
        detail=canonical_detail(detail),
    )

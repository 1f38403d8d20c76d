"""Receipt codes: how a reporter without an account returns to their case (DESIGN.md §4).

A code is 32 characters from an alphabet without look-alikes (no 0, 1, I, L, O or U), shown in
groups of four:

    selector (8 characters)  — stored plain and indexed: finds the row
    verifier (24 characters) — about 118 bits of randomness; stored only as
                               HMAC-SHA256 under a server pepper (RECEIPT_CODE_KEYS)

So a database copy alone cannot produce a working code, and checking one costs one indexed
lookup and one HMAC, compared in constant time. The plain code exists only in the response that
shows it once; it is never logged, stored, mailed or put in the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from cases import confusables
from crypto.keys import receipt_code_keyring

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
SELECTOR_LENGTH = 8
VERIFIER_LENGTH = 24
CODE_LENGTH = SELECTOR_LENGTH + VERIFIER_LENGTH
GROUP = 4
# The one look-alike that maps onto the alphabet: U is left out of it, V is in. (0/O and 1/I/L
# are all left out, so a code never holds them and typing one is simply refused.)
_LOOKALIKES = str.maketrans({"U": "V"})



def _compact(text: str) -> str:
    """Letters and digits only, upper case: whatever separates the groups (a dash, an en dash,
    a non-breaking or zero-width space or joiner, a slash) does not matter, and full-width forms
    from a phone keyboard and Cyrillic or Greek look-alikes count as the letters they look like
    (their TR39 skeleton, see cases.confusables)."""
    folded = confusables.skeleton(text)
    return "".join(ch for ch in folded if ch.isalnum()).translate(_LOOKALIKES)


@dataclass(frozen=True)
class NewCode:
    """A freshly made code: ``display`` for the reporter (once), the rest for the database."""

    display: str = field(repr=False)
    selector: str
    verifier_mac: str


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _mac(verifier: str, key_id: str) -> str:
    material = receipt_code_keyring().material(key_id)
    return f"{key_id}:{hmac.new(material, verifier.encode('ascii'), hashlib.sha256).hexdigest()}"


def group(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def new_code() -> NewCode:
    selector, verifier = _random(SELECTOR_LENGTH), _random(VERIFIER_LENGTH)
    return NewCode(display=group(selector + verifier), selector=selector,
                   verifier_mac=_mac(verifier, receipt_code_keyring().newest_id))


def from_form_token(token: str, *, attempt: int = 0, key_id: str | None = None) -> NewCode:
    """The code for one sending of a web form, derived from the form's one-time token.

    One form sent twice (a double click) reaches the server as two requests in no fixed order,
    and the browser shows only one answer. Deriving the code from the token makes both answers
    carry the same, working code. It is keyed with the pepper (a separate, domain-bound key),
    so the token alone does not give the code, and its randomness is the token's 192 bits.
    ``attempt`` draws another code for the same token if a selector is already taken.
    """
    ring = receipt_code_keyring()
    key_id = key_id or ring.newest_id
    derivation_key = hmac.new(ring.material(key_id), b"ombuds/receipt-code/form-token/v1",
                              hashlib.sha256).digest()
    number = int.from_bytes(hmac.new(derivation_key, f"{attempt}:{token}".encode(),
                                     hashlib.sha512).digest(), "big")
    characters = []
    for _ in range(CODE_LENGTH):  # 32 base-30 digits use 157 of the 512 bits
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    selector, verifier = split("".join(characters))
    return NewCode(display=group(selector + verifier), selector=selector,
                   verifier_mac=_mac(verifier, key_id))


def normalise(text: str) -> str | None:
    """The 32 characters of a code as someone typed or pasted it (any case, with or without
    separators), or None when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 3 * CODE_LENGTH:
        return None
    # U is not in the alphabet, so reading it as V never turns a typo into another code.
    compact = _compact(text)
    if len(compact) != CODE_LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return compact


def split(code: str) -> tuple[str, str]:
    return code[:SELECTOR_LENGTH], code[SELECTOR_LENGTH:]


def verifier_matches(verifier: str, stored_mac: str | None) -> bool:
    """Constant-time check of a verifier against the stored MAC. With no stored MAC (unknown
    selector) a MAC is still computed, so both failures take the same time."""
    ring = receipt_code_keyring()
    key_id = stored_mac.split(":", 1)[0] if stored_mac else ring.newest_id
    if key_id not in ring:
        key_id, stored_mac = ring.newest_id, None
    candidate = _mac(verifier, key_id)
    return hmac.compare_digest(candidate, stored_mac or "") and stored_mac is not None


def contains_code(text: str, *, selector: str, verifier_mac: str) -> bool:
    """Whether ``text`` contains the code stored as (``selector``, ``verifier_mac``), typed with
    or without separators, in any case, in look-alike letters or with invisible characters.
    People paste their code into a message by mistake; such a message is refused. Needs no
    plain code: each place the selector appears is followed by a candidate verifier, checked
    like a sign-in."""
    compact = _compact(text)
    start = compact.find(selector)
    while start != -1:
        candidate = compact[start + SELECTOR_LENGTH:start + CODE_LENGTH]
        # Messages are free text: what follows a selector may be anything (an accented
        # letter would not even encode for the MAC); only a possible verifier is checked.
        if (len(candidate) == VERIFIER_LENGTH and all(ch in ALPHABET for ch in candidate)
                and verifier_matches(candidate, verifier_mac)):
            return True
        start = compact.find(selector, start + 1)
    return False

"""Receipt codes (DESIGN.md §4): enough randomness, readable, checked in constant time, never
stored in clear."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable

import pytest
from pytest_django import Settings

from cases import confusables, receipt_codes
from cases.receipt_codes import (
    ALPHABET,
    CODE_LENGTH,
    SELECTOR_LENGTH,
    VERIFIER_LENGTH,
    NewCode,
    contains_code,
    new_code,
    normalise,
    split,
    verifier_matches,
)
from tests.crypto.helpers import key_line

GROUPED = re.compile(rf"[{ALPHABET}]{{4}}(-[{ALPHABET}]{{4}}){{7}}")


def compact(display: str) -> str:
    return display.replace("-", "")


# --- what a code looks like ------------------------------------------------------------------


def test_the_alphabet_has_no_look_alikes_and_no_repeats() -> None:
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert not set(ALPHABET) & set("01ILOU")
    assert ALPHABET.upper() == ALPHABET


def test_the_verifier_carries_at_least_100_bits() -> None:
    bits = VERIFIER_LENGTH * math.log2(len(ALPHABET))
    assert bits >= 100
    assert CODE_LENGTH == SELECTOR_LENGTH + VERIFIER_LENGTH == 32


def test_a_code_is_32_characters_in_groups_of_four() -> None:
    code = new_code()
    assert GROUPED.fullmatch(code.display)
    assert len(code.display) == CODE_LENGTH + CODE_LENGTH // 4 - 1
    assert code.selector == compact(code.display)[:SELECTOR_LENGTH]
    assert split(compact(code.display)) == (code.selector, compact(code.display)[SELECTOR_LENGTH:])


def test_codes_are_random_and_use_the_whole_alphabet() -> None:
    codes = [new_code() for _ in range(400)]
    assert len({c.display for c in codes}) == len(codes)
    assert len({c.selector for c in codes}) == len(codes)
    counts = Counter("".join(compact(c.display) for c in codes))
    assert set(counts) == set(ALPHABET)
    # 12,800 characters over 30 symbols: about 427 each; a biased generator would stray far.
    assert min(counts.values()) > 300 and max(counts.values()) < 560


def test_the_stored_mac_never_holds_the_code() -> None:
    code = new_code()
    _, verifier = split(compact(code.display))
    key_id, digest = code.verifier_mac.split(":")
    assert key_id == "test-rck-1"
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert code.verifier_mac != code.display
    for secret in (verifier, compact(code.display), code.display):
        assert secret not in code.verifier_mac
        assert secret.lower() not in code.verifier_mac


# --- reading what people type ----------------------------------------------------------------


@pytest.fixture
def code() -> NewCode:
    return new_code()


def test_normalise_accepts_the_displayed_form_and_the_compact_one(code: NewCode) -> None:
    assert normalise(code.display) == compact(code.display)
    assert normalise(compact(code.display)) == compact(code.display)


@pytest.mark.parametrize("typed", [
    lambda c: c.lower(),
    lambda c: c.replace("-", " "),
    lambda c: c.replace("-", ""),
    lambda c: f"  {c.lower()}\n",
    lambda c: c.replace("-", " - "),
    lambda c: c.replace("-", "_").replace("A", "a"),
    lambda c: c.replace("-", ".").lower(),
    lambda c: "\t".join(c.split("-")),
    lambda c: " ".join(compact(c)),  # one character at a time
])
def test_normalise_forgives_case_and_separators(code: NewCode, typed: Callable[[str], str]) -> None:
    assert normalise(typed(code.display)) == compact(code.display)


def test_normalise_reads_u_as_v() -> None:
    # V is in the alphabet, U is not: a U can only be a misread V.
    code = "V" * CODE_LENGTH
    assert normalise("u" * CODE_LENGTH) == code
    assert normalise("U" * CODE_LENGTH) == code


@pytest.mark.parametrize("wrong", ["0", "O", "o", "1", "I", "i", "L", "l"])
def test_characters_no_code_holds_are_refused_not_guessed(code: NewCode, wrong: str) -> None:
    # Neither of each look-alike pair is in the alphabet, so no code has them: a guess
    # could only turn a typo into someone else's code.
    typed = wrong + compact(code.display)[1:]
    assert normalise(typed) is None


@pytest.mark.parametrize("junk", [
    "", " ", "-" * 40, "ABCD", "A" * (CODE_LENGTH - 1), "A" * (CODE_LENGTH + 1),
    "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA!", "ÄAAA" + "A" * 28,
    "A" * CODE_LENGTH + " " * (2 * CODE_LENGTH + 1),  # too long to be worth reading
    "SELECT * FROM cases_receiptcode WHERE 1=1",
])
def test_normalise_refuses_junk(junk: str) -> None:
    assert normalise(junk) is None


@pytest.mark.parametrize("not_text", [None, b"AAAA" * 8, 12345, ["A"] * 32])
def test_normalise_refuses_what_is_not_text(not_text: object) -> None:
    assert normalise(not_text) is None  # type: ignore[arg-type]


# --- checking a code -------------------------------------------------------------------------


def test_the_right_verifier_matches_and_no_other(code: NewCode) -> None:
    _, verifier = split(compact(code.display))
    assert verifier_matches(verifier, code.verifier_mac) is True
    other = ("2" if verifier[0] != "2" else "3") + verifier[1:]
    assert verifier_matches(other, code.verifier_mac) is False
    assert verifier_matches(verifier[:-1], code.verifier_mac) is False
    assert verifier_matches(verifier, new_code().verifier_mac) is False


def test_an_unknown_selector_costs_a_mac_and_answers_false(
        code: NewCode, monkeypatch: pytest.MonkeyPatch) -> None:
    _, verifier = split(compact(code.display))
    computed: list[str] = []
    real_mac = receipt_codes._mac

    def counting_mac(value: str, key_id: str) -> str:
        computed.append(key_id)
        return real_mac(value, key_id)

    monkeypatch.setattr(receipt_codes, "_mac", counting_mac)
    assert verifier_matches(verifier, None) is False
    assert verifier_matches(verifier, "") is False
    # Same work as a wrong code for a known selector: one MAC under the newest key.
    assert computed == ["test-rck-1", "test-rck-1"]
    computed.clear()
    assert verifier_matches(verifier + "X", code.verifier_mac) is False
    assert computed == ["test-rck-1"]


def test_a_mac_under_an_unknown_key_never_matches(code: NewCode) -> None:
    _, verifier = split(compact(code.display))
    forged = "retired-key:" + code.verifier_mac.split(":", 1)[1]
    assert verifier_matches(verifier, forged) is False
    # A stored value of the empty verifier's MAC must not match an empty candidate either.
    assert verifier_matches("", "retired-key:") is False


def test_codes_issued_under_an_older_pepper_keep_working(code: NewCode, settings: Settings) -> None:
    _, verifier = split(compact(code.display))
    settings.RECEIPT_CODE_KEYS = f"{key_line('test-rck-2', 7)},{settings.RECEIPT_CODE_KEYS}"
    assert verifier_matches(verifier, code.verifier_mac) is True
    newer = new_code()
    assert newer.verifier_mac.startswith("test-rck-2:")
    # Once the older pepper is removed, its codes stop working.
    settings.RECEIPT_CODE_KEYS = key_line("test-rck-2", 7)
    assert verifier_matches(verifier, code.verifier_mac) is False


# --- a code pasted into a message --------------------------------------------------------------


@pytest.mark.parametrize("pasted", [
    lambda c: c,
    lambda c: f"Hello, my code is {c}, please help.",
    lambda c: f"my code:{c.lower()}!",
    lambda c: f"code {c.replace('-', ' ')} thanks",
    lambda c: f"code {compact(c)}",
    lambda c: "\n".join(c.split("-")),
    lambda c: f"{c[:19]}\n{c[19:]}",
])
def test_contains_code_finds_a_pasted_code(code: NewCode, pasted: Callable[[str], str]) -> None:
    assert contains_code(pasted(code.display), selector=code.selector,
                         verifier_mac=code.verifier_mac)


def test_contains_code_ignores_other_codes_and_fragments(code: NewCode) -> None:
    def check(text: str) -> bool:
        return contains_code(text, selector=code.selector, verifier_mac=code.verifier_mac)

    other = new_code()
    _, verifier = split(compact(code.display))
    assert not check(other.display)
    assert not check(f"my friend's code is {other.display}")
    # Same selector, another verifier: a different code.
    wrong = code.selector + ("2" if verifier[0] != "2" else "3") + verifier[1:]
    assert not check(wrong)
    assert not check(f"only the start {code.selector}")
    assert not check(compact(code.display)[:-1])
    assert not check("")


def test_contains_code_keeps_looking_after_a_false_start(code: NewCode) -> None:
    text = f"{code.selector} was the start; the whole code is {code.display}"
    assert contains_code(text, selector=code.selector, verifier_mac=code.verifier_mac)


@pytest.mark.parametrize("tail", ["é" * VERIFIER_LENGTH, "日本語" * 8, "🙂" * VERIFIER_LENGTH,
                                  "ß" * VERIFIER_LENGTH],
                         ids=["accents", "cjk", "emoji", "sharp-s"])
def test_contains_code_survives_any_text_after_the_selector(code: NewCode, tail: str) -> None:
    # Messages are free text: whatever follows a selector, the answer is a plain no.
    assert not contains_code(f"{code.selector}{tail}", selector=code.selector,
                             verifier_mac=code.verifier_mac)


def test_a_form_token_gives_the_same_code_every_time_and_another_per_attempt() -> None:
    token = "one-time-form-token-abcdef"
    first = receipt_codes.from_form_token(token)
    assert first == receipt_codes.from_form_token(token)
    assert first != receipt_codes.from_form_token(token, attempt=1)
    assert first != receipt_codes.from_form_token(token + "x")
    selector, verifier = receipt_codes.split(receipt_codes.normalise(first.display) or "")
    assert selector == first.selector and token not in first.display
    assert receipt_codes.verifier_matches(verifier, first.verifier_mac)


def test_codes_pasted_with_unusual_separators_or_full_width_letters_still_count() -> None:
    code = receipt_codes.new_code()
    compact_code = code.display.replace("-", "")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in compact_code)
    for typed in (code.display.replace("-", "\u2013"), code.display.replace("-", "\u00a0"),
                  code.display.replace("-", "\u200b"), code.display.replace("-", "/"),
                  full_width):
        assert normalise(typed) == compact_code
        assert receipt_codes.contains_code(f"my code: {typed}!", selector=code.selector,
                                           verifier_mac=code.verifier_mac)


# --- look-alike characters (TR39 skeletons, cases.confusables) -------------------------------

def _look_alike_code() -> NewCode:
    # One fixed code, so that every class of look-alike below has letters of it to replace.
    return receipt_codes.from_form_token("look-alikes")


def _script(prefix: str) -> dict[str, str]:
    """The look-alikes from the table whose Unicode names start with ``prefix``, keyed by
    the character they imitate."""
    return {str(target): chr(source) for source, target in confusables.FOLD.items()
            if unicodedata.name(chr(source)).startswith(prefix)}


def _swap(prefix: str) -> Callable[[str], str]:
    def swap(text: str) -> str:
        table = _script(prefix)
        swapped = "".join(table.get(ch, ch) for ch in text)
        assert swapped != text, "the code has characters of this class"
        return swapped
    return swap


def _bold(text: str) -> str:
    return "".join(chr(0x1D400 + ord(ch) - ord("A")) if ch.isalpha()
                   else chr(0x1D7CE + ord(ch) - ord("0")) if ch.isdigit() else ch
                   for ch in text)


CLASSES: dict[str, Callable[[str], str]] = {
    "cyrillic capitals": _swap("CYRILLIC CAPITAL"),
    "cyrillic small": lambda c: _swap("CYRILLIC SMALL")(c.lower()),
    "greek capitals": _swap("GREEK CAPITAL"),
    "greek small": lambda c: _swap("GREEK SMALL")(c.lower()),
    "full width": lambda c: "".join(chr(ord(ch) + 0xFEE0) for ch in c),
    "mathematical bold": _bold,
    "zero-width joiners": "\u200d".join,
    "word joiners and soft hyphens": "\u2060\u00ad".join,
    "lower case": str.lower,
    "en dashes and thin spaces": lambda c: c.replace("-", "\u2009\u2013\u2009"),
    "mixed": lambda c: "\u200b".join(_swap("GREEK CAPITAL")(_swap("CYRILLIC CAPITAL")(c))),
}


@pytest.mark.parametrize("disguise", CLASSES.values(), ids=CLASSES.keys())
def test_contains_code_sees_through_look_alikes(disguise: Callable[[str], str]) -> None:
    code = _look_alike_code()
    text = f"Hello, my code is {disguise(code.display)} — thanks"
    assert code.display not in text
    assert contains_code(text, selector=code.selector, verifier_mac=code.verifier_mac)


def test_the_look_alike_table_only_folds_foreign_characters_onto_the_alphabet() -> None:
    # A real code (ASCII) is never changed, so folding cannot make two codes equal.
    assert confusables.FOLD
    for source, target in confusables.FOLD.items():
        assert not chr(source).isascii()
        assert str(target).upper() in ALPHABET
        assert unicodedata.name(chr(source)).startswith(("LATIN", "CYRILLIC", "GREEK"))
    assert confusables.skeleton(ALPHABET + ALPHABET.lower()) == ALPHABET * 2


def test_ordinary_cyrillic_and_greek_text_is_not_a_code() -> None:
    code = _look_alike_code()
    for text in ("Он кричал на меня на собрании в комнате 3.", "Καλημέρα, ευχαριστώ πολύ",
                 f"my code starts with {code.selector} and I lost the rest"):
        assert not contains_code(text, selector=code.selector, verifier_mac=code.verifier_mac)


def test_a_code_typed_in_look_alikes_also_signs_in() -> None:
    code = _look_alike_code()
    assert normalise(CLASSES["mixed"](code.display)) == compact(code.display)

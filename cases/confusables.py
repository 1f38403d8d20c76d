"""Look-alike characters of the receipt-code alphabet, folded onto it before codes are compared.

A message that contains the reporter's own code is refused (DESIGN.md §4), and a code retyped on
a Cyrillic or Greek keyboard, or pasted through a tool that swapped letters, must still be found:
"ABC" typed in Cyrillic (U+0410 U+0412 U+0421) is not "ABC" to a computer, but it is to a
reader. Unicode TR39 calls the folded form a *skeleton*: here NFKC (full-width and mathematical
letters, the Kelvin sign, Roman numerals) and a confusables mapping (see ``skeleton``).

Unicode's full confusables table (``confusables.txt``) holds thousands of entries; codes only
use ``ALPHABET`` (and people may type it in lower case), so this is the part of it that maps
onto those characters from the Latin, Cyrillic and Greek scripts, checked by hand against the
code charts. Extend it, never shrink it: a missing look-alike only lets a pasted code through,
but an extra one can never make two different codes equal (both sides are folded the same way,
and a fold only ever lands on the alphabet). The package ``confusable_homoglyphs`` carries the
whole table, should the project take it on as a dependency.
"""

from __future__ import annotations

import unicodedata

# target → look-alikes (by code point, so that the source stays readable in any editor)
_LOOK_ALIKES: dict[str, tuple[int, ...]] = {
    # --- capitals (and digits) -------------------------------------------------------------
    "2": (0x01A7,),                  # Latin capital tone two
    "3": (0x0417, 0x04E0, 0x01B7),   # Cyrillic Ze, Cyrillic Dze (Abkhasian), Latin Ezh
    "5": (0x01BC,),                  # Latin capital tone five
    "6": (0x0431,),                  # Cyrillic small be
    "A": (0x0410, 0x0391),           # Cyrillic A, Greek Alpha
    "B": (0x0412, 0x0392),           # Cyrillic Ve, Greek Beta
    "C": (0x0421, 0x03F9),           # Cyrillic Es, Greek lunate Sigma
    "E": (0x0415, 0x0395),           # Cyrillic Ie, Greek Epsilon
    "F": (0x03DC,),                  # Greek Digamma
    "G": (0x050C,),                  # Cyrillic Komi Sje
    "H": (0x041D, 0x0397),           # Cyrillic En, Greek Eta
    "J": (0x0408, 0x037F),           # Cyrillic Je, Greek Yot
    "K": (0x041A, 0x039A),           # Cyrillic Ka, Greek Kappa
    "M": (0x041C, 0x039C),           # Cyrillic Em, Greek Mu
    "N": (0x039D,),                  # Greek Nu
    "P": (0x0420, 0x03A1),           # Cyrillic Er, Greek Rho
    "Q": (0x051A,),                  # Cyrillic Qa
    "S": (0x0405,),                  # Cyrillic Dze
    "T": (0x0422, 0x03A4),           # Cyrillic Te, Greek Tau
    "V": (0x0474,),                  # Cyrillic Izhitsa
    "W": (0x051C,),                  # Cyrillic We
    "X": (0x0425, 0x03A7),           # Cyrillic Ha, Greek Chi
    "Y": (0x04AE, 0x03A5),           # Cyrillic straight U, Greek Upsilon
    "Z": (0x0396,),                  # Greek Zeta
    # --- small letters ---------------------------------------------------------------------
    "a": (0x0430, 0x03B1, 0x0251),   # Cyrillic a, Greek alpha, Latin alpha
    "c": (0x0441, 0x03F2),           # Cyrillic es, Greek lunate sigma
    "d": (0x0501,),                  # Cyrillic komi de
    "e": (0x0435,),                  # Cyrillic ie
    "g": (0x0261,),                  # Latin script g
    "h": (0x04BB,),                  # Cyrillic shha
    "j": (0x0458, 0x03F3),           # Cyrillic je, Greek yot
    "p": (0x0440, 0x03C1),           # Cyrillic er, Greek rho
    "q": (0x051B,),                  # Cyrillic qa
    "s": (0x0455,),                  # Cyrillic dze
    "v": (0x0475, 0x03BD),           # Cyrillic izhitsa, Greek nu
    "w": (0x051D,),                  # Cyrillic we
    "x": (0x0445,),                  # Cyrillic ha
    "y": (0x0443, 0x03B3),           # Cyrillic u, Greek gamma
}

FOLD = str.maketrans({chr(point): target for target, points in _LOOK_ALIKES.items()
                      for point in points})


def skeleton(text: str) -> str:
    """``text`` with compatibility forms and the alphabet's look-alikes folded, in upper case.

    The table applies before NFKC too (NFKC turns the lunate sigma U+03F9 into a sigma, which looks
    like no letter of the alphabet), after it (full-width Cyrillic), and once more after
    upper-casing (Cyrillic small em, U+043C, reads as a small-capital M)."""
    folded = unicodedata.normalize("NFKC", text.translate(FOLD)).translate(FOLD)
    return folded.upper().translate(FOLD)

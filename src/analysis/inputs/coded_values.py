"""The vocabularies of coded columns and their tolerant parsers, apart from :mod:`analysis.inputs.parsing`'s generic ones.

Every parser takes whatever a cell holds and returns the canonical value or ``None``; none raises on arbitrary
input. Vocabularies (the canonical values each coded column takes, and the spellings read as each):

- gender: ``male``, ``female``, ``unknown``, ``indeterminate`` (CIN census codes 1, 2, 0, 9; Annex A's
  ``a) Male`` etc.; ``M``, ``F``, ``U``, ``I``);
- ethnicity: the DfE ethnicity codes of the CIN census and SSDA903 (:data:`ETHNICITY_CODES`), from the code itself,
  ``WBRI - White British``, ``a) WBRI`` or the description (``White British``); ``not known`` -> ``NOBT``;
- yes/no: ``Yes``, ``Y``, ``a) Yes``, ``1``, ``True`` -> ``True``; ``No``, ``N``, ``b) No``, ``0``, ``False`` -> ``False``;
- activity of care leavers: ``education``, ``training``, ``employment``, ``neet``, ``unknown`` (SSDA903 activity
  codes F1/P1/F2/P2 education, F3/P3 training or employment (read as employment), G4/G5/G6 NEET, 0 no information);
- category of abuse: ``neglect``, ``physical``, ``sexual``, ``emotional``, ``multiple`` (CIN census codes NEG, PHY,
  SAB, EMO, MUL and the Annex A wording);
- SSDA903 codes (legal status, placement type, reason ceased) and primary need codes N0-N9: upper case, the code
  taken from ``C2 - Full care order`` style cells; :data:`SSDA903_CODES` lists the codes DfE defines.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from analysis.inputs.parsing import NON_WORD, OPTION_PREFIX, clean_text, is_missing

_CODE = re.compile(r"^([A-Z0-9]{1,4})\b")

GENDER = {
    "male": "male",
    "m": "male",
    "1": "male",
    "boy": "male",
    "female": "female",
    "f": "female",
    "2": "female",
    "girl": "female",
    "unknown": "unknown",
    "not known": "unknown",
    "u": "unknown",
    "0": "unknown",
    "unborn": "unknown",
    "indeterminate": "indeterminate",
    "i": "indeterminate",
    "9": "indeterminate",
    "not specified": "indeterminate",
}

#: DfE ethnicity codes (CIN census / SSDA903) and their descriptions.
ETHNICITY_CODES: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
_ETHNICITY_WORDS = {normalise: code for code, text in ETHNICITY_CODES.items() for normalise in [text.lower()]}
_ETHNICITY_WORDS.update(
    {"white irish": "WIRI", "not known": "NOBT", "unknown": "NOBT", "not obtained": "NOBT"}
)

YES_NO = {
    "yes": True,
    "y": True,
    "1": True,
    "true": True,
    "t": True,
    "no": False,
    "n": False,
    "0": False,
    "false": False,
    "f": False,
}

ACTIVITY = {
    "education": "education",
    "in education": "education",
    "f1": "education",
    "p1": "education",
    "f2": "education",
    "p2": "education",
    "higher education": "education",
    "training": "training",
    "in training": "training",
    "employment": "employment",
    "in employment": "employment",
    "f3": "employment",
    "p3": "employment",
    "f4": "training",  # SSDA903 2016 on: apprenticeship, full or part time
    "p4": "training",
    "f5": "employment",  # training or employment, not an apprenticeship
    "p5": "employment",
    "g1": "neet",  # SSDA903 before 2016: G1-G3 not in education, employment or training
    "g2": "neet",
    "g3": "neet",
    "training or employment": "employment",
    "neet": "neet",
    "not in education employment or training": "neet",
    "g4": "neet",
    "g5": "neet",
    "g6": "neet",
    "unknown": "unknown",
    "not known": "unknown",
    "no information": "unknown",
    "0": "unknown",
}

CATEGORY_OF_ABUSE = {
    "neglect": "neglect",
    "neg": "neglect",
    "n": "neglect",
    "physical": "physical",
    "physical abuse": "physical",
    "phy": "physical",
    "p": "physical",
    "sexual": "sexual",
    "sexual abuse": "sexual",
    "sab": "sexual",
    "s": "sexual",
    "emotional": "emotional",
    "emotional abuse": "emotional",
    "emo": "emotional",
    "e": "emotional",
    "multiple": "multiple",
    "mul": "multiple",
    "m": "multiple",
}

#: Codes DfE defines for SSDA903 legal status, placement type and reason ceased, and CIN primary need.
SSDA903_CODES: dict[str, frozenset[str]] = {
    "legal_status": frozenset(["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]),
    "placement_type": frozenset(
        [
            "A3",
            "A4",
            "A5",
            "A6",
            "H5",
            "K1",
            "K2",
            "P1",
            "P2",
            "P3",
            "R1",
            "R2",
            "R3",
            "R5",
            "S1",
            "T0",
            "T1",
            "T2",
            "T3",
            "T4",
            "U1",
            "U2",
            "U3",
            "U4",
            "U5",
            "U6",
            "Z1",
        ]
    ),
    "reason_ceased": frozenset(
        [
            "E11",
            "E12",
            "E13",
            "E14",
            "E15",
            "E16",
            "E17",
            "E2",
            "E3",
            "E4A",
            "E4B",
            "E41",
            "E45",
            "E46",
            "E47",
            "E48",
            "E5",
            "E6",
            "E7",
            "E8",
            "E9",
        ]
    ),
    "primary_need": frozenset(f"N{n}" for n in range(10)),
}


def _option_text(value: Any) -> str:
    """Lower-case text with an Annex A option prefix (``a) ``) removed, for vocabulary look-ups."""
    text = clean_text(value)
    text = OPTION_PREFIX.sub("", text)
    return text.lower().strip()


# ------------------------------------------------------------------------------------------------- codes
def parse_gender(value: Any) -> str | None:
    """Canonical gender (``male``, ``female``, ``unknown``, ``indeterminate``) or ``None``."""
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        value = str(int(value))
    return GENDER.get(_option_text(value))


def parse_ethnicity(value: Any) -> str | None:
    """DfE ethnicity code (upper case) from a code, ``WBRI - White British``, ``a) WBRI`` or a description."""
    if is_missing(value):
        return None
    text = _option_text(value)
    upper = text.upper()
    match = re.match(r"^([A-Z]{4})\b", upper)
    if match and match.group(1) in ETHNICITY_CODES:
        return match.group(1)
    words = " ".join(NON_WORD.sub(" ", text).split())
    for description, code in _ETHNICITY_WORDS.items():
        if words == " ".join(NON_WORD.sub(" ", description).split()):
            return code
    return None


def parse_yes_no(value: Any) -> bool | None:
    """``Yes``/``Y``/``a) Yes``/``1``/``True`` -> True; the same for no -> False; anything else -> ``None``."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        value = str(int(value))
    return YES_NO.get(_option_text(value))


#: SSDA903 ``IN_TOUCH`` codes (DfE children looked after return, care leavers): yes is in touch; no and refused
#: are not; died, no longer requires services and returned home for six months or more are neither (empty).
IN_TOUCH = {"yes": True, "y": True, "no": False, "n": False, "refu": False, "refused": False}
IN_TOUCH_NOT_APPLICABLE = frozenset({"died", "nreq", "rhom"})
#: Annex A "Suitability of Accommodation" options (``a) Suitable``, ``b) Unsuitable``), and yes/no.
SUITABILITY = {"suitable": True, "unsuitable": False, "not suitable": False, **YES_NO}


def parse_in_touch(value: Any) -> bool | None:
    """Whether the authority is in touch with the care leaver: ``a) Yes`` -> True; ``b) No``, ``d) Refu`` ->
    False; ``c) Died``, ``e) NREQ``, ``f) Rhom`` and anything else -> ``None``.

    Notes
    -----
    DfE SSDA903 guidance, field IN_TOUCH (YES, NO, DIED, REFU, NREQ, RHOM), as Annex A list 9 offers it.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    text = " ".join(NON_WORD.sub(" ", _option_text(value)).split())
    return IN_TOUCH.get(text)


def parse_suitability(value: Any) -> bool | None:
    """``a) Suitable``/``Yes`` -> True, ``b) Unsuitable``/``Not suitable``/``No`` -> False, else ``None``.

    Notes
    -----
    Ofsted Annex A list 9 "Suitability of Accommodation"; DfE SSDA903 field ACCOM (suitable or unsuitable).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if is_missing(value):
        return None
    text = " ".join(NON_WORD.sub(" ", _option_text(value)).split())
    return SUITABILITY.get(text)


def parse_activity(value: Any) -> str | None:
    """Canonical care leaver activity (``education``, ``training``, ``employment``, ``neet``, ``unknown``)."""
    if is_missing(value):
        return None
    text = " ".join(NON_WORD.sub(" ", _option_text(value)).split())
    if text in ACTIVITY:
        return ACTIVITY[text]
    first = text.split(" ")[0] if text else ""
    return ACTIVITY.get(first) if re.fullmatch(r"[fpg]\d", first) else None


def parse_category_of_abuse(value: Any) -> str | None:
    """Canonical category of abuse (``neglect``, ``physical``, ``sexual``, ``emotional``, ``multiple``)."""
    if is_missing(value):
        return None
    text = " ".join(NON_WORD.sub(" ", _option_text(value)).split())
    return CATEGORY_OF_ABUSE.get(text)


def parse_code(value: Any) -> str | None:
    """An upper-case code (SSDA903, primary need) from ``c2``, ``C2 - Full care order`` or ``a) C2``."""
    if is_missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = _option_text(value).upper()
    match = _CODE.match(text)
    return match.group(1) if match else None


def parse_source(value: Any) -> str | None:
    """A contact or referral source as snake_case text (``Police`` -> ``police``, ``a) Health visitor`` ->
    ``health_visitor``)."""
    if is_missing(value):
        return None
    text = _option_text(value).replace("'", "")
    words = NON_WORD.sub(" ", text).split()
    return "_".join(words) or None

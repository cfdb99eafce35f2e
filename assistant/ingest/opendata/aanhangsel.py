"""Official ids and links of answers published in the Aanhangsel van de Handelingen.

The Tweede Kamer API gives an answer's `Aanhangselnummer` as one number whose first four
digits are the parliamentary year pair and the rest the sequence number: `161701603` is
number 1603 of 2016-2017, `ah-tk-20162017-1603`. Code that keeps only the last four
digits (as tkapi does) breaks from number 10000 on, so the whole tail is kept here.
"""

from __future__ import annotations

import re

from ..references import OFFICIAL_BASE, OFFICIAL_ID_RE, document_url, official_url

__all__ = ["OFFICIAL_BASE", "aanhangsel_id", "citation_label", "document_url", "official_url"]
_VERGADERJAAR_RE = re.compile(r"^(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$")


def aanhangsel_id(nummer: str | int | None, vergaderjaar: str | None = None,
                  chamber: str = "tk") -> str | None:  # fmt: skip
    """The official id for an Aanhangselnummer, or None when the number is not one.

    `vergaderjaar` ("2016-2017") is used only for a bare sequence number (four digits or
    fewer) that carries no year pair of its own.
    """
    digits = str(nummer).strip() if nummer is not None else ""
    if not digits.isdigit():
        return None
    if len(digits) <= 4:
        years = _years_of(vergaderjaar)
        sequence = int(digits)
        return f"ah-{chamber}-{years[0]}{years[1]}-{sequence}" if years and sequence else None
    first, second = int(digits[:2]), int(digits[2:4])
    if (first + 1) % 100 != second:
        return None  # no year pair: "1617" is 2016-2017, "1699" is nothing
    start = (1900 if first >= 90 else 2000) + first  # the Aanhangsel is online from 1995
    sequence = int(digits[4:])
    return f"ah-{chamber}-{start}{start + 1}-{sequence}" if sequence else None


def _years_of(vergaderjaar: str | None) -> tuple[int, int] | None:
    match = _VERGADERJAAR_RE.match((vergaderjaar or "").strip())
    if not match:
        return None
    start = int(match.group(1))
    return start, start + 1


def citation_label(ah_id: str) -> str | None:
    """"Aanhangsel Handelingen II 2016/17, nr. 1603" for "ah-tk-20162017-1603"."""
    match = OFFICIAL_ID_RE.match(ah_id.strip().lower())
    if not match:
        return None
    chamber = "II" if match.group(1) == "tk" else "I"
    start, end = match.group(2), match.group(3)
    return f"Aanhangsel Handelingen {chamber} {start}/{end[2:]}, nr. {int(match.group(4))}"

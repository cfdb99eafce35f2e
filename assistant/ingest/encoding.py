"""Decoding a .txt letter whose encoding nobody told us.

Letters are saved as UTF-8 (with or without a byte-order mark) or UTF-16 (Windows
"Unicode"); an older Windows program writes Windows-1252 ("Latin-1"). UTF-8 is tried
first because it almost never decodes text that is not UTF-8. When it fails the file is
either Windows-1252 throughout (no valid multi-byte UTF-8 sequence in it) or UTF-8 with a
few damaged bytes; both are read, and `Decoded.warning` says the text may be garbled, so
the caller can tell the user "this file was re-encoded" instead of indexing it silently.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .limits import FileProblemError

# A valid UTF-8 sequence of two to four bytes (the non-ASCII characters of UTF-8 text).
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")  # fmt: skip
# Share of control characters (other than line breaks and tabs) that makes text binary:
# a real letter has none; an image or executable renamed to .txt has many.
_BINARY_SHARE = 0.01


@dataclass
class Decoded:
    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "utf-8 (damaged)"
    warning: str | None = None  # set when the text needed a fallback and may be garbled

    @property
    def reencoded(self) -> bool:
        return self.warning is not None


def decode_text(data: bytes) -> Decoded:
    """Decode a text file's bytes (see the module docstring). Raises FileProblemError when the
    bytes are no text at all."""
    utf16 = _utf16(data)
    if utf16:
        decoded = Decoded(data.decode(utf16, errors="replace").lstrip("\ufeff"), "utf-16")
    elif data.startswith(codecs.BOM_UTF8):
        decoded = _utf8(data[3:], "utf-8-sig")
    else:
        decoded = _utf8(data, "utf-8")
    _refuse_binary(decoded.text)
    return decoded


def _utf16(data: bytes) -> str | None:
    """"utf-16", "utf-16-le" or "-be" when the bytes are UTF-16 (by BOM, or by the zero
    bytes every ASCII character has in UTF-16), else None."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    odd_zeros, even_zeros = sample[1::2].count(0), sample[0::2].count(0)
    if odd_zeros > 0.4 * half and even_zeros < 0.05 * half:
        return "utf-16-le"
    if even_zeros > 0.4 * half and odd_zeros < 0.05 * half:
        return "utf-16-be"
    return None


def _utf8(data: bytes, name: str) -> Decoded:
    try:
        return Decoded(data.decode("utf-8"), name)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    valid = len(_UTF8_MULTIBYTE.findall(data))
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if valid > bad:  # UTF-8 with a few damaged bytes: keep its accents, mark the damage
        return Decoded(text, "utf-8 (damaged)",
                       f"not valid UTF-8 ({bad} damaged byte(s), the first at byte "
                       f"{first_bad}); they were replaced by \ufffd")  # fmt: skip
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252",
                   "not UTF-8; read as Windows-1252 (Latin-1) text, so check accented "
                   "letters, or save the file as UTF-8")  # fmt: skip


def _refuse_binary(text: str) -> None:
    sample = text[:100_000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f")
    if sample and controls > _BINARY_SHARE * len(sample):
        raise FileProblemError("is not a text file (binary content); a letter as .txt must be "
                          "plain text, or use the .pdf or .docx itself")  # fmt: skip

"""Row shapes shared by the SQL backends: documents and passages to and from table rows.

Both backends keep the same fields in the same columns (SQLite and PostgreSQL), so the
conversion lives here once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from ..documents import Document, Passage
from .base import DocumentRow, LetterFacets, LetterRecord, day_number

# Document columns in table order (after the internal integer id).
DOC_COLUMNS = ("doc_id", "kind", "title", "source", "date", "day", "ons_kenmerk", "uw_kenmerk",
               "aanhangsel", "questioner", "party", "minister", "ministry", "pages", "origin",
               "questions_numbered", "n_passages", "path", "size", "mtime_ns", "external_id",
               "version", "gen")  # fmt: skip
PASSAGE_COLUMNS = ("id", "doc", "seq", "passage_id", "questions", "question_text",
                   "answer_text", "page", "footnotes", "refers_to", "n_tokens", "procedural",
                   "sample")  # fmt: skip
# Passages read for display (hits, letters): everything but the search-only columns.
PASSAGE_SHOWN = "p.passage_id, p.questions, p.question_text, p.answer_text, p.page, " \
                "p.footnotes, p.refers_to, d.doc_id"  # fmt: skip
DOC_SHOWN = "d." + ", d.".join(DOC_COLUMNS)


def doc_values(rec: LetterRecord, gen: int) -> tuple[Any, ...]:
    d = rec.document
    return (d.doc_id, d.kind, d.title, d.source, d.date, day_number(d.date), d.ons_kenmerk,
            d.uw_kenmerk, d.aanhangsel, d.questioner, d.party, d.minister, d.ministry, d.pages,
            rec.origin, json.dumps(rec.questions_numbered), len(rec.passages), rec.path,
            rec.size, rec.mtime_ns, rec.external_id, rec.version, gen)  # fmt: skip


def document_row(row: Sequence[Any]) -> DocumentRow:
    """A DocumentRow from the DOC_COLUMNS values of one row. Every value is checked: a row
    read from disk is untrusted, and a wrong type raises ValueError (the store reports the
    index as damaged) instead of failing somewhere later."""
    v = dict(zip(DOC_COLUMNS, row))
    for name in ("doc_id", "kind", "title", "source", "origin"):
        _check(v[name], str, f"documents.{name}", optional=False)
    for name in ("date", "ons_kenmerk", "uw_kenmerk", "aanhangsel", "questioner", "party",
                 "minister", "ministry", "path", "external_id", "version"):  # fmt: skip
        _check(v[name], str, f"documents.{name}")
    for name in ("day", "pages", "n_passages", "size", "mtime_ns", "gen"):
        _check(v[name], int, f"documents.{name}", optional=name not in ("day", "n_passages"))
    doc = Document(doc_id=v["doc_id"], title=v["title"], source=v["source"], kind=v["kind"],
                   date=v["date"], ons_kenmerk=v["ons_kenmerk"], uw_kenmerk=v["uw_kenmerk"],
                   aanhangsel=v["aanhangsel"], questioner=v["questioner"], party=v["party"],
                   minister=v["minister"], ministry=v["ministry"], pages=v["pages"])  # fmt: skip
    return DocumentRow(doc, v["origin"], v["n_passages"] or 0,
                       json_list(v["questions_numbered"] or "[]", int,
                                 "documents.questions_numbered"),
                       v["path"], v["external_id"], v["version"], v["size"],
                       v["mtime_ns"])  # fmt: skip


def _check(value: Any, kind: type, what: str, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ValueError(f"{what} holds {type(value).__name__} {str(value)[:40]!r}, "
                         f"not {kind.__name__}")  # fmt: skip


def json_list(text: Any, kind: type, what: str) -> list[Any]:
    """A JSON list of `kind` values stored in a text column; ValueError when it is none."""
    _check(text, str, what, optional=False)
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{what} is not JSON ({exc})") from exc
    if not isinstance(value, list):
        raise ValueError(f"{what} holds {type(value).__name__}, not a list")
    for item in value:
        _check(item, kind, f"an item of {what}", optional=False)
    return value


def passage_values(key: int, doc: int, seq: int, passage_id: str, passage: Passage,
                   n_tokens: int, procedural: bool) -> tuple[Any, ...]:  # fmt: skip
    return (key, doc, seq, passage_id, json.dumps(passage.questions), passage.question_text,
            passage.answer_text, passage.page, json.dumps(passage.footnotes, ensure_ascii=False),
            json.dumps(passage.refers_to), n_tokens, procedural, sample_value(key))  # fmt: skip


def passage_row(row: Sequence[Any]) -> Passage:
    """A Passage from the PASSAGE_SHOWN values of one row (checked as in document_row)."""
    pid, questions, q_text, a_text, page, footnotes, refers, doc_id = row
    for value, name in ((pid, "passage_id"), (q_text, "question_text"),
                        (a_text, "answer_text"), (doc_id, "doc_id")):  # fmt: skip
        _check(value, str, f"passages.{name}", optional=False)
    _check(page, int, "passages.page")
    return Passage(passage_id=pid, doc_id=doc_id,
                   questions=json_list(questions, int, "passages.questions"),
                   question_text=q_text, answer_text=a_text, page=page,
                   footnotes=json_list(footnotes, str, "passages.footnotes"),
                   refers_to=json_list(refers, int, "passages.refers_to"))  # fmt: skip


def sample_value(key: int) -> float:
    """A fixed pseudo-random number in [0, 1) per passage key (Knuth's multiplicative hash):
    the calibration sample is the passages with the smallest values."""
    return ((key * 2654435761) % 4294967296) / 4294967296


def chunks(values: Sequence[Any], size: int = 900) -> Iterator[Sequence[Any]]:
    """Slices short enough for one SQL IN (...) list."""
    for i in range(0, len(values), size):
        yield values[i:i + size]


def same_letter_sql(placeholder: str) -> str:
    """Documents that are the same letter as a new one (see LetterRecord.conflict).

    Parameters: kind, external_id, path (corpus letters only), then the keys' array/list.
    """
    p = placeholder
    return (f"SELECT {DOC_SHOWN} FROM documents d WHERE d.kind = {p} AND ("
            f"(d.external_id IS NOT NULL AND d.external_id = {p}) OR "
            f"(d.origin = 'corpus' AND d.path IS NOT NULL AND d.path = {p}) OR "
            f"d.id IN (SELECT doc FROM doc_keys WHERE key IN ({{keys}})))")


def find_documents_query(placeholder: str, ref: str, key: str) -> tuple[str, list[str]]:
    """The SQL and arguments for the documents one reference names, compared literally (no
    LIKE: a `%`, `_` or `\\` in a reference is that character, never a pattern): a doc id
    or its first 6+ hexadecimal characters, the file name with or without its suffix, the
    corpus path, the official id, or the normalised kenmerk / zaak / Aanhangsel `key`."""
    p = placeholder
    low = ref.lower()
    hexa = len(low) >= 6 and all(c in "0123456789abcdef" for c in low)
    prefix = low if hexa else ""  # "" is no prefix: the length test fails
    sql = (f"SELECT {DOC_SHOWN} FROM documents d WHERE d.doc_id = {p} "
           f"OR (length({p}) >= 6 AND substr(d.doc_id, 1, length({p})) = {p}) "
           f"OR d.source = {p} OR substr(d.source, 1, length({p}) + 1) = {p} || '.' "
           f"OR d.path = {p} OR d.external_id = {p} "
           f"OR d.id IN (SELECT doc FROM doc_keys WHERE key = {p}) "
           "ORDER BY d.day DESC, d.doc_id")  # fmt: skip
    return sql, [low, prefix, prefix, prefix, ref, ref, ref, ref, ref, key]


# -- "all answers": the letters of some passages, filtered and counted by facet -----------
FACETS = ("year", "ministry", "minister", "party", "questioner")
# Ministries renamed over the years: an earlier name → the name the ministry bears now (or
# last bore). Facets count them as one ministry, shown with every name the letters use, and
# a filter on either name finds both. Only renames, never splits or mergers of ministries.
RENAMED_MINISTRIES = {
    "Justitie": "Justitie en Veiligheid",  # until 2010
    "Veiligheid en Justitie": "Justitie en Veiligheid",  # 2010–2017
    "Verkeer en Waterstaat": "Infrastructuur en Waterstaat",  # until 2010
    "Infrastructuur en Milieu": "Infrastructuur en Waterstaat",  # 2010–2017
    "Landbouw, Natuur en Voedselkwaliteit": "Landbouw, Visserij, Voedselzekerheid en Natuur",
    "Onderwijs, Cultuur en Wetenschappen": "Onderwijs, Cultuur en Wetenschap",  # misspelt
    "Wonen en Rijksdienst": "Volkshuisvesting en Ruimtelijke Ordening",  # 2012–2017 (minister)
}


def canonical_ministry(name: str) -> str:
    """The name a ministry is counted under (its current one)."""
    return RENAMED_MINISTRIES.get(name.strip(), name.strip())


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _canonical_sql(column: str) -> str:
    whens = " ".join(f"WHEN {_literal(old)} THEN {_literal(new)}"
                     for old, new in RENAMED_MINISTRIES.items())  # fmt: skip
    return f"CASE {column} {whens} ELSE {column} END"


# Each multi-valued column as one '|'-separated string: questioners ("A, B en C"), parties
# ("SP, D66"), ministries ("X; Y") and answerers ("minister X en staatssecretaris Y").
_SPLIT_SOURCES = {
    "year": "substr(d.date, 1, 4)",
    "questioner": "replace(replace(d.questioner, ' en ', '|'), ', ', '|')",
    "party": "replace(d.party, ', ', '|')",
    "ministry": "replace(d.ministry, '; ', '|')",
    "minister": "replace(replace(d.minister, ' en minister ', '|minister '), "
                "' en staatssecretaris ', '|staatssecretaris ')",
}


def record_sql(find: str, keys: str, placeholder: str,
               wanted: dict[str, list[str]]) -> tuple[str, list[str]]:  # fmt: skip
    """The one query of "all answers" (both backends): which of some passages belong to
    letters within the facet filters, and those letters counted per facet value.

    find: the dialect's position function (SQLite instr, PostgreSQL strpos); keys: a
    subquery listing the passage keys from one parameter (json_each / unnest). wanted:
    facet → values (any of them; lower-case compare, ministries by canonical name).
    Rows: ('key', doc_id, date, passage key) for the passages kept; ('count', facet,
    value, letters); ('name', value, name, 0) for each name a counted ministry goes by.
    Letters are counted once per value (COUNT DISTINCT), a letter of several parties once
    under each. Returns the SQL and the parameters that follow the keys parameter.
    """
    p = placeholder
    raw = " UNION ALL ".join(
        f"SELECT d.id, '{facet}', {expr} || '|' FROM documents d JOIN hit ON hit.doc = d.id "
        f"WHERE {expr} IS NOT NULL" for facet, expr in _SPLIT_SOURCES.items())  # fmt: skip
    filters, params = "", []
    for facet, values in wanted.items():
        if facet not in FACETS or not values:
            continue
        asked = [canonical_ministry(v) if facet == "ministry" else v for v in values]
        filters += (f" AND doc IN (SELECT doc FROM vals WHERE facet = '{facet}' AND "
                    f"lower(value) IN ({', '.join([p] * len(asked))}))")
        params += [v.strip().lower() for v in asked]
    sql = f"""
WITH RECURSIVE k(id) AS ({keys}),
hit AS (SELECT DISTINCT p.doc AS doc FROM passages p WHERE p.id IN (SELECT id FROM k)),
raw(doc, facet, rest) AS ({raw}),
split(doc, facet, value, rest) AS (
  SELECT doc, facet, CAST(NULL AS TEXT), rest FROM raw
  UNION ALL
  SELECT doc, facet, trim(substr(rest, 1, {find}(rest, '|') - 1)),
         substr(rest, {find}(rest, '|') + 1) FROM split WHERE rest <> ''),
named AS (SELECT DISTINCT doc, facet, value AS name FROM split
          WHERE value IS NOT NULL AND value <> ''),
vals AS (SELECT doc, facet, name,
                CASE WHEN facet = 'ministry' THEN {_canonical_sql('name')} ELSE name END
                AS value FROM named),
sel AS (SELECT doc FROM hit WHERE true {filters})
SELECT 'key', d.doc_id, d.date, p.id FROM passages p JOIN documents d ON d.id = p.doc
  WHERE p.doc IN (SELECT doc FROM sel) AND p.id IN (SELECT id FROM k)
UNION ALL
SELECT 'count', facet, value, count(DISTINCT doc) FROM vals
  WHERE doc IN (SELECT doc FROM sel) GROUP BY facet, value
UNION ALL
SELECT DISTINCT 'name', value, name, 0 FROM vals
  WHERE facet = 'ministry' AND doc IN (SELECT doc FROM sel)"""
    return sql, params


def letter_facets(rows: Sequence[Sequence[Any]]) -> LetterFacets:
    """The rows of record_sql as LetterFacets (names sorted, the current name first)."""
    out = LetterFacets({}, {facet: {} for facet in FACETS}, {})
    for tag, a, b, n in rows:
        if tag == "key":
            out.kept[int(n)] = (a, b)
        elif tag == "count":
            out.counts.setdefault(a, {})[b] = int(n)
        else:
            out.names.setdefault(a, []).append(b)
    for value, names in out.names.items():
        names.sort(key=lambda name: (name != value, name))
    return out

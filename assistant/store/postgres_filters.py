"""SQL pieces of the shared store's searches: filters as SQL, and the BM25 candidate query.

Filters restrict each signal inside its own query (documents by doc id, dates by the
documents' day or, for units, by the unit-id range base.day_range gives), so a filtered
search still returns its n best rows.
"""

from __future__ import annotations

from typing import Any

from .base import DAY_SHIFT, Filters, day_range

# Passages with any of the terms, best first by the BM25 the search itself computes
# (lexical.bm25): idf from lex_terms' exact df, tf from the tsvector's positions (1..tf),
# length from n_tokens. Only the query's lexemes of each matching passage are unnested.
LEXICAL_SQL = """
WITH m AS (SELECT max(value::float8) FILTER (WHERE key = 'passages') AS n,
                  max(value::float8) FILTER (WHERE key = 'tokens') AS t
           FROM meta WHERE key IN ('passages', 'tokens')),
     q AS (SELECT l.term, ln(1 + (m.n - l.df + 0.5) / (l.df + 0.5)) AS idf
           FROM lex_terms l, m WHERE l.term = ANY(%(terms)s) AND l.df > 0)
SELECT p.id FROM passages p {join}
CROSS JOIN LATERAL (
  SELECT sum(q.idf * cardinality(x.positions)
             / (cardinality(x.positions) + %(k1)s * (1 - %(b)s + %(b)s
                * p.n_tokens / greatest((SELECT t / n FROM m), 1e-9)))) AS score
  FROM unnest(ts_delete(p.lex, tsvector_to_array(ts_delete(p.lex, %(terms)s))))
       AS x JOIN q ON q.term = x.lexeme) r
WHERE p.lex @@ %(query)s::tsquery {where}
ORDER BY r.score DESC NULLS LAST, p.id LIMIT %(n)s"""


def unit_filter(filters: Filters) -> tuple[str, dict[str, Any]]:
    """(where, params) restricting units (alias u) to the filters."""
    where, params = "", dict[str, Any]()
    if filters.doc_ids:
        where += (" AND u.passage IN (SELECT fp.id FROM passages fp JOIN documents fd "
                  "ON fd.id = fp.doc WHERE fd.doc_id = ANY(%(docs)s))")
        params["docs"] = list(filters.doc_ids)
    if filters.date_from or filters.date_to:  # a date range is a unit-id range
        params["low"], params["high"] = day_range(filters.date_from, filters.date_to)
        where += " AND u.id >= %(low)s AND u.id < %(high)s"
    return where, params


def passage_filter(filters: Filters, alias: str,
                    column: str = "id") -> tuple[str, str, dict[str, Any]]:  # fmt: skip
    """(join, where, params) restricting rows whose passage key is alias.column."""
    if not filters:
        return "", "", {}
    join = (f"JOIN passages fp ON fp.id = {alias}.{column} "
            "JOIN documents fd ON fd.id = fp.doc")
    where, params = "", dict[str, Any]()
    if filters.doc_ids:
        where += " AND fd.doc_id = ANY(%(fdocs)s)"
        params["fdocs"] = list(filters.doc_ids)
    if filters.date_from or filters.date_to:
        low, high = day_range(filters.date_from, filters.date_to)
        where += " AND fd.day >= %(flow)s AND fd.day < %(fhigh)s"
        params["flow"], params["fhigh"] = low >> DAY_SHIFT, (high + 1) >> DAY_SHIFT
    return join, where, params


"""The corruption harness on PostgreSQL (issue #25, item 4): the shared store's tables
damaged in turn, on a real server.

PostgreSQL keeps pages and column types sound itself, so the damage here is what the
assistant stores as text or counts: a meta counter that is no number, a missing meta or
schema row, a dimension the vector column does not have, JSON columns that do not parse
or have the wrong shape, a missing row the counters still count, a missing table. Each
is one "damaged" line (exit 2) from `ask` and `list`, or, where reading cannot notice (a
passage missing, its units gone with it), a working `ask`; then `assistant index --force
--store URL` moves the damaged tables into a schema of their own (said where), builds the
index anew with the letter the user added, and names the imported letter it cannot bring
back. Before: tracebacks, "build a new one", and `index --force` refused PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from pg_server import PgServer
from store_letters import letter_text
from test_bad_input import one_error

from assistant.ingest.parse import parse_pages
from assistant.search import Searcher
from assistant.store import open_store
from assistant.store.base import IMPORTED
from assistant.store.build import add_files, sync
from assistant.store.embed import Embedder
from assistant.store.records import letter_record
from tests.conftest import run_cli

pytestmark = pytest.mark.timeout(420)

QUESTION = "Wie vangt de zwerfkatten van de veerboot op?"
_numbers = itertools.count()


@pytest.fixture(scope="module")
def pg_base(tmp_path_factory: pytest.TempPathFactory, pg_server: PgServer,
            embedder: Embedder) -> tuple[Path, str]:  # fmt: skip
    """A template database holding a small index (a corpus letter, an added letter, an
    imported letter), and the corpus folder."""
    root = tmp_path_factory.mktemp("corruption-pg")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "fietsen.txt").write_text(letter_text("fietsen"), encoding="utf-8")
    url = pg_server.new_database("corrupt_base")
    store, _ = sync(corpus, url, embedder=embedder)
    katten = root / "katten.txt"
    katten.write_text(letter_text("katten"), encoding="utf-8")
    assert add_files([katten], store, embedder)[0].status == "added"
    molens = parse_pages([letter_text("molens")], "molens.txt")
    store.write([letter_record(molens, embedder, IMPORTED, external_id="ah-tk-molens")])
    store.close()
    return corpus, url.rsplit("/", 1)[1]


@pytest.fixture
def damaged_copy(pg_server: PgServer, pg_base: tuple[Path, str]) -> str:
    """A fresh copy of the template database; its URL."""
    name = f"corrupt_case_{next(_numbers)}"
    with pg_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_base[1]}"')
    return pg_server.url(name)


Damage = Callable[[psycopg.Connection], None]


def sql(statement: str) -> Damage:
    return lambda conn: conn.execute(statement)


# (id, SQL that damages, what `ask` does, what `list` does)
CASES = [
    ("meta-counter-text", "UPDATE meta SET value = 'abc' WHERE key = 'documents'", "damaged",
     "damaged"),
    ("meta-generation-text", "UPDATE meta SET value = 'x1' WHERE key = 'generation'",
     "damaged", "damaged"),
    ("meta-counter-negative", "UPDATE meta SET value = '-3' WHERE key = 'units'", "damaged",
     "damaged"),
    ("meta-counter-missing", "DELETE FROM meta WHERE key = 'tokens'", "damaged", "damaged"),
    ("meta-dim-512", "UPDATE meta SET value = '512' WHERE key = 'dim'", "damaged", "damaged"),
    ("meta-dim-text", "UPDATE meta SET value = 'groot' WHERE key = 'dim'", "damaged",
     "damaged"),
    ("meta-model-missing", "DELETE FROM meta WHERE key = 'model'", "damaged", "damaged"),
    ("meta-units-version-missing", "DELETE FROM meta WHERE key = 'units_version'", "damaged",
     "damaged"),
    ("schema-row-missing", "DELETE FROM assistant_schema", "damaged", "damaged"),
    ("schema-row-twice", "INSERT INTO assistant_schema (version) SELECT version FROM "
     "assistant_schema", "damaged", "damaged"),
    ("documents-json", "UPDATE documents SET questions_numbered = '{x'", "damaged", "damaged"),
    ("documents-json-type", "UPDATE documents SET questions_numbered = '{\"a\": 1}'",
     "damaged", "damaged"),
    ("passages-questions-json", "UPDATE passages SET questions = '[x'", "damaged", "works"),
    ("passages-footnotes-type", "UPDATE passages SET footnotes = '[1, 2]'", "damaged",
     "works"),
    ("passages-refers-null", "UPDATE passages SET refers_to = 'null'", "damaged", "works"),
    ("passages-row-missing", "DELETE FROM passages WHERE id = (SELECT min(id) FROM passages)",
     "works", "works"),
    ("units-kind-unknown", "UPDATE units SET kind = 7", "damaged", "works"),
    ("table-units-missing", "DROP TABLE units", "damaged", "damaged"),
    ("table-meta-missing", "DROP TABLE meta", "damaged", "damaged"),
]  # fmt: skip


@pytest.mark.parametrize("statement, ask, listing",
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])  # fmt: skip
def test_damaged_table_is_one_line_and_index_force_mends_it(
        damaged_copy: str, pg_base: tuple[Path, str], embedder: Embedder, statement: str,
        ask: str, listing: str) -> None:  # fmt: skip
    url = damaged_copy
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.encode())
    name = url.rsplit("/", 1)[1]
    fix = f"assistant index --force --store {url}"
    asked = run_cli("ask", QUESTION, "--store", url, "--json", "-k", "3")
    if ask == "damaged":
        one_error(asked, f"the index in the database {name} on 127.0.0.1", "is damaged", fix)
    else:
        assert asked.returncode == 0 and json.loads(asked.stdout)["hits"], asked.stderr
    listed = run_cli("list", "--store", url)
    if listing == "damaged":
        one_error(listed, "is damaged", fix)
    else:
        assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr

    mended = run_cli("index", "--corpus", str(pg_base[0]), "--store", url, "--force")
    assert mended.returncode == 0 and "Traceback" not in mended.stderr, mended.stderr
    assert "the damaged index tables were moved to the schema damaged_" in mended.stderr
    assert "katten.txt: a letter you added, indexed again" in mended.stderr
    assert "assistant import" in mended.stderr  # the imported letter cannot come back
    with psycopg.connect(url) as conn:  # nothing was dropped: the damaged tables are kept
        kept = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname LIKE "
                            "'damaged%%'").fetchone()  # fmt: skip
        assert kept and kept[0] >= 7
    store = open_store(url)
    try:
        assert store.check() == []
        hits = Searcher(store, embedder).search(QUESTION, k=3).hits
        assert hits and hits[0].document.source == "katten.txt"
        assert {r.document.source for r in store.documents()} >= {"fietsen.txt", "katten.txt"}
    finally:
        store.close()


def test_index_force_on_a_sound_database_moves_nothing(
        damaged_copy: str, pg_base: tuple[Path, str]) -> None:  # fmt: skip
    mended = run_cli("index", "--corpus", str(pg_base[0]), "--store", damaged_copy, "--force")
    assert mended.returncode == 0, mended.stderr
    assert "moved" not in mended.stderr and "assistant import" not in mended.stderr
    with psycopg.connect(damaged_copy) as conn:
        row = conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'damaged%%'"
                           ).fetchone()  # fmt: skip
        assert row and row[0] == 0

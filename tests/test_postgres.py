"""The PostgreSQL store on a real server: bad input (each one `error:` line, exit 2, nothing
written, no password shown), the schema version, the model, and copying an embedded index
into PostgreSQL without embedding again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pg_server import KVA_PASSWORD, KVA_USER, PgServer, free_port, start

from assistant.search import Filters
from assistant.store import Store, open_store
from assistant.store.base import StoreConfig, StoreError
from assistant.store.copy import copy_store
from assistant.store.postgres_schema import SCHEMA_VERSION, redact
from tests.conftest import CORPUS, run_cli
from tests.test_store_processes import CATS, new_letter


def one_error(args: list[str], *expected: str) -> str:
    """Run the CLI; it must fail with exit 2 and one `error:` line containing `expected`."""
    proc = run_cli(*args)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip


@pytest.fixture
def seeded(pg_server: PgServer, seed_index_dir: Path) -> Iterator[str]:
    """A fresh database holding the seed index, copied from the embedded one."""
    url = pg_server.new_database("seeded")
    with open_store(seed_index_dir) as src, open_store(url, src.config) as dst:
        copy_store(src, dst)
    yield url


def test_passwords_are_redacted() -> None:
    assert redact("postgresql://kva:s3cr@t!@db.example:5433/kva?sslmode=require") == \
        "postgresql://kva:***@db.example:5433/kva?sslmode=require"  # fmt: skip
    assert redact("postgresql://db/kva?user=kva&password=s3cr&sslmode=require") == \
        "postgresql://db/kva?user=kva&password=***&sslmode=require"  # fmt: skip
    assert redact("postgresql://kva@db/kva") == "postgresql://kva@db/kva"


def test_an_unreachable_server_is_one_line(pg_server: PgServer) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/kva"
    one_error(["list", "--store", url], "cannot reach the PostgreSQL server", "kva on "
              "127.0.0.1", "start it, or correct the host and port")  # fmt: skip


def test_a_wrong_password_is_refused_and_never_shown(pg_server: PgServer) -> None:
    url = pg_server.url("postgres", KVA_USER, "not-the-Secret-42")
    line = one_error(["list", "--store", url], f"refused user {KVA_USER}", "PGPASSWORD")
    assert "not-the-Secret-42" not in line


def test_a_missing_database_says_how_to_create_it(pg_server: PgServer) -> None:
    one_error(["ask", "Telegram?", "--store", pg_server.url("nowhere")],
              "there is no database nowhere", "createdb")  # fmt: skip


def test_a_database_without_an_index_is_not_created_by_readers(pg_server: PgServer) -> None:
    url = pg_server.new_database("empty")
    one_error(["add", str(CORPUS / "000_e7098fd791bfcf62.txt"), "--store", url],
              "no index in the database", "assistant index --store")  # fmt: skip
    assert tables(url) == []


def test_a_server_without_pgvector_writes_nothing(tmp_path: Path) -> None:
    bare = start(without_vector=True)
    try:
        url = bare.new_database("bare")
        one_error(["index", "--corpus", str(CORPUS), "--store", url],
                  "has no pgvector extension", "install pgvector")  # fmt: skip
        assert tables(url) == []
        with pytest.raises(StoreError, match="no pgvector"):
            open_store(url, StoreConfig("m", 384, "1"))
        assert tables(url) == []
    finally:
        bare.stop()


def test_a_user_who_may_not_install_pgvector_is_told_whom_to_ask(pg_server: PgServer,
                                                                  seed_index_dir: Path) -> None:
    url = pg_server.new_database("owned")
    name = url.rsplit("/", 1)[1]
    with pg_server.admin() as conn:
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO {KVA_USER}')
    user_url = pg_server.url(name, KVA_USER, KVA_PASSWORD)
    src = open_store(seed_index_dir)
    with pytest.raises(StoreError, match="ask its owner to run: CREATE EXTENSION vector"):
        open_store(user_url, src.config)
    assert tables(url) == []
    with pg_server.admin(name) as conn:
        conn.execute("CREATE EXTENSION vector")
    with open_store(user_url, src.config) as dst:  # now the user can make the index
        assert copy_store(src, dst).copied == 2
        assert KVA_PASSWORD not in dst.location and "***" in dst.location
    src.close()
    listed = run_cli("list", "--store", user_url)
    assert listed.returncode == 0 and "5236577" in listed.stdout, listed.stderr
    line = one_error(["ask", "Telegram?", "--store", user_url, "--model", "other/model"],
                     "was built with model", "'other/model'")  # fmt: skip
    assert KVA_PASSWORD not in line


@pytest.mark.parametrize("version, advice", [(SCHEMA_VERSION + 1, "upgrade the assistant"),
                                             (0, "build a new index in an empty database")])
def test_another_schema_version_is_refused(seeded: str, version: int, advice: str) -> None:
    with psycopg.connect(seeded, autocommit=True) as conn:
        conn.execute("UPDATE assistant_schema SET version = %s", (version,))
    one_error(["list", "--store", seeded], f"has schema version {version}, this assistant "
              f"needs {SCHEMA_VERSION}", advice)  # fmt: skip
    one_error(["index", "--corpus", str(CORPUS), "--store", seeded], "schema version")
    with psycopg.connect(seeded) as conn:  # nothing was written
        assert conn.execute("SELECT value FROM meta WHERE key = 'documents'").fetchone() == \
            ("2",)  # fmt: skip


def test_another_model_is_refused(seeded: str) -> None:
    one_error(["index", "--corpus", str(CORPUS), "--store", seeded, "--model", "other/model"],
              "was built with model", "not 'other/model'")  # fmt: skip


def test_tables_of_another_application_are_left_alone(pg_server: PgServer) -> None:
    url = pg_server.new_database("foreign")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE documents (id int)")
    one_error(["index", "--corpus", str(CORPUS), "--store", url],
              "not an assistant index", "search_path")  # fmt: skip
    assert tables(url) == ["documents"]


def test_copy_keeps_every_letter_exactly_and_resumes(seeded: str, seed_index_dir: Path,
                                                     pg_server: PgServer) -> None:  # fmt: skip
    with open_store(seed_index_dir) as src, open_store(seeded) as dst:
        assert dst.counts() == src.counts() and dst.generation() == 2
        assert dst.get_meta("corpus") == src.get_meta("corpus")
        for row in src.documents():
            doc_id = row.document.doc_id
            a, b = src.export(doc_id), dst.export(doc_id)
            assert a is not None and b is not None
            assert (a.document, a.keys, a.origin, a.path) == (b.document, b.keys, b.origin, b.path)
            assert src.doc_passages([doc_id], Filters()) == dst.doc_passages([doc_id], Filters())
            for pa, pb in zip(a.passages, b.passages, strict=True):
                assert (pa.passage, pa.stems, pa.articles, pa.kinds, pa.spans) == \
                    (pb.passage, pb.stems, pb.articles, pb.kinds, pb.spans)  # fmt: skip
                assert np.array_equal(pa.vectors, pb.vectors)  # float16, bit for bit
        assert src.sample(10) == dst.sample(10)
        again = copy_store(src, dst)  # a repeated (or resumed) copy changes nothing
        assert (again.copied, again.unchanged, dst.generation()) == (0, 2, 2)
    other = open_store(pg_server.new_database("other"), StoreConfig("other/model", 384, "1"))
    with open_store(seed_index_dir) as src, pytest.raises(StoreError, match="cannot copy"):
        copy_store(src, other)
    other.close()


def test_an_added_letter_keeps_its_file(new_pg: Store, tmp_path: Path) -> None:
    letter = new_letter(tmp_path).rename(tmp_path / "eigen brief.txt")
    added = run_cli("add", str(letter), "--store", new_pg.location)
    assert added.returncode == 0, added.stderr
    doc_id = new_pg.documents()[0].document.doc_id
    assert new_pg.original(doc_id) == ("eigen brief.txt", letter.read_bytes())
    exported = new_pg.export(doc_id)
    assert exported is not None and exported.original == new_pg.original(doc_id)
    removed = run_cli("remove", CATS, "--store", new_pg.location)
    assert removed.returncode == 0, removed.stderr
    with psycopg.connect(new_pg.location) as conn:  # the file went with its letter
        assert conn.execute("SELECT count(*) FROM originals").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM lex_terms").fetchone() == (0,)


@pytest.fixture
def new_pg(pg_server: PgServer, seed_index_dir: Path) -> Iterator[Store]:
    """An empty PostgreSQL store for the seed index's model."""
    with open_store(seed_index_dir) as src:
        config = src.config
    store = open_store(pg_server.new_database("fresh"), config)
    yield store
    store.close()


def test_copy_back_into_a_folder(seeded: str, tmp_path: Path) -> None:
    with open_store(seeded) as src, open_store(tmp_path / "ix", src.config) as dst:
        report = copy_store(src, dst)
        assert (report.copied, dst.counts()) == (2, src.counts())
        for row in src.documents():
            doc_id = row.document.doc_id
            assert src.doc_passages([doc_id], Filters()) == dst.doc_passages([doc_id], Filters())
            a, b = src.export(doc_id), dst.export(doc_id)
            assert a is not None and b is not None
            assert [p.passage for p in a.passages] == [p.passage for p in b.passages]
            assert all(np.array_equal(p.vectors, q.vectors)
                       for p, q in zip(a.passages, b.passages))  # fmt: skip

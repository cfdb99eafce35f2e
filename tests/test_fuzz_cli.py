"""Property tests (Hypothesis) of the command line (issue #25 item 8): whatever a user
types as arguments to `ask`, `list`, `parse`, `remove` and `eval`, the command ends with
exit status 0 and a result, or exit status 2 and exactly one line starting "error:" —
never a traceback.

Arguments are what a command line can carry: any bytes but NUL, decoded as Python decodes
`sys.argv` (bytes that are not UTF-8 become lone surrogates), mixed with values known to
trip programs (dates like 9999-99-99, huge numbers, LIKE and glob characters, options
where words are expected). The commands run in this process on the seed index (the model
loaded once); a few run as real processes with raw bytes as arguments.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click.testing
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from assistant.cli import run
from assistant.search import Searcher
from assistant.store.embed import Embedder
from tests.conftest import ROOT

TRICKY = ["9999-99-99", "2300-01-01", "0000-00-00", "2024-02-30", "1e400", "-1", "0",
          str(10**30), "99999999999999999999999", "NaN", "%", "_", "\\", "*", "?", "[", "[!",
          "0%", "000_e7098fd791bfcf62", "e7098f", "%_%", "5236577", "5236577 vraag 13",
          "vraag 99999999999999999999", "--json", "-k", "--index", "--after", "--limit", "-",
          "--", "", " ", "\t", "\n", "\x1b[31m", "\x7f", "\u202e", "\udcff", "\udc80\udc80",
          "../../etc/passwd", "/", ".", "~", "a" * 5000, "Telegram", "Kan Telegram verboden "
          "worden?", "2024-11-08", "ah-tk-20242025-999", "＊", "٥٢٣٦٥٧٧"]  # fmt: skip
# A command-line argument: bytes without NUL, decoded as Python decodes sys.argv.
ARGV_BYTES = st.binary(max_size=40).filter(lambda b: b"\x00" not in b).map(os.fsdecode)
ARGV_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]),
                    max_size=40)  # fmt: skip
ARG = st.one_of(st.sampled_from(TRICKY), ARGV_TEXT, ARGV_BYTES)
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])  # fmt: skip


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, seed_index_dir: Path,
            embedder: Embedder) -> Iterator[Path]:  # fmt: skip
    """A folder to run in (no default index or corpus there) holding a copy of the seed
    index as `index`; the commands' searcher uses the session's model."""
    folder = tmp_path_factory.mktemp("fuzz-cli")
    shutil.copytree(seed_index_dir, folder / "index")
    before = os.getcwd()
    os.chdir(folder)
    patch = pytest.MonkeyPatch()
    patch.setattr("assistant.cli.read.make_searcher", lambda store: Searcher(store, embedder))
    patch.delenv("ASSISTANT_STORE", raising=False)
    patch.delenv("ASSISTANT_INDEX", raising=False)
    try:
        yield folder
    finally:
        patch.undo()
        os.chdir(before)


def cli(args: list[str]) -> tuple[int, str, str]:
    """Run `assistant ARGS` in this process: (exit status, stdout, stderr). An exception
    other than the exit escapes: that is a traceback for the user."""
    runner = click.testing.CliRunner()
    with runner.isolation() as (out, err, _):
        code = 0
        try:
            run(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        with contextlib.suppress(ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        return code, out.getvalue().decode("utf-8", "replace"), err.getvalue().decode(
            "utf-8", "replace")  # fmt: skip


def assert_clear(args: list[str], code: int, out: str, err: str) -> None:
    """Exit 0 with a result, or exit 2 with exactly one line starting "error:"."""
    assert "Traceback" not in out + err, (args, err)
    event(f"exit {code}" + (f": {err.split(';')[0][:40]}" if code else ""))
    if code == 0:
        assert out.strip(), (args, err)
        return
    lines = err.strip("\n").split("\n")
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (args, code, err)
    assert len(lines[0]) < 2000, args


@pytest.mark.timeout(600)
@SETTINGS
@given(words=st.lists(ARG, max_size=4), k=st.none() | ARG | st.integers(-10**20, 10**20),
       after=st.lists(ARG, max_size=2), as_json=st.booleans())  # fmt: skip
@example(words=["\udcff"], k=None, after=[], as_json=True)
@example(words=["Telegram"], k=None, after=["\udcff\x1b]0;x\x07"], as_json=True)
@example(words=["-"], k=None, after=[], as_json=False)
def test_ask_says_a_result_or_one_error_line(workdir: Path, words: list[str],
                                             k: object, after: list[str],
                                             as_json: bool) -> None:  # fmt: skip
    args = ["ask", *words, "--index", "index"]
    if k is not None:
        args += ["-k", str(k)]
    for question in after:
        args += ["--after", question]
    if as_json:
        args.append("--json")
    code, out, err = cli(args)
    assert_clear(args, code, out, err)
    if code == 0 and as_json:
        json.loads(out)


@pytest.mark.timeout(600)
@SETTINGS
@given(limit=st.none() | ARG | st.integers(-10**20, 10**20), as_json=st.booleans(),
       index=st.sampled_from(["index"]) | ARG)  # fmt: skip
@example(limit=None, as_json=False, index="\n")  # the error was two lines
def test_list_says_a_result_or_one_error_line(workdir: Path, limit: object, as_json: bool,
                                              index: str) -> None:  # fmt: skip
    args = ["list", "--index", index]
    if limit is not None:
        args += ["--limit", str(limit)]
    if as_json:
        args.append("--json")
    code, out, err = cli(args)
    assert_clear(args, code, out, err)


@pytest.mark.timeout(600)
@SETTINGS
@given(refs=st.lists(ARG, min_size=0, max_size=3))
@example(refs=["\udc80"])  # was a UnicodeEncodeError traceback from SQLite
@example(refs=["%"])
@example(refs=["0_0_e7098fd791bfcf62"])
def test_remove_says_a_result_or_one_error_line(workdir: Path, refs: list[str]) -> None:
    args = ["remove", *refs, "--index", "index"]
    code, out, err = cli(args)
    assert_clear(args, code, out, err)
    assert (workdir / "index").is_dir()  # whatever the refs, the index stays an index
    if any(ref in ("%", "_", "*", "?", "0%", "%_%", "[") for ref in refs):
        assert code == 2 or "e7098fd791bfcf62" not in out  # never a pattern


@pytest.mark.timeout(600)
@SETTINGS
@given(name=ARG, as_json=st.booleans())
@example(name="\udcff.txt", as_json=False)
def test_parse_of_any_path_says_a_result_or_one_error_line(workdir: Path, name: str,
                                                           as_json: bool) -> None:  # fmt: skip
    args = ["parse", name] + (["--json"] if as_json else [])
    code, out, err = cli(args)
    assert_clear(args, code, out, err)


EVAL_LINE = st.one_of(
    st.builds(lambda i, lang, q, rel: json.dumps({"id": i, "lang": lang, "q": q, "rel": rel}),
              ARG, st.sampled_from(["en", "nl", "", "xx"]) | ARG, ARG,
              st.lists(st.tuples(ARG, st.integers(-10**20, 10**20) | ARG), max_size=2)),
    st.builds(lambda q, rel: json.dumps({"q": q, "rel": rel}), ARG,
              st.lists(st.lists(ARG | st.integers() | st.none(), max_size=3), max_size=2)),
    st.builds(json.dumps, st.dictionaries(ARG, ARG | st.integers(), max_size=3)),
    ARGV_TEXT,
)  # fmt: skip


@pytest.mark.timeout(600)
@SETTINGS
@given(lines=st.lists(EVAL_LINE, max_size=4), as_json=st.booleans())
@example(lines=['{"id": "\\udc80", "lang": "en", "q": "5236577", "rel": []}'],
         as_json=False)  # a lone surrogate printed in the report: UnicodeEncodeError
@example(lines=['{"q": "\\ud800\\u0000", "rel": []}'], as_json=False)
def test_eval_of_any_question_file_says_a_result_or_one_error_line(
        workdir: Path, lines: list[str], as_json: bool) -> None:  # fmt: skip
    path = workdir / "questions.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")
    args = ["eval", str(path), "--index", "index"] + (["--json"] if as_json else [])
    code, out, err = cli(args)
    assert_clear(args, code, out, err)


@pytest.mark.timeout(600)
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["ask", "remove", "parse", "list"]),
       raw=st.lists(st.binary(min_size=1, max_size=12).filter(lambda b: b"\x00" not in b),
                    min_size=1, max_size=2))  # fmt: skip
@example(command="ask", raw=[b"Telegram \xff\xfe verbod"])
def test_raw_bytes_as_arguments_of_a_real_process(workdir: Path, command: str,
                                                  raw: list[bytes]) -> None:  # fmt: skip
    """As a shell passes them: bytes that are not UTF-8, to a real `python -m assistant`."""
    args: list[bytes] = [command.encode(), *raw]
    if command == "list":
        args = [b"list", b"--limit", raw[0]]
    args += [b"--index", b"index"]
    env = dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable.encode(), b"-m", b"assistant", *args], cwd=workdir,
                          capture_output=True, timeout=240, env=env)  # fmt: skip
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    assert_clear([repr(a) for a in args], done.returncode, out, err)


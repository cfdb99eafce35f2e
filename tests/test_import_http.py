"""The polite HTTP client against a real local server that misbehaves on purpose."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import opendata_fixtures as fx
import opendata_replay as replay
import pytest

from assistant.ingest.opendata.http import FetchError, HttpPolicy, PoliteClient, UnreachableError

pytestmark = pytest.mark.skipif(not fx.available(), reason="../shared fixtures are absent")

FAST = HttpPolicy(timeout=0.5, retries=3, backoff=0.01, max_wait=5, rate=0)


@pytest.fixture
def server() -> Iterator[replay.ReplayServer]:
    with replay.ReplayServer() as srv:
        yield srv


@pytest.fixture
def client() -> Iterator[PoliteClient]:
    with PoliteClient(FAST) as c:
        yield c


def listing(server: replay.ReplayServer) -> str:
    return server.tk_url + "Document"


def test_5xx_answers_are_retried(server: replay.ReplayServer, client: PoliteClient) -> None:
    server.faults["list"].extend([replay.status(500), replay.status(503)])
    page = client.get_json(listing(server), {"$top": "2"})
    assert len(page["value"]) == 2
    assert len(server.requests("list")) == 3 and client.requests == 3


def test_429_retry_after_is_honoured(server: replay.ReplayServer) -> None:
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    server.faults["list"].append(replay.retry_after(1))
    started = time.monotonic()
    with PoliteClient(FAST, sleep=sleep) as client:
        client.get_json(listing(server), {"$top": "1"})
    assert waits == [1.0]  # not the 0.01 s backoff: the server's wish
    assert time.monotonic() - started >= 1.0


def test_retry_after_beyond_max_wait_gives_up_at_once(server: replay.ReplayServer,
                                                      client: PoliteClient) -> None:  # fmt: skip
    server.faults["list"].append(replay.retry_after(600, code=503))
    with pytest.raises(FetchError, match=r"asks to wait 600 s$") as caught:
        client.get_json(listing(server))
    assert caught.value.transient and len(server.requests("list")) == 1


def test_a_slow_answer_times_out_and_is_retried(server: replay.ReplayServer,
                                                client: PoliteClient) -> None:  # fmt: skip
    server.faults["list"].append(replay.sleep(2.0))  # the client waits 0.5 s
    started = time.monotonic()
    page = client.get_json(listing(server), {"$top": "1"})
    assert page["value"] and len(server.requests("list")) == 2
    assert time.monotonic() - started < 1.9  # it did not wait for the slow answer


def test_timeouts_every_time_end_in_one_clear_line(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.sleep(1.0)] * 3)
    policy = HttpPolicy(timeout=0.3, retries=2, backoff=0.01, rate=0)
    with PoliteClient(policy) as client, pytest.raises(FetchError) as caught:
        client.get_json(listing(server))
    message = str(caught.value)
    assert "no answer within 0.3 s" in message and "gave up after 3 tries" in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("honest", [False, True], ids=["cut-connection", "short-body"])
def test_truncated_json_is_retried(server: replay.ReplayServer, client: PoliteClient,
                                   honest: bool) -> None:  # fmt: skip
    server.faults["list"].append(replay.truncate(honest=honest))
    page = client.get_json(listing(server), {"$top": "3"})
    assert len(page["value"]) == 3 and len(server.requests("list")) == 2


def test_json_truncated_every_time_fails_clearly(server: replay.ReplayServer,
                                                 client: PoliteClient) -> None:  # fmt: skip
    server.faults["list"].extend([replay.truncate(honest=True)] * 4)
    with pytest.raises(FetchError, match=r"invalid JSON .*gave up after 4 tries"):
        client.get_json(listing(server))


def test_a_dropped_connection_is_retried(server: replay.ReplayServer,
                                         client: PoliteClient) -> None:  # fmt: skip
    server.faults["list"].append(replay.drop())
    assert client.get_json(listing(server), {"$top": "1"})["value"]
    assert len(server.requests("list")) == 2


def test_not_found_is_not_retried(server: replay.ReplayServer, client: PoliteClient) -> None:
    url = server.tk_url + "Document(00000000-0000-0000-0000-000000000000)/resource"
    with pytest.raises(FetchError, match=r"HTTP 404") as caught:
        client.get(url)
    assert not caught.value.transient and len(server.requests("resource")) == 1


def test_a_closed_port_is_a_network_error() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and is closed now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    policy = HttpPolicy(timeout=0.5, retries=1, backoff=0.01, rate=0)
    with PoliteClient(policy) as client, pytest.raises(UnreachableError) as caught:
        client.get(f"http://127.0.0.1:{port}/OData/v4/2.0/Document")
    assert str(caught.value) == f"cannot reach http://127.0.0.1:{port}: connection refused " \
        "(no service listens there)"  # fmt: skip
    assert client.requests == 1  # a host that never answered: not asked again


def test_requests_keep_to_the_rate_limit(server: replay.ReplayServer) -> None:
    policy = HttpPolicy(timeout=2, retries=0, rate=20)  # one request per 50 ms
    started = time.monotonic()
    with PoliteClient(policy) as client:
        for _ in range(6):
            client.get_json(listing(server), {"$top": "1"})
    assert time.monotonic() - started >= 5 * 0.05 * 0.95


def test_retries_also_keep_to_the_rate_limit(server: replay.ReplayServer) -> None:
    server.faults["list"].extend([replay.status(500)] * 3)
    policy = HttpPolicy(timeout=2, retries=3, backoff=0.0, rate=10)
    started = time.monotonic()
    with PoliteClient(policy) as client:
        client.get_json(listing(server), {"$top": "1"})
    assert time.monotonic() - started >= 3 * 0.1 * 0.95


def test_user_agent_names_the_project(server: replay.ReplayServer,
                                      client: PoliteClient) -> None:  # fmt: skip
    client.get_json(listing(server), {"$top": "1"})
    agent = server.log[-1][2]
    assert agent.startswith("kamervragen-assistant/")

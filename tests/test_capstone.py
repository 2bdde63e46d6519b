"""The capstone: a polite concurrent fetcher, every run on virtual time with exact timings."""

from __future__ import annotations

import asyncio
import math
import signal
import sys
from typing import Any

import pytest
from primer_testing import assert_refused

from asyncio_primer import capstone
from asyncio_primer._support.runner import Printed, run_lesson, virtual_time

DEFAULT_RUN = [
    Printed(0.5, "GET / -> 200"),
    Printed(0.75, "GET /flaky -> 503, retry in 0.5 s"),
    Printed(0.875, "GET /missing -> 404"),
    Printed(1.0, "GET /slow -> timed out after 1 s, retry in 0.5 s"),
    Printed(1.125, "GET /down -> 503, retry in 0.5 s"),
    Printed(1.375, "GET /flaky -> 200"),
    Printed(1.75, "GET /slow -> 200"),
    Printed(1.875, "GET /down -> 503, retry in 1 s"),
    Printed(3.125, "GET /down -> 503, giving up after 3 attempts"),
    Printed(3.125, "at most 2 requests at once; 9 requests in all"),
]
ALL_RESULTS = {
    "/": "200",
    "/slow": "200",
    "/flaky": "200",
    "/missing": "404",
    "/down": "gave up: 503",
}


def test_the_server_answers_as_scripted_and_counts_requests() -> None:
    server = capstone.SimulatedServer({"/": ((503, 1.0), (200, 2.0))})

    async def three_requests() -> list[int]:
        return [await server.get("/"), await server.get("/"), await server.get("/nowhere")]

    run = run_lesson(three_requests)
    assert run.result == [503, 200, 404]
    assert run.elapsed == 3.0  # 1 + 2, and an unknown path answers at once
    assert server.requests == {"/": 2, "/nowhere": 1}
    assert (server.peak, server.in_flight) == (1, 0)


def test_the_server_counts_a_cancelled_request_out() -> None:
    server = capstone.SimulatedServer()

    async def time_out() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(server.get("/slow"), 1.0)

    run = run_lesson(time_out)
    assert run.elapsed == 1.0
    assert (server.peak, server.in_flight) == (1, 0)


def test_fetch_with_retries_default_times_out_then_succeeds() -> None:
    run = run_lesson(capstone.fetch_with_retries)
    assert run.printed == [
        Printed(1.0, "GET /slow -> timed out after 1 s, retry in 0.5 s"),
        Printed(1.75, "GET /slow -> 200"),
    ]
    assert run.result == "200"
    assert run.elapsed == 1.75  # timeout 1 + backoff 0.5 + second answer 0.25


def test_fetch_with_retries_doubles_the_backoff_then_gives_up() -> None:
    run = run_lesson(capstone.fetch_with_retries, "/down", attempts=4, backoff=0.25)
    assert run.printed == [
        Printed(0.25, "GET /down -> 503, retry in 0.25 s"),
        Printed(0.75, "GET /down -> 503, retry in 0.5 s"),
        Printed(1.5, "GET /down -> 503, retry in 1 s"),
        Printed(2.75, "GET /down -> 503, giving up after 4 attempts"),
    ]
    assert run.result == "gave up: 503"
    assert run.elapsed == 2.75  # four answers of 0.25 s, backoffs 0.25 + 0.5 + 1


def test_fetch_with_retries_does_not_retry_a_client_error() -> None:
    server = capstone.SimulatedServer()
    run = run_lesson(capstone.fetch_with_retries, "/missing", server)
    assert run.lines == ["GET /missing -> 404"]
    assert run.result == "404"
    assert run.elapsed == 0.125
    assert server.requests == {"/missing": 1}


def test_fetch_with_retries_gives_up_on_timeouts() -> None:
    run = run_lesson(capstone.fetch_with_retries, "/slow", timeout=0.125, attempts=2)
    assert run.printed == [
        Printed(0.125, "GET /slow -> timed out after 0.125 s, retry in 0.5 s"),
        Printed(0.75, "GET /slow -> timed out after 0.125 s, giving up after 2 attempts"),
    ]
    assert run.result == "gave up: timed out after 0.125 s"
    assert run.elapsed == 0.75  # the second answer (0.25 s) is too slow as well


def test_polite_fetcher_default_run() -> None:
    server = capstone.SimulatedServer()
    run = run_lesson(capstone.polite_fetcher, server=server)
    assert run.printed == DEFAULT_RUN
    assert run.result == ALL_RESULTS
    assert list(run.result) == list(capstone.DEMO_PATHS)
    assert run.elapsed == 3.125
    assert server.peak == 2
    assert server.requests == {"/": 1, "/slow": 2, "/flaky": 2, "/missing": 1, "/down": 3}
    assert run_lesson(capstone.polite_fetcher).printed == DEFAULT_RUN  # its own server


def test_one_page_after_another_would_take_five_and_a_half_seconds() -> None:
    async def sequentially() -> dict[str, str]:
        server = capstone.SimulatedServer()
        return {
            path: await capstone.fetch_with_retries(path, server) for path in capstone.DEMO_PATHS
        }

    run = run_lesson(sequentially)
    assert run.result == ALL_RESULTS
    assert run.elapsed == 5.5  # as the polite_fetcher docstring says; concurrently: 3.125


@pytest.mark.parametrize(("limit", "elapsed"), [(1, 4.125), (2, 3.125), (5, 2.25)])
def test_the_limit_caps_the_requests_in_flight(limit: int, elapsed: float) -> None:
    server = capstone.SimulatedServer()
    run = run_lesson(capstone.polite_fetcher, limit=limit, server=server)
    assert run.result == ALL_RESULTS
    assert server.peak == limit
    assert run.elapsed == elapsed
    assert run.lines[-1] == f"at most {limit} requests at once; 9 requests in all"


def test_one_attempt_each_reports_every_failure() -> None:
    run = run_lesson(capstone.polite_fetcher, attempts=1)
    assert run.result == {
        "/": "200",
        "/slow": "gave up: timed out after 1 s",
        "/flaky": "gave up: 503",
        "/missing": "404",
        "/down": "gave up: 503",
    }
    assert run.elapsed == 1.125  # /down, the last to get a slot, answers at 0.875 + 0.25
    assert run.lines[-1] == "at most 2 requests at once; 5 requests in all"


def test_cancel_the_fetcher_keeps_what_was_fetched() -> None:
    run = run_lesson(capstone.cancel_the_fetcher)
    assert run.printed == [
        *DEFAULT_RUN[:6],
        Printed(1.6, "GET /slow -> cancelled"),
        Printed(1.6, "stopping: 3 pages fetched, abandoned ['/slow', '/down']"),
        Printed(1.6, "the fetcher was cancelled: True"),
    ]
    assert run.result == {"/": "200", "/missing": "404", "/flaky": "200"}
    assert run.elapsed == 1.6  # stopping takes no loop time


def test_cancel_the_fetcher_before_any_answer() -> None:
    run = run_lesson(capstone.cancel_the_fetcher, 0.25)
    assert run.printed == [
        Printed(0.25, "GET / -> cancelled"),
        Printed(0.25, "GET /slow -> cancelled"),
        Printed(0.25, f"stopping: 0 pages fetched, abandoned {list(capstone.DEMO_PATHS)}"),
        Printed(0.25, "the fetcher was cancelled: True"),
    ]
    assert run.result == {}


def test_an_outer_timeout_stops_the_fetcher_the_same_way() -> None:
    async def with_deadline() -> None:
        await asyncio.wait_for(capstone.polite_fetcher(), 1.6)

    run = run_lesson(with_deadline)
    assert isinstance(run.error, asyncio.TimeoutError)
    assert run.lines[-1] == "stopping: 3 pages fetched, abandoned ['/slow', '/down']"
    assert run.elapsed == 1.6


@pytest.mark.skipif(sys.version_info < (3, 11), reason="needs Python 3.11 (asyncio.run and Ctrl-C)")
@pytest.mark.needs("signals")
def test_ctrl_c_cancels_the_fetcher_gracefully(capsys: pytest.CaptureFixture[str]) -> None:
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT has a handler of its own here; asyncio.run would not install its own")

    async def main() -> dict[str, str]:
        with virtual_time():
            loop = asyncio.get_running_loop()
            loop.call_later(1.6, signal.raise_signal, signal.SIGINT)  # Ctrl-C at 1.6 s
            return await capstone.polite_fetcher()

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(main())
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2:] == [
        "GET /slow -> cancelled",
        "stopping: 3 pages fetched, abandoned ['/slow', '/down']",
    ]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


BAD: list[tuple[Any, dict[str, Any], type[Exception], str, str]] = [
    (capstone.polite_fetcher, {"paths": "/"}, ValueError, "'/'", "paths"),
    (capstone.polite_fetcher, {"paths": []}, ValueError, "[]", "paths"),
    (capstone.polite_fetcher, {"paths": ["/", "x"]}, ValueError, "'x'", "paths"),
    (capstone.polite_fetcher, {"limit": 0}, ValueError, "0", "limit"),
    (capstone.polite_fetcher, {"backoff": math.nan}, ValueError, "nan", "backoff"),
    (capstone.fetch_with_retries, {"path": "index.html"}, ValueError, "index.html", "path"),
    (capstone.fetch_with_retries, {"attempts": 0}, ValueError, "0", "attempts"),
    (capstone.cancel_the_fetcher, {"after": -1.0}, ValueError, "-1.0", "after"),
]


@pytest.mark.parametrize(
    ("lesson", "kwargs", "error", "shown", "parameter"),
    BAD,
    ids=[f"{case[0].__name__}-{'-'.join(case[1])}-{n}" for n, case in enumerate(BAD)],
)
def test_bad_arguments_are_refused_before_anything_starts(
    lesson: Any, kwargs: dict[str, Any], error: type[Exception], shown: str, parameter: str
) -> None:
    assert_refused(run_lesson(lesson, **kwargs), error, shown, parameter)


@pytest.mark.parametrize(
    ("site", "error", "shown"),
    [
        ([], TypeError, "[]"),
        ({}, ValueError, "{}"),
        ({"x": ((200, 1.0),)}, ValueError, "'x'"),
        ({"/": ()}, ValueError, "()"),
        ({"/": ((200,),)}, ValueError, "(200,)"),
        ({"/": ((999, 1.0),)}, ValueError, "999"),
        ({"/": ((200, -1.0),)}, ValueError, "-1.0"),
    ],
    ids=[
        "not-a-mapping",
        "empty",
        "bad-path",
        "no-replies",
        "not-a-pair",
        "bad-status",
        "bad-delay",
    ],
)
def test_the_server_refuses_a_bad_site(site: Any, error: type[Exception], shown: str) -> None:
    with pytest.raises(error, match=r"^site\b") as refused:
        capstone.SimulatedServer(site)
    assert shown in str(refused.value)

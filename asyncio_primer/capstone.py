"""Capstone: a polite concurrent fetcher, built from the lessons.

Every page so far taught one tool. A real program uses several at once, and this one is the kind
you will write first: fetch a list of pages from a web server, as fast as the server allows and no
faster. "Polite" means four promises, each kept by a tool from an earlier page:

- **at most a few requests at once**, so the server is not flooded — an :class:`asyncio.Semaphore`
  (:func:`~asyncio_primer.tasks.bounded_concurrency`);
- **no request waits forever** — a :term:`timeout` on each one with :func:`asyncio.wait_for`
  (:func:`~asyncio_primer.cancellation.wait_for_timeout`);
- **a failure is tried again, but not at once** — retries with a :term:`backoff` that doubles, a
  plain loop around the request with :func:`asyncio.sleep` between attempts, and no retry for an
  answer that will not change (``404 Not Found``);
- **stopping is clean** — cancelled from outside (or by Ctrl-C), every request in flight ends,
  the pages already fetched are kept and reported: a :term:`graceful shutdown`
  (:func:`~asyncio_primer.cancellation.propagate_cancellation`).

The server is simulated inside the program (:class:`SimulatedServer`): each page answers after a
scripted delay, with a scripted status, so every run is the same, runs on the primer's
:term:`virtual time`, and needs no network — the page's timeline shows the real schedule. To
point the fetcher at a real server, replace ``server.get(path)`` with a request from an asyncio
HTTP client; nothing else changes.

The fetcher runs its requests with :func:`asyncio.gather` so that it works on every Python the
primer supports. On Python 3.11+ a :class:`asyncio.TaskGroup` is the usual choice; here the two
behave alike, because :func:`fetch_with_retries` turns every failure into a result and never
raises. They differ when the fetcher itself is cancelled: both cancel every request, but only the
task group waits for them all to finish, so with ``gather`` the fetcher waits for them itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from asyncio_primer._registry import exported, lesson
from asyncio_primer._validate import check_delay, check_positive_int

#: The pages of the simulated site: for each path, the ``(status, seconds)`` of its first,
#: second, ... answer (the last one repeats). ``/slow`` is too slow once, ``/flaky`` fails once,
#: ``/down`` always fails, ``/missing`` does not exist.
DEMO_SITE: Mapping[str, Sequence[tuple[int, float]]] = MappingProxyType(
    {
        "/": ((200, 0.5),),
        "/slow": ((200, 3.0), (200, 0.25)),
        "/flaky": ((503, 0.25), (200, 0.125)),
        "/missing": ((404, 0.125),),
        "/down": ((503, 0.25),),
    }
)

#: The pages :func:`polite_fetcher` fetches by default, in order.
DEMO_PATHS: tuple[str, ...] = tuple(DEMO_SITE)


def _check_site(site: object, name: str) -> None:
    if not isinstance(site, Mapping):
        raise TypeError(f"{name} must be a mapping of path to replies, got {site!r}")
    if not site:
        raise ValueError(f"{name} must not be empty, got {site!r}")
    for path, replies in site.items():
        _check_path(path, f"{name} key")
        if isinstance(replies, (str, bytes)) or not isinstance(replies, Sequence) or not replies:
            raise ValueError(f"{name}[{path!r}] must be a non-empty sequence, got {replies!r}")
        for index, reply in enumerate(replies):
            where = f"{name}[{path!r}][{index}]"
            if not (isinstance(reply, tuple) and len(reply) == 2):
                raise ValueError(f"{where} must be a (status, seconds) pair, got {reply!r}")
            status, seconds = reply
            if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status < 600:
                raise ValueError(f"{where} status must be an HTTP status code, got {status!r}")
            check_delay(seconds, where)


def _check_path(path: object, name: str) -> None:
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"{name} must be a path that starts with '/', got {path!r}")


def _check_paths(paths: object, name: str) -> None:
    if isinstance(paths, (str, bytes)) or not isinstance(paths, Sequence) or not paths:
        raise ValueError(f"{name} must be a non-empty sequence of paths, got {paths!r}")
    for index, path in enumerate(paths):
        _check_path(path, f"{name}[{index}]")


@lesson()
class SimulatedServer:
    """A web server simulated inside the program: each path answers as *site* scripts it.

    >>> server = SimulatedServer({"/": ((503, 0.01), (200, 0.01))})
    >>> asyncio.run(server.get("/")), asyncio.run(server.get("/")), asyncio.run(server.get("/x"))
    (503, 200, 404)
    >>> server.requests, server.peak
    ({'/': 2, '/x': 1}, 1)

    :meth:`get` answers the *n*-th request for a path with the *n*-th ``(status, seconds)`` pair
    of its script (the last pair repeats), after sleeping that many seconds; a path the site does
    not have gets ``404`` at once. The server counts the requests per path and the most it ever
    served at once (:attr:`peak`), which is how the lessons check that the fetcher is polite. A
    request cancelled while it waits — by a timeout, say — leaves the count of requests in flight
    right, thanks to ``finally``.

    :param site: for each path, its scripted replies; :data:`DEMO_SITE` by default.
    """

    def __init__(self, site: Mapping[str, Sequence[tuple[int, float]]] = DEMO_SITE) -> None:
        _check_site(site, "site")
        self.site = site
        #: How many requests each path got.
        self.requests: dict[str, int] = {}
        self.in_flight = 0
        #: The largest number of requests served at the same time.
        self.peak = 0

    async def get(self, path: str) -> int:
        """Answer a request for *path* after its scripted delay; return the HTTP status."""
        replies = self.site.get(path, ((404, 0.0),))
        count = self.requests.get(path, 0)
        self.requests[path] = count + 1
        status, seconds = replies[min(count, len(replies) - 1)]
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(seconds)
        finally:
            self.in_flight -= 1
        return status


@lesson(path=_check_path, timeout=check_delay, attempts=check_positive_int, backoff=check_delay)
async def fetch_with_retries(
    path: str = "/slow",
    server: SimulatedServer | None = None,
    limit: asyncio.Semaphore | None = None,
    timeout: float = 1.0,
    attempts: int = 3,
    backoff: float = 0.5,
) -> str:
    """Fetch one page with a timeout per attempt, and retry failures with a growing backoff.

    >>> asyncio.run(fetch_with_retries())
    GET /slow -> timed out after 1 s, retry in 0.5 s
    GET /slow -> 200
    '200'

    Each attempt waits for a slot of *limit* (a :class:`asyncio.Semaphore` shared by all the
    requests to one server), then gives the server *timeout* seconds with
    :func:`asyncio.wait_for`, which cancels the request when they run out. A timeout or a server
    error (status 500 and up) is worth another try: the attempt gives its slot back, sleeps
    *backoff* seconds — twice as long after each failure — and tries again, at most *attempts*
    times in all. Any other status is the answer, retrying would not change it (``404``).
    Real clients add a random :term:`jitter` to the backoff so that many clients do not retry in
    step; it is left out here so that each run is the same.

    A cancellation is not a failure: the request in flight ends, the lesson says so, and
    :exc:`asyncio.CancelledError` goes on up — never swallowed.

    With the defaults, ``/slow`` times out after 1 s, waits 0.5 s, and its second attempt
    answers after 0.25 s: 1.75 s in all.

    :param path: the page to fetch.
    :param server: the server to ask; a new :class:`SimulatedServer` of :data:`DEMO_SITE` if
        ``None``.
    :param limit: the semaphore that caps the requests in flight; ``None`` for one of its own
        (one request at a time).
    :param timeout: seconds each attempt may take.
    :param attempts: how many attempts at most.
    :param backoff: seconds to wait after the first failure; doubled after each further one.
    :returns: the final status (``"200"``, ``"404"``), or ``"gave up: ..."`` with the last failure.
    """
    server = SimulatedServer() if server is None else server
    limit = asyncio.Semaphore(1) if limit is None else limit
    for attempt in range(1, attempts + 1):
        async with limit:  # hold a slot for the request only, not for the backoff
            try:
                status = await asyncio.wait_for(server.get(path), timeout)
            except asyncio.TimeoutError:
                failure = f"timed out after {timeout:g} s"
            except asyncio.CancelledError:
                print(f"GET {path} -> cancelled")
                raise
            else:
                if status < 500:
                    print(f"GET {path} -> {status}")
                    return str(status)
                failure = str(status)
        if attempt == attempts:
            break
        wait = backoff * 2 ** (attempt - 1)
        print(f"GET {path} -> {failure}, retry in {wait:g} s")
        await asyncio.sleep(wait)
    print(f"GET {path} -> {failure}, giving up after {attempts} attempts")
    return f"gave up: {failure}"


@lesson(
    paths=_check_paths,
    limit=check_positive_int,
    timeout=check_delay,
    attempts=check_positive_int,
    backoff=check_delay,
)
async def polite_fetcher(
    paths: Sequence[str] = DEMO_PATHS,
    limit: int = 2,
    timeout: float = 1.0,
    attempts: int = 3,
    backoff: float = 0.5,
    server: SimulatedServer | None = None,
    results: dict[str, str] | None = None,
) -> dict[str, str]:
    """Fetch every page in *paths* concurrently, at most *limit* at a time: the whole program.

    >>> results = asyncio.run(polite_fetcher())
    GET / -> 200
    GET /flaky -> 503, retry in 0.5 s
    GET /missing -> 404
    GET /slow -> timed out after 1 s, retry in 0.5 s
    GET /down -> 503, retry in 0.5 s
    GET /flaky -> 200
    GET /slow -> 200
    GET /down -> 503, retry in 1 s
    GET /down -> 503, giving up after 3 attempts
    at most 2 requests at once; 9 requests in all
    >>> results["/slow"], results["/missing"], results["/down"]
    ('200', '404', 'gave up: 503')

    One task per page, each running :func:`fetch_with_retries` with the same server and the same
    semaphore, all started at once and awaited together. Each task stores its page's result in
    *results* as soon as it has it, so the results are there even if the run is stopped half-way.

    With the defaults (the five pages of :data:`DEMO_SITE`, two at a time) the run takes
    3.125 s: ``/slow`` holds one slot until its timeout at 1 s, while ``/``, ``/flaky``,
    ``/missing`` and ``/down`` take turns in the other; the retries of ``/flaky`` and ``/slow``
    succeed, and ``/down`` fails three times, 0.5 s and then 1 s apart, and is the last to
    finish. Fetched one after another, the same attempts would take 5.5 s. In the timeline below,
    each page's bar runs from its start to its result, including the time it waits for a slot or
    backs off; the server's count, printed last, shows that never more than two requests were
    in flight at once.

    If the run is cancelled — by a caller (:func:`cancel_the_fetcher`) or by Ctrl-C, which
    :func:`asyncio.run` turns into a cancellation of the main task on Python 3.11+ — the
    cancellation reaches every request through :func:`asyncio.gather`, which cancels them all.
    But ``gather`` raises as soon as the *first* of them has ended, so the fetcher then waits
    with :func:`asyncio.wait` until every request has finished cleaning up (a
    :class:`asyncio.TaskGroup` would wait by itself), reports what it fetched and what it
    abandoned, and lets the cancellation go on.

    :param paths: the pages to fetch, in order.
    :param limit: how many requests may be in flight at once.
    :param timeout: seconds each attempt may take.
    :param attempts: how many attempts each page gets at most.
    :param backoff: seconds to wait after a page's first failure; doubled after each further one.
    :param server: the server; a new :class:`SimulatedServer` of :data:`DEMO_SITE` if ``None``.
    :param results: where to store each page's result as it comes; a new dict if ``None``.
    :returns: *results*: each path's final status, or ``"gave up: ..."``, in *paths* order.
    """
    server = SimulatedServer() if server is None else server
    results = {} if results is None else results
    semaphore = asyncio.Semaphore(limit)

    async def fetch(path: str) -> None:
        results[path] = await fetch_with_retries(
            path, server, semaphore, timeout, attempts, backoff
        )

    tasks = [asyncio.create_task(fetch(path), name=f"GET {path}") for path in paths]
    try:
        await asyncio.gather(*tasks)
    except asyncio.CancelledError:
        await asyncio.wait(tasks)  # gather cancelled them; let every one finish cleaning up
        abandoned = [path for path in paths if path not in results]
        print(f"stopping: {len(results)} pages fetched, abandoned {abandoned}")
        raise
    requests = sum(server.requests.values())
    print(f"at most {server.peak} requests at once; {requests} requests in all")
    return {path: results[path] for path in paths}


@lesson(after=check_delay)
async def cancel_the_fetcher(after: float = 1.6) -> dict[str, str]:
    """Stop the fetcher after *after* seconds, as Ctrl-C would, and keep what it fetched.

    >>> asyncio.run(cancel_the_fetcher())
    GET / -> 200
    GET /flaky -> 503, retry in 0.5 s
    GET /missing -> 404
    GET /slow -> timed out after 1 s, retry in 0.5 s
    GET /down -> 503, retry in 0.5 s
    GET /flaky -> 200
    GET /slow -> cancelled
    stopping: 3 pages fetched, abandoned ['/slow', '/down']
    the fetcher was cancelled: True
    {'/': '200', '/missing': '404', '/flaky': '200'}

    The lesson starts :func:`polite_fetcher` as a task, lets it run, then calls
    :meth:`~asyncio.Task.cancel` on it — exactly what :func:`asyncio.run` does to its main task on
    the first Ctrl-C (Python 3.11+). The requests in flight end at once; pages waiting for a
    slot or in a backoff never start again; the fetcher reports, then ends *cancelled*. The
    lesson waits for that with :func:`asyncio.wait`, which never raises the task's
    :exc:`~asyncio.CancelledError` (only a cancellation of the lesson itself would reach it),
    and returns what was fetched before the stop.

    With the defaults, at 1.6 s: ``/``, ``/flaky`` and ``/missing`` are done, ``/slow`` is in
    flight (its second attempt) and ``/down`` is in its backoff. Stopping takes no loop time:
    1.6 s in all.

    :param after: seconds to let the fetcher run before cancelling it.
    :returns: the results fetched before the stop.
    """
    results: dict[str, str] = {}
    fetcher = asyncio.create_task(polite_fetcher(results=results), name="fetcher")
    await asyncio.sleep(after)
    fetcher.cancel()
    await asyncio.wait([fetcher])  # let it finish cancelling; it raises nothing here
    print(f"the fetcher was cancelled: {fetcher.cancelled()}")
    return results


__all__ = exported(__name__)

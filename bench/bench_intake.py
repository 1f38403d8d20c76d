"""The public report form: submissions per second and latency of POST /report/ over HTTP.

The real stack: gunicorn with the production config file (``deploy/gunicorn.conf.py``, its
path-only access log into a temporary file), ``WORKERS`` sync workers, PostgreSQL (a throw-away
database, migrated here and dropped afterwards) and Redis as the cache (db 13, flushed before
every phase). The settings are ``DJANGO_ENV=demo`` with every connection and key given as in
production: fresh keys from ``deploy/generate_keys.py`` in a temporary directory, DEBUG off.
What differs from production is only what plain HTTP on 127.0.0.1 needs (no secure cookies,
no HSTS) and the static files served from the finders instead of a collected manifest.

The baseline, in the same run, is ``bench.bare_intake``: the same settings, middleware stack
and gunicorn configuration, one view at /bare/ that parses the same fields with a plain form,
INSERTs the case row's columns as plain text into ``bench_bare_report`` (a copy of the case
table's columns and indexes, ciphertext columns made text) and answers with a fake code: no
encryption, no audit, no receipt-code HMAC, no parties, no reference counter.

A submission is what a browser sends: the form's CSRF cookie and token and its one-time
``submission`` token come from a GET of the form page, fetched before the phase (one client
session per thread fetches many forms); only the POST is timed. A success is HTTP 200 with
the receipt code on the page. Each concurrency runs ``ROUNDS`` phases per side, the sides taking
turns (real first, then bare first), so drift in the machine and a warm cache favour neither.
At the end: one case per successful real POST, and the narrative's marker in no column of any
table but the baseline's (where it must be, once per bare POST).

Reading the ratio: the baseline is one INSERT in autocommit and a one-line page, so the ratio
prices everything the form does besides, not only the cryptography. Per real POST that is about
a dozen SQL statements in one transaction (the submission-token check, the reference counter,
the case, its parties, the receipt code and its uniqueness check, two audit appends), the
advisors' list for the form's choice field, Redis round trips for the rate limit, and the
full receipt page; encryption and the receipt-code HMAC are a small part of it. To see the
split, time the pieces of one request in-process (cProfile, or perf counters around them).
"""

from __future__ import annotations

import http.client
import os
import platform
import queue
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import Result, bench_database, percentile

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONCURRENCY = (4, 8)
SUBMISSIONS = int(os.environ.get("BENCH_SUBMISSIONS", "300"))  # per side and concurrency
ROUNDS = 4  # phases per side and concurrency, sides alternating; each sends SUBMISSIONS // ROUNDS
WARM_UP = 24  # per server, before anything is timed
TARGET = 0.5  # real throughput at least this share of the bare view's
CACHE_URL = "redis://127.0.0.1:6379/13"
BARE_TABLE = "bench_bare_report"
MARKER = "ZQX-bench-plaintext-marker-4711"
KEYS = ("SECRET_KEY", "ENCRYPTION_KEYS", "BLIND_INDEX_KEYS", "RECEIPT_CODE_KEYS",
        "AUDIT_SIGNING_KEYS")
READY_SECONDS = 60

# About 1.5 KB, with a few non-ASCII letters, as people write.
NARRATIVE = (
    "During the weekly team meeting on Tuesday my supervisor repeatedly made remarks about "
    "my accent and asked me to 'speak properly' in front of about twelve colleagues. When I "
    "tried to present the results of the pilot study he interrupted me three times and said "
    "that 'people like me' should leave the statistics to others. Afterwards two colleagues "
    "came to me and said they found it embarrassing, but nobody said anything during the "
    "meeting. This is not the first time: in March he gave me a nickname that the whole "
    "group now uses, and in the corridor he imitates the way I pronounce certain words. I "
    "have started to avoid the coffee corner and I dread the Tuesday meetings. I sleep "
    "badly and I have thought about asking for a transfer, but my contract runs until next "
    "year and he writes my evaluation. I would like this to stop without it affecting my "
    f"position. {MARKER} I kept a list of dates: 4 March, 18 March, 2 April, 16 April and "
    "last Tuesday. On 2 April he also sent a message in the group chat that made fun of my "
    "name, which I saved. My colleague René said he would confirm what happened if needed. "
    "I do not know whether this counts as discrimination or just bad behaviour; I only know "
    "it makes it very hard to do my work. I have not talked about it with HR because HR "
    "works closely with him and I am afraid it will get back to him. Thank you for reading "
    "this; it already helps to write it down. Günther from the other department saw the "
    "chat message too."
)
FIELDS = (
    ("reporter_role", "affected"),
    ("reporter_population", "staff"),
    ("behaviours", "verbal"),
    ("behaviours", "discrimination"),
    ("narrative", NARRATIVE),
    ("occurred", "Tuesday meetings in the department's meeting room, since March"),
    ("accused_name", "My direct supervisor, head of the lab"),
    ("accused_affiliation", "umc_staff"),
    ("witnesses", "René de Vries\nAnna Jansen"),
    ("desired_outcome", "That the remarks stop, and a conversation with his manager present, "
                        "without consequences for my contract."),
    ("channel", "named"),
    ("reporter_name", "Sam Example"),
    ("reporter_email", "sam.example@example.org"),
    ("reporter_phone", "+31 30 123 45 67"),
    ("unwanted_advisor", ""),
)
RECEIPT = 'data-testid="receipt-code"'


# --- HTTP, with the standard library (the venv has no HTTP client) -------------------------


def _http(port: int, method: str, path: str, *, body: bytes | None = None,
          cookie: str = "") -> tuple[int, list[str], str]:
    """One request on a fresh connection (gunicorn's sync workers close every connection)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.headers.get_all("Set-Cookie") or [], text
    finally:
        connection.close()


def _hidden(page: str, name: str) -> str:
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(rf'\bname="{name}"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            if value:
                return value.group(1)
    raise AssertionError(f"no hidden input {name!r} on the form page")


@dataclass(frozen=True)
class Submission:
    cookie: str
    body: bytes


@dataclass
class Session:
    """One client: its CSRF cookie, kept across form pages."""

    port: int
    path: str
    cookie: str = ""

    def form(self) -> str:
        status, cookies, page = _http(self.port, "GET", self.path, cookie=self.cookie)
        if status != 200:
            raise AssertionError(f"GET {self.path}: {status}")
        for header in cookies:
            if header.startswith("csrftoken="):
                self.cookie = header.split(";", 1)[0]
        if not self.cookie:
            raise AssertionError(f"GET {self.path}: no CSRF cookie")
        return page

    def submission(self, page: str, token: str) -> Submission:
        csrf = _hidden(page, "csrfmiddlewaretoken")
        fields = [("submission", token), ("csrfmiddlewaretoken", csrf), *FIELDS]
        return Submission(self.cookie, urllib.parse.urlencode(fields).encode())


@dataclass(frozen=True)
class Side:
    name: str
    port: int
    path: str

    def prepare(self, count: int, sessions: int) -> list[Submission]:
        """``count`` ready submissions from ``sessions`` clients fetching forms in parallel.
        The real form page hands out a fresh one-time token every time; the baseline's page
        has none, so its (equally shaped) tokens are made here."""
        shares = [count // sessions + (i < count % sessions) for i in range(sessions)]
        out: list[list[Submission]] = [[] for _ in shares]

        def fetch(i: int) -> None:
            session = Session(self.port, self.path)
            page = session.form()
            for _ in range(shares[i]):
                if self.name == "real":
                    page = session.form()
                    token = _hidden(page, "submission")
                else:
                    token = secrets.token_urlsafe(24)
                out[i].append(session.submission(page, token))

        _in_threads(fetch, sessions)
        return [s for share in out for s in share]


def _in_threads(target: Callable[[int], None], count: int) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            target(i)
        except BaseException as error:  # re-raised below, in the caller
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@dataclass
class Phase:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def _post_all(side: Side, submissions: list[Submission], concurrency: int) -> Phase:
    """Send every submission from ``concurrency`` threads taking work from one queue; time
    each POST, and the whole phase from the first to the last answer."""
    work: queue.SimpleQueue[Submission] = queue.SimpleQueue()
    for submission in submissions:
        work.put(submission)
    phase = Phase()
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def client(_: int) -> None:
        start.wait()
        while True:
            try:
                submission = work.get_nowait()
            except queue.Empty:
                return
            began = time.perf_counter()
            status, _cookies, page = _http(side.port, "POST", side.path, body=submission.body,
                                           cookie=submission.cookie)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                if status == 200 and RECEIPT in page:
                    phase.latencies_ms.append(elapsed)
                else:
                    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
                    phase.failures.append(f"{status} {' | '.join(errors)[:300] or page[:300]}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


# --- the servers -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(name: str) -> str:
    from django.db import connection

    s = connection.settings_dict
    user = urllib.parse.quote(s.get("USER") or "", safe="")
    password = urllib.parse.quote(s.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{credentials}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"


def _environment(database: str, work: Path) -> dict[str, str]:
    """A clean environment: nothing inherited but the path and the locale, so the benchmark's
    own (test) keys and settings cannot leak into the servers."""
    keys = work / "keys"
    for name in KEYS:
        subprocess.run([sys.executable, str(ROOT / "deploy" / "generate_keys.py"),
                        f"bench-{name.lower().replace('_', '-')[:20]}",
                        "--into", str(keys / name.lower())],
                       check=True, capture_output=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),
        "DJANGO_ENV": "demo",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(database),
        "CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": CACHE_URL,
        "VAR_DIR": str(work / "var"),
        "SUBMISSIONS_PER_CLIENT_PER_HOUR": "1000000",
        "GUNICORN_WORKERS": str(WORKERS),
        "LOG_LEVEL": "WARNING",
    }
    env.update({f"{name}_FILE": str(keys / name.lower()) for name in KEYS})
    return env


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)

    def log_tail(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n    ".join(lines[-20:])


def _start(name: str, app: str, settings: str, path: str, env: dict[str, str],
           work: Path) -> Server:
    port = _free_port()
    log = work / f"gunicorn-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # No control socket: gunicorn's default is one per user, shared with any other
            # gunicorn this user runs (the other server of this benchmark included).
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--no-control-socket", app],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**env, "DJANGO_SETTINGS_MODULE": settings, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn ({name}) exited:\n    {server.log_tail()}")
        try:
            if _http(port, "GET", path)[0] == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"gunicorn ({name}) not ready:\n    {server.log_tail()}")
        time.sleep(0.2)


@contextmanager
def _servers(database: str) -> Iterator[tuple[Side, Side]]:
    started: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        work = Path(tmp)
        env = _environment(database, work)
        try:
            real = _start("real", "config.wsgi", "config.settings", "/report/", env, work)
            started.append(real)
            bare = _start("bare", "bench.bare_intake.wsgi", "bench.bare_intake.settings",
                          "/bare/", env, work)
            started.append(bare)
            yield Side("real", real.port, "/report/"), Side("bare", bare.port, "/bare/")
        except BaseException:
            for server in started:
                print(f"  gunicorn ({server.name}) log, last lines:\n    {server.log_tail()}")
            raise
        finally:
            for server in started:
                server.stop()


# --- the database --------------------------------------------------------------------------


@contextmanager
def _dedicated_database() -> Iterator[str]:
    """``bench_database`` under a name of this run's own, so that another benchmark running
    at the same time on the same server cannot drop it."""
    from django.db import connection

    test = connection.settings_dict.setdefault("TEST", {})
    old = test.get("NAME")
    test["NAME"] = f"bench_intake_{os.getpid()}"
    try:
        with bench_database() as name:
            yield name
    finally:
        test["NAME"] = old


def _prepare_database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # Made on migrate under this process's test keys; the servers make their own under
        # theirs on start (the database holds no cases, so that is allowed).
        cursor.execute("DELETE FROM cases_keycanary")
        cursor.execute(f"CREATE TABLE {BARE_TABLE} "
                       "(LIKE cases_case INCLUDING DEFAULTS INCLUDING INDEXES)")
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE "
                       "table_name = 'cases_case' AND data_type = 'bytea' "
                       "AND column_name <> 'wrapped_key'")
        for (column,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {BARE_TABLE} ALTER COLUMN "{column}" TYPE text '
                           f'USING NULL')


def _flush_cache() -> None:
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


def _scalar(sql: str, params: Sequence[int | str] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def _marker_hits() -> dict[str, int]:
    """Rows per table holding the marker in any text, JSON or bytes column (bytes compared
    as bytes: plaintext stored in a bytea column is found too)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND data_type IN "
                       "('text', 'character varying', 'bytea', 'jsonb', 'json') "
                       "ORDER BY table_name, ordinal_position")
        columns: dict[str, list[tuple[str, str]]] = {}
        for table, column, kind in cursor.fetchall():
            columns.setdefault(table, []).append((column, kind))
        hits = {}
        for table, cols in columns.items():
            tests = [f"position(convert_to(%(m)s, 'UTF8') in \"{c}\") > 0" if kind == "bytea"
                     else f"strpos(\"{c}\"::text, %(m)s) > 0" for c, kind in cols]
            # Names from the catalogue, the marker a parameter.
            query = f'SELECT count(*) FROM "{table}" WHERE ' + " OR ".join(tests)  # noqa: S608
            cursor.execute(query, {"m": MARKER})
            hits[table] = cursor.fetchone()[0]
    return hits


def _sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM cases_case), "
            "(SELECT avg(octet_length(narrative)) FROM cases_case), "
            "(SELECT count(*) FROM cases_caseparty), (SELECT count(*) FROM audit_auditevent), "
            "(SELECT count(*) FROM bench_bare_report), "
            "pg_total_relation_size('cases_case'), pg_total_relation_size('audit_auditevent'), "
            "pg_total_relation_size('bench_bare_report'), "
            "pg_database_size(current_database())"
        )
        cases, cipher, parties, events, bare, case_bytes, audit_bytes, bare_bytes, db = (
            cursor.fetchone())
    mb = 1024 * 1024
    return (f"{cases:,} cases ({case_bytes / mb:.1f} MB with indexes; narrative "
            f"{len(NARRATIVE.encode()):,} B plain, {float(cipher or 0):,.0f} B stored), "
            f"{parties:,} parties, {events:,} audit events ({audit_bytes / mb:.1f} MB); "
            f"{bare:,} bare rows ({bare_bytes / mb:.1f} MB); database {db / mb:.0f} MB")


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import gunicorn
    import redis

    server = redis.Redis.from_url(CACHE_URL).info("server")["redis_version"]
    return (f"{os.cpu_count()} cores {model}, {platform.system()} {platform.release()}; "
            f"PostgreSQL {_scalar('SHOW server_version')}, Redis {server}, "
            f"gunicorn {gunicorn.__version__} ({WORKERS} sync workers), "
            f"Python {platform.python_version()}")


# --- the run ---------------------------------------------------------------------------------


def run() -> list[Result]:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench_intake: needs PostgreSQL (DATABASE_URL); skipped.")
        return []
    try:
        _flush_cache()
    except Exception as error:  # any failure to reach Redis means: skip
        print(f"bench_intake: needs Redis at {CACHE_URL} ({error.__class__.__name__}); "
              "skipped.")
        return []
    with _dedicated_database() as database:
        _prepare_database()
        with _servers(database) as (real, bare):
            return _run(real, bare)


@dataclass
class Totals:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds


def _phase(side: Side, count: int, concurrency: int) -> Phase:
    submissions = side.prepare(count, concurrency)
    _flush_cache()
    phase = _post_all(side, submissions, concurrency)
    if phase.failures:
        raise AssertionError(f"{side.name}: {len(phase.failures)} of {count} POSTs failed, "
                             f"e.g. {phase.failures[0]}")
    return phase


def _run(real: Side, bare: Side) -> list[Result]:
    print(f"  machine: {_machine()}", flush=True)
    sent = {"real": 0, "bare": 0}
    for side in (real, bare):
        _phase(side, WARM_UP, max(CONCURRENCY))
        sent[side.name] += WARM_UP
    totals: dict[tuple[str, int], Totals] = {}
    per_phase = max(1, SUBMISSIONS // ROUNDS)
    for concurrency in CONCURRENCY:
        for round_ in range(ROUNDS):
            order = (real, bare) if round_ % 2 == 0 else (bare, real)
            for side in order:
                phase = _phase(side, per_phase, concurrency)
                total = totals.setdefault((side.name, concurrency), Totals())
                total.latencies_ms += phase.latencies_ms
                total.seconds += phase.seconds
                sent[side.name] += per_phase
                print(f"  {side.name:<4} c={concurrency} round {round_ + 1}: "
                      f"{per_phase / phase.seconds:7.1f}/s", flush=True)

    cases = int(_scalar("SELECT count(*) FROM cases_case"))
    bare_rows = int(_scalar("SELECT count(*) FROM bench_bare_report"))
    hits = _marker_hits()
    print(f"  data: {_sizes()}")
    leaks = {table: n for table, n in hits.items() if n and table != BARE_TABLE}
    print(f"  marker in plain text: {hits.get(BARE_TABLE, 0):,} rows of {BARE_TABLE} "
          f"(expected {bare_rows:,}); elsewhere: {leaks or 'none'}")

    results: list[Result] = []
    lines = [f"  {'side':<5} {'conc':>4} {'subm':>5} {'/s':>8} {'p50 ms':>8} {'p95 ms':>8}  "
             "real/bare /s"]
    for concurrency in CONCURRENCY:
        r, b = totals[("real", concurrency)], totals[("bare", concurrency)]
        for name, t in (("real", r), ("bare", b)):
            ratio = f"  {r.throughput / b.throughput:.2f}" if name == "real" else ""
            lines.append(f"  {name:<5} {concurrency:>4} {len(t.latencies_ms):>5} "
                         f"{t.throughput:8.1f} {percentile(t.latencies_ms, 50):8.1f} "
                         f"{percentile(t.latencies_ms, 95):8.1f}{ratio}")
        label = f"@{concurrency} clients"
        ratio_met = r.throughput >= TARGET * b.throughput
        results += [
            Result("intake", f"POST /report/ throughput {label}", r.throughput, "/s",
                   f"bare view {label}", b.throughput, f">= {TARGET}x", ratio_met),
            Result("intake", f"POST /report/ p50 {label}", percentile(r.latencies_ms, 50), "ms",
                   f"bare view p50 {label}", percentile(b.latencies_ms, 50)),
            Result("intake", f"POST /report/ p95 {label}", percentile(r.latencies_ms, 95), "ms",
                   f"bare view p95 {label}", percentile(b.latencies_ms, 95)),
        ]
    print("\n".join(lines))
    results += [
        Result("intake", "cases stored per successful real POST", cases / sent["real"],
               f"({cases:,}/{sent['real']:,})", target="1", met=cases == sent["real"]),
        Result("intake", "bare rows per successful bare POST", bare_rows / sent["bare"],
               f"({bare_rows:,}/{sent['bare']:,})", target="1", met=bare_rows == sent["bare"]),
        Result("intake", "rows with the narrative in plain text, outside the baseline",
               sum(leaks.values()), "rows", target="0", met=not leaks),
        Result("intake", f"rows of {BARE_TABLE} with the marker (the check works)",
               hits.get(BARE_TABLE, 0), "rows", target=f"{bare_rows}",
               met=hits.get(BARE_TABLE, 0) == bare_rows),
    ]
    return results

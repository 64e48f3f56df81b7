"""Web load on loopback: uvicorn with two workers, 20 concurrent users, on SQLite then PostgreSQL.

For each database: a throwaway record seeded with the demo practice (``notewell demo``: synthetic
clients only), the app served by ``uvicorn --factory notewell.web.app:create_app --workers 2`` on
a free loopback port, and 20 virtual users (one logged-in session each, httpx async) that

1. load the dashboard (``GET /``, as the demo clinician) as fast as the server answers, then paced
   like people reading it (a random 0-2 s between loads), then
2. draft notes as the demo trainee (so the drafts do not pile up on the dashboard measured):
   ``POST /api/clients/{id}/drafts`` with the bundled CBT shorthand session, the ``X-CSRF-Token``
   header and ``"format": "auto"`` — every draft runs the real engine and stores a session, the AI
   draft and a note, audited.

Each phase is bounded by a request count and a wall-clock cap; the figures are the median of
several runs. Printed per database: drafts per second, p50/p95 latency of the draft endpoint and
of the dashboard, errors, and how much CPU the load generator itself used (it shares the
machine's cores with the server, which is part of what limits the figures on a small box).
Targets (issue 6): ≥ 50 drafts/s; dashboard p95 ≤ 50 ms at 20 concurrent users.

PostgreSQL runs as a private cluster (``initdb`` as the ``postgres`` user when root, loopback
port, fsync off — as in ``tests/record/conftest.py``); it is skipped with a message when the
server binaries are missing.

    .venv/bin/python bench/bench_web.py                 # both databases, 3 runs each
    .venv/bin/python bench/bench_web.py --db sqlite --runs 1 --drafts 100
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the loopback-server helpers are shared with the test suite
from tests.local_servers import as_postgres, free_port, postgres_bin  # noqa: E402

SESSION_FILE = ROOT / "examples" / "cbt-depression-shorthand.yaml"
DRAFTS_TARGET = 50.0
DASHBOARD_P95_TARGET_MS = 50.0
PASSWORD_LINE = re.compile(r"^\s+(demo-[a-z]+)\s+(\w+)\s+(\S+)$", re.M)


@dataclass
class Phase:
    """One bounded burst: latencies of the successful requests, the failures, the wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu: float = 0.0

    @property
    def server_ms(self) -> float:
        """Server CPU (all uvicorn processes) per successful request: the figure that does not
        depend on what else the machine is running, unlike the latencies."""
        return self.server_cpu / len(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


SERVER_PID: list[int] = []
"""The uvicorn master's pid while it runs (its workers are its children)."""


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root`` and its descendants so far, from ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            stats[int(entry.name)] = raw.rsplit(")", 1)[1].split()  # fields from the state on
    tree, grew = {root}, True
    while grew:
        children = {pid for pid, f in stats.items() if int(f[1]) in tree} - tree
        tree |= children
        grew = bool(children)
    return sum((int(stats[p][11]) + int(stats[p][12])) / tick for p in tree if p in stats)


# -- databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_cluster(bindir: Path) -> Iterator[str]:
    """A private PostgreSQL server (fsync off, loopback); yields the URL of an empty database."""
    root = Path(tempfile.mkdtemp(prefix="notewell-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    port = free_port()
    data = root / "data"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "notewell", "-A", "trust"]
    subprocess.run(
        as_postgres([*initdb, "-E", "UTF8", "--locale=C", "--no-sync"]), check=True, capture_output=True
    )
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c full_page_writes=off -c synchronous_commit=off -c max_connections=100"
    )
    pg_ctl = str(bindir / "pg_ctl")
    subprocess.run(
        as_postgres([pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-o", options, "start"]),
        check=True,
        capture_output=True,
    )
    try:
        import psycopg

        with psycopg.connect(f"postgresql://notewell@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE notewell_bench")
        yield f"postgresql://notewell@127.0.0.1:{port}/notewell_bench"
    finally:
        subprocess.run(as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def seed(env: dict[str, str]) -> dict[str, str]:
    """Create the demo practice on the configured record; returns the demo users' passwords."""
    from notewell.config import Settings
    from notewell.demo import run_demo

    out = io.StringIO()
    run_demo(out, Settings.from_env(env))
    return {m[1]: m[3] for m in PASSWORD_LINE.finditer(out.getvalue())}


# -- the server ----------------------------------------------------------------------------------


SERVER_LOG_TAIL: list[str] = []
"""The last lines of the server's error output after a run (shown when requests failed)."""
SERVER_LOG_COPY: list[str] = []
"""``--server-log PATH``: where to keep the server's whole error output (no PHI: synthetic data)."""


@contextlib.contextmanager
def server(env: dict[str, str], workers: int) -> Iterator[str]:
    """uvicorn with ``workers`` processes on a free loopback port; yields its base URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "notewell.web.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"the server exited ({proc.returncode}):\n{log.read().decode()[-3000:]}")
                try:
                    if httpx.get(f"{base}/login", timeout=2).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer within 90 s")
                time.sleep(0.3)
            SERVER_PID[:] = [proc.pid]
            yield base
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)  # the group this script started: uvicorn and its workers
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.seek(0)
            text = log.read().decode(errors="replace")
            if SERVER_LOG_COPY:
                Path(SERVER_LOG_COPY[0]).write_text(text, encoding="utf-8")
            lines = text.splitlines()
            SERVER_LOG_TAIL[:] = [ln for ln in lines if "Error" in ln or "error" in ln][-5:]


# -- the load ------------------------------------------------------------------------------------


@dataclass
class User:
    http: httpx.AsyncClient
    csrf: str


async def login(base: str, username: str, password: str) -> User:
    # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them under a request
    # (that race would show up as ReadError while a user sat out a phase).
    limits = httpx.Limits(keepalive_expiry=2.0)
    http = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False, limits=limits)
    r = await http.post("/api/login", json={"username": username, "password": password})
    if r.status_code != 200:
        raise SystemExit(f"login as {username} failed: HTTP {r.status_code} {r.text[:200]}")
    return User(http, r.json()["csrf_token"])


def session_body() -> dict[str, object]:
    """The bundled CBT shorthand session as the JSON the API takes (SCHEMA.md §1), format auto."""
    data = yaml.safe_load(SESSION_FILE.read_text(encoding="utf-8"))
    body: dict[str, object] = json.loads(json.dumps(data, default=str))
    body["format"] = "auto"
    return body


async def phase(
    users: list[User], count: int, max_seconds: float, request: str, client_id: int, think: float = 0.0
) -> Phase:
    """``count`` requests spread over the users. With ``think == 0`` each user sends its next request
    as soon as the last returns (saturation: latency is then mostly queueing, users / throughput);
    otherwise each waits a random 0–2×``think`` seconds first, like a person reading the page."""
    rng = random.Random(7)
    result = Phase()
    remaining = [count]
    body = session_body()
    deadline = time.perf_counter() + max_seconds

    async def one(user: User) -> None:
        while remaining[0] > 0 and time.perf_counter() < deadline:
            remaining[0] -= 1
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            start = time.perf_counter()
            try:
                if request == "dashboard":
                    r = await user.http.get("/")
                else:
                    r = await user.http.post(
                        f"/api/clients/{client_id}/drafts", json=body, headers={"X-CSRF-Token": user.csrf}
                    )
                ok, why = r.status_code in (200, 201), f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                ok, why = False, type(exc).__name__
            if ok:
                result.latencies.append(time.perf_counter() - start)
            else:
                result.errors[why] = result.errors.get(why, 0) + 1

    srv0 = tree_cpu_seconds(SERVER_PID[0]) if SERVER_PID else 0.0
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await asyncio.gather(*(one(u) for u in users))
    result.wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu = (cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime) / result.wall
    result.server_cpu = (tree_cpu_seconds(SERVER_PID[0]) if SERVER_PID else 0.0) - srv0
    return result


async def load(
    base: str, passwords: dict[str, str], args: argparse.Namespace
) -> list[tuple[Phase, Phase, Phase]]:
    """Dashboards as the demo clinician; drafts as the demo trainee (for their client C), so the
    hundreds of drafts the run stores do not pile up on the dashboard being measured — a real
    clinician's dashboard lists a handful of unsigned notes, not the benchmark's output."""
    readers, writers = [], []
    for _ in range(args.users):  # one session each; logins are argon2id-slow by design, so not timed
        readers.append(await login(base, "demo-clinician", passwords["demo-clinician"]))
        writers.append(await login(base, "demo-trainee", passwords["demo-trainee"]))
    r = await writers[0].http.get("/api/clients")
    r.raise_for_status()
    client_id = next(int(c["id"]) for c in r.json() if "Demo client C" in str(c.get("label", "")))
    # Warm-up, not measured: the first draft in each worker builds the engine (spaCy, ~1.5 s).
    await phase(writers, 4 * args.workers, 120, "draft", client_id)
    await phase(readers, 2 * args.users, 60, "dashboard", client_id)
    runs = []
    for _ in range(args.runs):
        dashboard = await phase(readers, args.pages, args.max_seconds, "dashboard", client_id)
        paced = await phase(readers, args.pages // 2, args.max_seconds, "dashboard", client_id, args.think)
        drafts = await phase(writers, args.drafts, args.max_seconds, "draft", client_id)
        runs.append((dashboard, paced, drafts))
    for u in readers + writers:
        await u.http.aclose()
    return runs


def report(name: str, runs: list[tuple[Phase, Phase, Phase]]) -> dict[str, float]:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    figures = {
        "drafts_per_s": med([d.rate for _, _, d in runs]),
        "draft_p50": med([d.pct(0.50) for _, _, d in runs]),
        "draft_p95": med([d.pct(0.95) for _, _, d in runs]),
        "dash_per_s": med([p.rate for p, _, _ in runs]),
        "dash_p50": med([p.pct(0.50) for p, _, _ in runs]),
        "dash_p95": med([p.pct(0.95) for p, _, _ in runs]),
        "paced_p50": med([q.pct(0.50) for _, q, _ in runs]),
        "paced_p95": med([q.pct(0.95) for _, q, _ in runs]),
        "gen_cpu": med([max(p.cpu, d.cpu) for p, _, d in runs]),
        "srv_ms_draft": med([d.server_ms for _, _, d in runs]),
        "srv_ms_page": med([p.server_ms for p, _, _ in runs]),
        "srv_cores_draft": med([d.server_cpu / d.wall for _, _, d in runs]),
        "srv_cores_page": med([p.server_cpu / p.wall for p, _, _ in runs]),
    }
    errors: dict[str, int] = {}
    for phases in runs:
        for ph in phases:
            for k, v in ph.errors.items():
                errors[k] = errors.get(k, 0) + v
    drafts = sum(len(d.latencies) for _, _, d in runs)
    pages = sum(len(p.latencies) + len(q.latencies) for p, q, _ in runs)
    f = figures
    print(
        f"{name:<11} {f['drafts_per_s']:9.1f} {f['draft_p50']:10.1f} {f['draft_p95']:10.1f}"
        f" {f['dash_per_s']:8.1f} {f['dash_p50']:9.1f} {f['dash_p95']:9.1f}"
        f" {f['paced_p50']:10.1f} {f['paced_p95']:10.1f} {f['gen_cpu']:8.2f}"
        f" {f['srv_ms_draft']:9.1f} {f['srv_ms_page']:8.1f}   {drafts} drafts, {pages} pages"
        + (f"; errors: {errors}" if errors else "; no errors")
    )
    return figures


def run_database(name: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, float]:
    passwords = seed(env)
    with server(env, args.workers) as base:
        runs = asyncio.run(load(base, passwords, args))
    figures = report(name, runs)
    if any(ph.errors for phases in runs for ph in phases) and SERVER_LOG_TAIL:
        print("            server errors (last lines):")
        for line in SERVER_LOG_TAIL:
            print(f"              {line[:200]}")
    return figures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per database (median reported)")
    ap.add_argument("--users", type=int, default=20, help="concurrent virtual users")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--drafts", type=int, default=300, help="draft requests per run")
    ap.add_argument("--pages", type=int, default=400, help="dashboard requests per run")
    ap.add_argument("--max-seconds", type=float, default=30.0, help="wall-clock cap per phase")
    ap.add_argument(
        "--think", type=float, default=1.0, help="mean seconds between a paced user's dashboard loads"
    )
    ap.add_argument("--server-log", metavar="PATH", help="keep the server's error output here")
    args = ap.parse_args()
    if args.server_log:
        SERVER_LOG_COPY.append(args.server_log)

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("NOTEWELL_")}
    load1, _, _ = os.getloadavg()
    print(
        f"web load: uvicorn, {args.workers} workers, {args.users} concurrent users, loopback, "
        f"{os.cpu_count()} cores shared with the load generator (load average {load1:.1f} at the start); "
        f"median of {args.runs} runs"
    )
    print(
        "saturation: every user sends its next request as soon as the last returns; paced: every user "
        f"waits 0-{2 * args.think:g} s between dashboard loads "
        f"({args.users / args.think:.0f} pages/s offered)"
    )
    print(
        f"{'database':<11} {'drafts/s':>9} {'draft p50':>10} {'draft p95':>10} {'pages/s':>8}"
        f" {'dash p50':>9} {'dash p95':>9} {'paced p50':>10} {'paced p95':>10} {'gen CPU':>8}"
        f" {'srv/draft':>9} {'srv/page':>8}"
    )
    print(
        "(latencies in ms, saturation unless paced; gen CPU: cores the load generator used; "
        "srv: server CPU ms per request, all workers)"
    )
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="notewell-bench-web-") as tmp:
        if args.db in ("sqlite", "both"):
            env = {**base_env, "NOTEWELL_DATA_DIR": str(Path(tmp) / "sqlite")}
            results["sqlite"] = run_database("sqlite", env, args)
        if args.db in ("postgresql", "both"):
            bindir = postgres_bin()
            if bindir is None:
                print(
                    "postgresql  skipped: the server binaries are not installed (apt-get install postgresql)"
                )
            else:
                with postgres_cluster(bindir) as url:
                    secret = base64.b64encode(os.urandom(32)).decode()
                    env = {
                        **base_env,
                        "NOTEWELL_DATA_DIR": str(Path(tmp) / "pg"),
                        "NOTEWELL_DATABASE_URL": url,
                        "NOTEWELL_SECRET_KEY": secret,
                    }
                    results["postgresql"] = run_database("postgresql", env, args)
    for name, f in results.items():
        drafts = "met" if f["drafts_per_s"] >= DRAFTS_TARGET else "MISSED"
        dash = "met" if f["dash_p95"] <= DASHBOARD_P95_TARGET_MS else "MISSED"
        paced = "met" if f["paced_p95"] <= DASHBOARD_P95_TARGET_MS else "MISSED"
        print(
            f"{name}: drafts/s {f['drafts_per_s']:.1f} (target ≥ {DRAFTS_TARGET:g}: {drafts}); "
            f"dashboard p95 at saturation {f['dash_p95']:.1f} ms, paced {f['paced_p95']:.1f} ms "
            f"(target ≤ {DASHBOARD_P95_TARGET_MS:g} ms: {dash} at saturation, {paced} paced)"
        )
        cores = os.cpu_count() or 1
        print(
            f"  server CPU {f['srv_ms_draft']:.1f} ms a draft, {f['srv_ms_page']:.1f} ms a dashboard: "
            f"on {cores} otherwise idle cores at most {cores * 1000 / f['srv_ms_draft']:.0f} drafts/s and "
            f"{cores * 1000 / f['srv_ms_page']:.0f} pages/s; it got {f['srv_cores_draft']:.2f} cores while "
            f"drafting and {f['srv_cores_page']:.2f} while serving dashboards (the rest went to other "
            "processes or to waiting on locks)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The workspace under load: people at once, each typing an offline interview with the page open, on one server
process or on replicas behind Caddy.

Issue 16 ("Measured under load"). Target: on 2 cores, one server process carries 10 concurrent interviews with
the interviewer's reply visible within 1.5 s (p95) of sending an answer, and no failures.

For each count of --people (default 1, 5, 10, 20) a fresh throwaway SQLite workspace gets one candidate account
per person, and the real server starts on loopback (`streamlit run server.py` plus its job worker,
tests.workspace_server). One headless Chromium holds one browser context per person (their own cookies); each
person signs in through /signin, opens /setup, types a name, picks the URL shortener and clicks "Start interview"
(the offline interviewer); once everyone's interview is open, each sends --answers typed answers (a URL-shortener
design conversation), each after a think of about --think seconds with the page open (the first after a random
part of one, so people do not answer in step).

Measured per answer, in the page's own clock: from the Enter that sends it to the interviewer's new chat message
showing text ("reply visible"), and to the page's run being over again ("page idle"). Over the answering phase:
the server process's CPU (utime + stime of all its threads, /proc/<pid>/stat) as % of one core, and of its main
thread (Tornado's loop: websockets and sending) apart from the threads that run pages; the job worker's; this
bench's own (Chromium, Playwright, Python: they run on the same cores); the rest of the machine's busy time
(/proc/stat: another job on the machine shows there; 2 cores = 200 %). Memory: the server's peak resident set
(VmHWM, /proc/<pid>/status, over its whole life: setting up included), the most RSS sampled while people
answered, and its RSS at the end.
Failures: a reply not visible within --reply-timeout (or the page's run not over by then), an exception shown
on the page (stException) or thrown in it (pageerror), and tracebacks in the server's log. Prints figures;
asserts nothing. Loopback only; bounded by --people, --answers and --timeout (the whole bench; a count not
finished by then is reported as such).
With --replicas 2, each count instead gets two workspace servers behind Caddy with sticky sessions, set up as
the replica e2e test does (tests/replicas.py: deploy/Caddyfile, a fresh PostgreSQL database per count, Redis
database 8, one shared runtime folder, one job worker beside the first server); every person goes through the
proxy, and Caddy's cookie decides which server holds them. The server columns then cover both processes: CPU and
loop are their sum; peak RSS the sum of their VmHWM, answering the most their summed RSS reached in one sample,
RSS end their sum; a line under the row gives each server's share, its people and the proxy's CPU. Needs caddy,
PostgreSQL (TEST_POSTGRES_URL) and Redis (TEST_REDIS_URL); the bench says which is missing and stops.
The default (--replicas 1) is one server process on SQLite, as before.
The browsers run on the same cores as the server; --split gives the server (and its worker) the first core and
this bench with its browsers the last (with --replicas, both servers and the proxy on the first), to see the
server's share apart from the browsers'.
Needs Linux (/proc) and Chromium (CHROMIUM, else /usr/bin/chromium).

    .venv/bin/python bench/load.py [--people 1,5,10,20] [--answers 10] [--think 5] [--reply-timeout 30]
                                   [--timeout 1500] [--seed 16] [--split] [--screenshots DIR] [--replicas 2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from playwright.async_api import Error as PlaywrightError

from core.accounts.services import add_account
from core.config import Settings
from core.permissions.actor import Actor
from entry.bootstrap import build_workspace
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.replicas import Unavailable, caddy, check_available, replica, shared_store
from tests.workspace_server import free_port, workspace_server

PASSWORD = "a bench password"  # throwaway accounts on a loopback server
SET_UP = Actor.workspace("bench set-up")
TARGET_PEOPLE, TARGET_P95 = 10, 1.5  # issue 16: 10 concurrent interviews, reply visible p95 <= 1.5 s, 0 failures
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CORES = {0}  # with --split
PROBLEM = "Design a URL Shortener"  # what the answers are about
BENCH_REDIS_DB = 8  # with --replicas: not the replica e2e test's 9, nor the integration tests' 10 and up
STICKY_COOKIE = "iw_replica"  # deploy/Caddyfile's lb_policy cookie

ANSWERS = [
    "Let me pin down scope first. Users paste a long URL and get a short code back; anyone opening the short "
    "link is redirected. I'd assume 100 million new links a month and reads outnumbering writes about 100 to 1. "
    "Custom aliases and expiry are nice to have; analytics can lag by a few minutes.",
    "That is roughly 40 writes per second on average and maybe 4,000 redirects per second, with peaks at ten "
    "times that. Each record is a code, the long URL, an owner and timestamps, so about 500 bytes; five years of "
    "links is around 3 TB, which fits a sharded key-value store comfortably.",
    "The API is small: POST /links with the long URL and an optional alias returns the code, GET /{code} answers "
    "301 or 302 with the Location header, and DELETE /links/{code} for the owner. I'd use 302 if we want every "
    "click counted, since browsers cache a 301.",
    "For the codes I'd use base62 over a 64-bit id. Seven characters give 62 to the 7th, about 3.5 trillion "
    "codes, plenty. Ids come from a counter handed out in blocks of a thousand to each app server, so there is "
    "no coordination per request and no collisions to check.",
    "High level: a load balancer in front of stateless app servers, a Redis cache for hot codes, and the store "
    "keyed by code. The redirect path reads the cache, falls back to the store on a miss and fills the cache. "
    "Writes go straight to the store; a click event goes to a queue for analytics.",
    "For the store I'd pick DynamoDB or Cassandra, partitioned by the code, since every read is a single key "
    "lookup and we never need joins. Custom aliases use a conditional put so two people cannot claim the same "
    "alias; a failed condition returns 409 to the second one.",
    "Caching: the top one percent of links takes most of the traffic, so an LRU cache of a few tens of gigabytes "
    "catches over 90 percent of reads. Entries get a TTL of a day, and deleting or expiring a link removes its "
    "cache entry explicitly so a dead link stops redirecting quickly.",
    "Analytics should never slow the redirect. The app server drops a click event onto Kafka and returns; "
    "consumers aggregate counts per code per minute into a column store. If Kafka is down we sample or drop "
    "events rather than fail the redirect, and say so on the dashboard.",
    "Abuse is a real risk: people shorten phishing links. I'd check new URLs against a blocklist and Safe "
    "Browsing asynchronously, rate limit creation per account and per IP, and let us disable a code centrally; "
    "the cache honours a disabled flag so it takes effect within seconds.",
    "To wrap up the bottlenecks: the counter blocks are the only shared state, and losing a block just skips ids. "
    "The cache tier and the store scale horizontally; a second region serves reads from a replica. With more "
    "time I'd look at link expiry clean-up and a hot-key problem for viral links.",
]

# Runs in every page before Streamlit's own scripts: the time an Enter in the chat input was pressed.
SENT_CLOCK = """
window.__benchSentAt = null;
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target && event.target.dataset.testid === "stChatInputTextArea") {
    window.__benchSentAt = performance.now();
  }
}, true);
"""
REPLIES_SHOWN = """() => [...document.querySelectorAll(
  '[data-testid="stChatMessageContent"][aria-label="Chat message from interviewer"]'
)].filter((m) => m.innerText.trim().length > 0).length"""
# ms from the Enter until `n` interviewer messages show text (polled every animation frame, so as painted)
REPLY_VISIBLE = f"""(n) => window.__benchSentAt !== null && ({REPLIES_SHOWN})() >= n
  && Math.max(performance.now() - window.__benchSentAt, 0.001)"""
PAGE_IDLE = """() => document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") !== null
  && Math.max(performance.now() - window.__benchSentAt, 0.001)"""


@dataclass
class Person:
    email: str
    name: str
    visible_s: list[float] = field(default_factory=list)
    idle_s: list[float] = field(default_factory=list)
    timeouts: int = 0  # replies not visible within --reply-timeout
    not_idle: int = 0  # replies shown, but the page's run not over within --reply-timeout after the Enter
    exceptions_shown: int = 0
    page_errors: int = 0
    not_started: str = ""  # why the interview never opened


# --- the server's process, read from /proc --------------------------------------------------------------


def cpu_seconds(pid: int, thread: int | None = None) -> float:
    """utime + stime of the whole process (all its threads), or of one of its threads, in seconds."""
    stat = Path(f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; fields[0] is the state (field 3)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_mb(pid: int, key: str) -> float:
    """VmRSS (resident now) or VmHWM (the peak resident, over the process's life) from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tree_cpu_seconds(root: int, leave_out: set[int]) -> dict[int, float]:
    """CPU seconds of each process under `root` (its descendants and itself), except `leave_out` and theirs."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in mine and pid not in mine | leave_out}
        mine |= more
        grew = bool(more)
    seconds = {}
    for pid in mine:
        with contextlib.suppress(OSError):  # gone since
            seconds[pid] = cpu_seconds(pid)
    return seconds


def machine_busy_seconds() -> float:
    """CPU time all cores spent not idle (the first line of /proc/stat), in seconds."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / CLOCK_TICKS  # guest time is already in user


@dataclass
class Usage:
    """CPU over a window: % of one core for each process in `pids` and the machine, and the wall time. The server
    processes (`servers`, names in `pids`) add up to "server" and their main threads to "loop", so one server and
    two replicas show in the same columns."""

    pids: dict[str, int]
    servers: list[str]
    started: dict[str, float] = field(default_factory=dict)
    bench_started: dict[int, float] = field(default_factory=dict)
    percent: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def read(self) -> dict[str, float]:
        now = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        # a server's main thread runs Tornado's event loop (websockets, sending each run's messages); page
        # runs happen in their own script threads
        for name in self.servers:
            now[f"loop {name}"] = cpu_seconds(self.pids[name], self.pids[name])
        now["machine"] = machine_busy_seconds()
        return now

    def start(self) -> None:
        self.bench_started = tree_cpu_seconds(os.getpid(), set(self.pids.values()))
        self.started = {**self.read(), "wall": time.monotonic()}

    def stop(self) -> None:
        self.seconds = time.monotonic() - self.started["wall"]
        now = self.read()
        # this bench's own processes: Python, Playwright's driver and Chromium (a process started since counts whole)
        bench_now = tree_cpu_seconds(os.getpid(), set(self.pids.values()))
        now["bench"] = sum(bench_now.values())
        self.started["bench"] = sum(self.bench_started.get(pid, 0.0) for pid in bench_now)
        self.percent = {name: 100 * (now[name] - self.started[name]) / self.seconds for name in now}
        self.percent["server"] = sum(self.percent[name] for name in self.servers)
        self.percent["loop"] = sum(self.percent[f"loop {name}"] for name in self.servers)
        self.percent["others"] = self.percent["machine"] - sum(
            self.percent[name] for name in ("server", "worker", "proxy", "bench") if name in self.percent
        )


# --- one person ----------------------------------------------------------------------------------------


async def wait_for_app(page: Page) -> None:
    """As tests/e2e/conftest.py: connected, and the script not running."""
    await page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


async def open_interview(page: Page, url: str, person: Person) -> None:
    """Sign in through the /signin form, set up an offline interview on /setup and start it."""
    response = await page.request.post(
        f"{url}/signin", form={"email": person.email, "password": PASSWORD, "next": "/"}, max_redirects=0
    )
    if response.status != 303:
        raise RuntimeError(f"sign-in failed ({response.status})")
    await page.goto(f"{url}/setup")
    await wait_for_app(page)
    name = page.get_by_label("No resume at hand? Your name")
    await name.fill(person.name)
    await name.press("Tab")  # the text input sends its value
    await wait_for_app(page)
    problem = page.get_by_role("combobox", name="Problem")

    async def pick() -> None:
        await problem.click()
        await page.get_by_role("option", name=PROBLEM).click(timeout=10_000)

    await until(page, pick, lambda: expect(problem).to_have_value(PROBLEM, timeout=10_000), "picking the problem")

    async def start() -> None:
        await wait_for_app(page)
        await page.get_by_role("button", name="Start interview").click()

    await until(page, start, lambda: page.wait_for_url("**/interview?session=*", timeout=30_000), "starting")
    await wait_for_app(page)
    await page.wait_for_function(f"() => ({REPLIES_SHOWN})() >= 1")  # the interviewer's opening
    if PROBLEM not in await page.locator("h1").first.inner_text():
        raise RuntimeError(f"the interview is not about {PROBLEM!r}")


async def until(page: Page, act: Callable[[], Awaitable[None]], done: Callable[[], Awaitable[None]], what: str) -> None:
    """Do `act` until `done` passes (at most three times). As tests/e2e/conftest.py's until_shown: a rerun that
    lands between two steps can swallow a click or close a menu; a person would simply do it again."""
    for _ in range(3):
        try:
            await act()
            await done()
            return
        except (PlaywrightError, AssertionError):
            await wait_for_app(page)
    raise RuntimeError(f"{what} failed three times")


async def answer_all(page: Page, person: Person, args: argparse.Namespace, rng: random.Random) -> None:
    """Send the answers, each after a think with the page open; time each reply."""
    box = page.get_by_test_id("stChatInputTextArea")
    await asyncio.sleep(rng.uniform(0, args.think))  # people do not start in step
    for n, text in enumerate(ANSWERS[: args.answers]):
        if n:
            await asyncio.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))
        shown_before = len(person.visible_s)
        try:
            await wait_for_app(page)
            await box.wait_for(state="visible")
            replies = await page.evaluate(REPLIES_SHOWN)
            await box.fill(text)
            await page.evaluate("window.__benchSentAt = null")
            await box.press("Enter")
            visible = await page.wait_for_function(
                REPLY_VISIBLE, arg=replies + 1, polling="raf", timeout=args.reply_timeout * 1000
            )
            person.visible_s.append(await visible.json_value() / 1000)
            idle = await page.wait_for_function(PAGE_IDLE, polling="raf", timeout=args.reply_timeout * 1000)
            person.idle_s.append(await idle.json_value() / 1000)
        except PlaywrightError:  # mostly a timeout: the reply never showed, or the page's run never ended after it
            if len(person.visible_s) == shown_before:
                person.timeouts += 1
            else:
                person.not_idle += 1
        person.exceptions_shown += await page.get_by_test_id("stException").count() > 0


async def run_person(
    context: BrowserContext,
    url: str,
    person: Person,
    args: argparse.Namespace,
    rng: random.Random,
    opened: asyncio.Barrier,
    go: asyncio.Event,
) -> None:
    page = await context.new_page()
    page.set_default_timeout(max(60, args.reply_timeout) * 1000)  # setting up under load is slow, not measured

    def page_error(_: object) -> None:
        person.page_errors += 1

    page.on("pageerror", page_error)
    try:
        await open_interview(page, url, person)
    except Exception as exc:  # the figures say who never got an interview, and why
        person.not_started = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    await opened.wait()
    await go.wait()
    if not person.not_started:
        await answer_all(page, person, args, rng)
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(args.screenshots / f"{args.count_now:02}-{person.email.split('@')[0]}.png"))


# --- one count of people -------------------------------------------------------------------------------


@dataclass
class Servers:
    """What a count runs against: the URL people open, and per server process (its name in `pids`) its log file
    and, behind the proxy, its upstream address."""

    url: str = ""
    pids: dict[str, int] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    upstreams: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    people: list[Person]
    usage: Usage
    peak_rss_mb: dict[str, float]  # VmHWM per server: over its life, setting up included
    window_rss_mb: float  # the most VmRSS (summed over the servers) sampled while people answered
    end_rss_mb: dict[str, float]
    tracebacks: int
    held: dict[str, int]  # people per server, by the proxy's sticky cookie (empty with one server)
    timed_out: bool = False


def add_people(settings: Settings, people: list[Person]) -> None:
    """One candidate account per person, in the database the servers will use."""
    ws = build_workspace(settings)
    for person in people:
        add_account(ws, email=person.email, name=person.name, roles=["candidate"], password=PASSWORD, actor=SET_UP)


@contextlib.contextmanager
def deployment(runtime: Path, people: list[Person], replicas: int) -> Iterator[Servers]:
    """One server on SQLite in `runtime` (with its job worker), or `replicas` behind Caddy sharing a fresh
    PostgreSQL database, a Redis database and `runtime` (one job worker, beside the first), as the replica e2e
    test runs them."""
    servers = Servers()
    if replicas == 1:
        add_people(Settings(runtime_dir=runtime), people)
        with workspace_server(runtime, pids=servers.pids) as servers.url:
            servers.logs["server"] = "server.log"
            yield servers
        return
    with contextlib.ExitStack() as stack:
        shared = stack.enter_context(shared_store(runtime, BENCH_REDIS_DB))
        add_people(Settings(database_url=shared["DATABASE_URL"], runtime_dir=runtime), people)
        for n in range(replicas):
            letter, port, started = chr(ord("a") + n), free_port(), dict[str, int]()
            stack.enter_context(
                replica(shared, f"replica-{letter}", port, worker=n == 0, pids=started, check_log=False)
            )
            name = f"server {letter}"
            servers.pids[name] = started["server"]
            if "worker" in started:
                servers.pids["worker"] = started["worker"]
            servers.logs[name] = f"replica-{letter}.log"
            servers.upstreams[name] = f"127.0.0.1:{port}"
        servers.url = stack.enter_context(caddy(list(servers.upstreams.values()), runtime, pids=servers.pids))
        yield servers


def sticky_server(value: str, upstreams: dict[str, str]) -> str:
    """Which server a sticky cookie names: Caddy's cookie policy stores HMAC-SHA256 of the upstream's address
    (keyed by its secret, none in deploy/Caddyfile), in hex."""
    for name, dial in upstreams.items():
        if hmac.compare_digest(value, hmac.new(b"", dial.encode(), hashlib.sha256).hexdigest()):
            return name
    return "unknown"


async def run_count(browser: Browser, count: int, args: argparse.Namespace, deadline: float) -> Outcome:
    """`count` people against fresh servers, until they are done or the bench's `deadline`."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = Path(folder)
        people = [Person(f"bench-{n:02}@example.com", f"Bench Person {n}") for n in range(1, count + 1)]
        with deployment(runtime, people, args.replicas) as servers:
            pids, url = servers.pids, servers.url
            names = list(servers.logs)
            if args.split:
                for pid in pids.values():  # every thread each has now; threads started later inherit
                    for thread in Path(f"/proc/{pid}/task").iterdir():
                        with contextlib.suppress(OSError):  # a thread that has just ended
                            os.sched_setaffinity(int(thread.name), SERVER_CORES)
            usage = Usage(pids, names)
            contexts = [await browser.new_context(viewport={"width": 1440, "height": 1000}) for _ in people]
            for context in contexts:
                await context.add_init_script(SENT_CLOCK)
            opened, go = asyncio.Barrier(count + 1), asyncio.Event()
            rng = random.Random(args.seed)
            tasks = [
                asyncio.create_task(run_person(c, url, p, args, random.Random(rng.random()), opened, go))
                for c, p in zip(contexts, people, strict=True)
            ]
            timed_out, samples = False, [float("nan")]
            try:
                await asyncio.wait_for(opened.wait(), max(deadline - time.monotonic(), 0.1))
                usage.start()
                sampling = asyncio.create_task(sample_rss([pids[name] for name in names], samples))
                go.set()
                await asyncio.wait_for(asyncio.gather(*tasks), max(deadline - time.monotonic(), 0.1))
            except TimeoutError:
                timed_out = True
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            if usage.started:
                usage.stop()
                sampling.cancel()
            peak = {name: memory_mb(pids[name], "VmHWM") for name in names}
            end = {name: memory_mb(pids[name], "VmRSS") for name in names}
            held: dict[str, int] = {}
            if servers.upstreams:
                for context in contexts:
                    cookies = [c.get("value", "") for c in await context.cookies() if c.get("name") == STICKY_COOKIE]
                    name = sticky_server(cookies[0], servers.upstreams) if cookies else "no cookie"
                    held[name] = held.get(name, 0) + 1
            for context in contexts:
                await context.close()
        tracebacks = sum(
            (runtime / log).read_text(errors="replace").count("Traceback") for log in servers.logs.values()
        )
        return Outcome(people, usage, peak, max(samples), end, tracebacks, held, timed_out)


async def sample_rss(pids: list[int], samples: list[float]) -> None:
    """Append the servers' summed VmRSS to `samples` four times a second until cancelled."""
    samples.clear()
    while True:
        samples.append(sum(memory_mb(pid, "VmRSS") for pid in pids))
        await asyncio.sleep(0.25)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def row(count: int, outcome: Outcome, answers: int) -> str:
    visible = [s for p in outcome.people for s in p.visible_s]
    idle = [s for p in outcome.people for s in p.idle_s]
    timeouts = sum(p.timeouts for p in outcome.people)
    not_idle = sum(p.not_idle for p in outcome.people)
    shown = sum(p.exceptions_shown for p in outcome.people)
    thrown = sum(p.page_errors for p in outcome.people)
    not_started = sum(bool(p.not_started) for p in outcome.people)
    cpu = outcome.usage.percent
    failures = timeouts + not_idle + shown + thrown + not_started + outcome.tracebacks
    line = (
        f"  {count:6} {len(visible):4}/{count * answers:<4}"
        f" {percentile(visible, 50):11.2f} {percentile(visible, 95):7.2f} {max(visible, default=float('nan')):7.2f}"
        f" {percentile(idle, 50):8.2f} {percentile(idle, 95):7.2f}"
        f" {cpu.get('server', float('nan')):8.1f} % {cpu.get('loop', float('nan')):6.1f} %"
        f" {cpu.get('worker', float('nan')):6.1f} %"
        f" {cpu.get('bench', float('nan')):7.1f} % {cpu.get('others', float('nan')):7.1f} %"
        f" {sum(outcome.peak_rss_mb.values()):7.0f} MB {outcome.window_rss_mb:7.0f} MB"
        f" {sum(outcome.end_rss_mb.values()):6.0f} MB"
        f" {outcome.usage.seconds:6.0f} s {failures:4}"
        f" ({not_started}/{timeouts}/{not_idle}/{shown}/{thrown}/{outcome.tracebacks})"
    )
    notes = [f"{p.email}: {p.not_started}" for p in outcome.people if p.not_started]
    if outcome.held:  # replicas: each server's share of the columns, and the proxy's CPU
        notes.append(
            " · ".join(
                f"{name}: {outcome.held.get(name, 0)} people, CPU {cpu.get(name, float('nan')):.1f} %"
                f" (loop {cpu.get(f'loop {name}', float('nan')):.1f} %), peak RSS {peak:.0f} MB,"
                f" end {outcome.end_rss_mb[name]:.0f} MB"
                for name, peak in outcome.peak_rss_mb.items()
            )
            + f" · proxy (Caddy) CPU {cpu.get('proxy', float('nan')):.1f} %"
            + "".join(f" · {n} people with {name}" for name, n in outcome.held.items() if name not in cpu)
        )
    if outcome.timed_out:
        notes.insert(0, "stopped at --timeout: the figures cover what was done by then")
    if count == TARGET_PEOPLE and not outcome.timed_out:
        met = percentile(visible, 95) <= TARGET_P95 and failures == 0 and len(visible) == count * answers
        notes.append(f"target (p95 <= {TARGET_P95:g} s, 0 failures): {'met' if met else 'NOT met'}")
    return line + "".join(f"\n         ↳ {note}" for note in notes)


async def bench(args: argparse.Namespace, counts: list[int]) -> None:
    deadline = time.monotonic() + args.timeout
    if args.split:  # this process and all it starts (Playwright, Chromium) on the last core; servers moved after
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    servers = (
        "one server process · SQLite"
        if args.replicas == 1
        else f"{args.replicas} replicas behind Caddy (sticky cookie) · PostgreSQL · Redis · 1 job worker"
    )
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · {os.cpu_count()} CPUs · {servers} · "
        f"offline interviewer · {args.answers} answers each, think {args.think:g} s (±50 %) · seed {args.seed}"
        + (f" · server and worker on core {min(SERVER_CORES)}, browsers on the other" if args.split else "")
    )
    print(
        f"  {'people':>6} {'replies':>9} {'visible p50':>11} {'p95':>7} {'max':>7} {'idle p50':>8} {'p95':>7}"
        f" {'server CPU':>10} {'loop':>8} {'worker':>8} {'browsers':>9} {'others':>9}"
        f" {'peak RSS':>10} {'answering':>10} {'RSS end':>9} {'window':>8}"
        f" {'failures (no interview/no reply/not idle/shown/thrown/server log)':>4}"
    )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for count in counts:
                if time.monotonic() > deadline - 10:
                    print(f"  {count:6}  not run: --timeout {args.timeout:g} s reached")
                    continue
                args.count_now = count
                outcome = await run_count(browser, count, args, deadline)
                print(row(count, outcome, args.answers), flush=True)
        finally:
            await browser.close()
    replicas = (
        ""
        if args.replicas == 1
        else f"{args.replicas} replicas: server CPU and loop are the sum over the {args.replicas} server processes "
        "(the proxy's CPU is apart, on the line below); peak RSS the sum of their VmHWM, answering the most their "
        "summed RSS reached in one sample, RSS end their sum; "
    )
    print(
        f"target: {TARGET_PEOPLE} concurrent interviews, reply visible p95 <= {TARGET_P95:g} s, 0 failures. "
        "(seconds; visible: Enter to the interviewer's reply showing text; idle: to the page's run being over; "
        f"{replicas}CPU: % of one core over the answering window, loop = the server's main thread (of server CPU), "
        "browsers = this bench's Chromium, Playwright and Python; others = the rest of the machine (0 when the "
        "machine is not shared); "
        "peak RSS: the server's VmHWM over its life, setting up included; answering: its most RSS while people "
        "answered (sampled every 0.25 s))"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", default="1,5,10,20", help="comma-separated counts of concurrent people")
    parser.add_argument("--answers", type=int, default=10, help=f"answers each person sends (at most {len(ANSWERS)})")
    parser.add_argument("--think", type=float, default=5.0, help="seconds between a reply and the next answer")
    parser.add_argument("--reply-timeout", type=float, default=30.0, help="seconds a reply may take to show")
    parser.add_argument("--timeout", type=float, default=1500.0, help="seconds for the whole bench")
    parser.add_argument("--seed", type=int, default=16, help="for the think times")
    parser.add_argument(
        "--split",
        action="store_true",
        help="the server and its worker on the first core, this bench and its browsers on the last (so the "
        "browsers, which run on people's own machines in real use, cannot starve the server)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        choices=(1, 2),
        default=1,
        help="1: one server process on SQLite; 2: two behind Caddy sharing PostgreSQL and Redis (as in production)",
    )
    parser.add_argument("--screenshots", type=Path, help="save each person's page at the end as DIR/<people>-<who>.png")
    args = parser.parse_args()
    counts = [int(c) for c in args.people.split(",") if c.strip()]
    if not counts or min(counts) < 1 or max(counts) > 50:
        sys.exit("--people: counts from 1 to 50")
    if not 1 <= args.answers <= len(ANSWERS):
        sys.exit(f"--answers: from 1 to {len(ANSWERS)}")
    if args.split and len(os.sched_getaffinity(0)) < 2:
        sys.exit("--split needs 2 cores or more")
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (set CHROMIUM)")
    if args.replicas > 1:
        try:
            check_available()
        except Unavailable as exc:
            sys.exit(f"--replicas {args.replicas} needs caddy, PostgreSQL and Redis: {exc}")
    logging.disable(logging.INFO)
    asyncio.run(bench(args, counts))


if __name__ == "__main__":
    main()

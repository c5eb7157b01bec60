"""What an open, idle page costs the server: CPU time of the real server process while a browser just looks.

Issue 16: an interview page that is merely open reruns about twice a second (its timed fragments) and cost
the server about 32% of a core when the interview had just started, about 49% with a 60-minute session
(500 messages, 1,000 transcript entries). Target: an idle open interview page costs ≤ 3% of a core.

Builds a throwaway SQLite workspace with one admin account and three sessions it owns (an AI interview just
started; an AI interview holding 500 messages and 1,000 transcript lines; an interviewer-led live session
just started), starts the real server (`streamlit run server.py`, tests.workspace_server), signs headless
Chromium in through /signin, opens each page, waits until the app is idle plus --settle seconds, then reads
the server process's CPU time (utime + stime of every thread, /proc/<pid>/stat) over --seconds. Also counted
in that window: the browser's own CPU (every Chromium process: the page's work in the tab, such as its clocks),
and from the browser's websocket the reruns it asked for (BackMsg rerun_script; "fragment" when a timed
fragment asked) and what the server sent back. First line: the server with no page open at all.
Prints figures; asserts nothing. Needs Linux (/proc) and Chromium (CHROMIUM, else /usr/bin/chromium).

    .venv/bin/python bench/open_page_cost.py [--seconds 20] [--settle 5] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Page, WebSocket, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from core.accounts.services import add_account
from core.config import Settings
from core.interview.services import create_interview, start_interview
from core.live.sessions import create_live_session, start_live
from core.models import Account, Message, Role, Stage, TranscriptEntry
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.workspace_server import workspace_server

EMAIL = "bench-admin@example.com"
PASSWORD = "a bench password"  # a throwaway server's only account, on loopback
SET_UP = Actor.workspace("bench set-up")
M = TypeVar("M", BackMsg, ForwardMsg)
TARGET = 3.0  # % of one core, issue 16
MESSAGES = 500
TRANSCRIPT_LINES = 1000
ANSWER = (
    "I would put a cache in front of the key-value store for the hot short codes, keep the write path "
    "simple with a counter-based id generator per region, and accept a little staleness on analytics. "
)
LINE = "so the redirect path reads the cache first and falls back to the store on a miss, "


@dataclass
class Scenario:
    name: str
    path: str  # the page to open, with its query string


@dataclass
class Traffic:
    """What went over the page's websockets since the last reset."""

    reruns: int = 0  # BackMsg rerun_script: a run the browser asked for
    fragment_reruns: int = 0  # of those, a fragment's (a timed fragment's timer, when nobody touches the page)
    finished: int = 0  # ForwardMsg script_finished: runs the server finished
    received_bytes: int = 0

    def watch(self, socket: WebSocket) -> None:
        socket.on("framesent", self._sent)
        socket.on("framereceived", self._received)

    def _sent(self, payload: str | bytes) -> None:
        message = _read(BackMsg, payload)
        if message is not None and message.WhichOneof("type") == "rerun_script":
            self.reruns += 1
            self.fragment_reruns += bool(message.rerun_script.fragment_id)

    def _received(self, payload: str | bytes) -> None:
        self.received_bytes += len(payload)
        message = _read(ForwardMsg, payload)
        if message is not None and message.WhichOneof("type") == "script_finished":
            self.finished += 1

    def reset(self) -> None:
        self.reruns = self.fragment_reruns = self.finished = self.received_bytes = 0


def _read(message_type: type[M], payload: str | bytes) -> M | None:
    """The frame's protobuf message; None for a text frame or one that does not parse (not counted)."""
    if not isinstance(payload, bytes):
        return None
    try:
        return message_type.FromString(payload)
    except Exception:
        return None


def cpu_seconds(pid: int) -> float:
    """utime + stime of the whole process (all its threads), in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; fields[0] is the state (field 3)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_cpu_seconds() -> float:
    """utime + stime of every Chromium process on the machine (this bench's browser: its page's own work, such as
    the clocks ticking in the page)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and "chrom" in (entry / "comm").read_text():
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue  # a process that ended while being read
    return total


def server_pid(port: int) -> int:
    """The process started with `--server.port <port>` (tests.workspace_server starts it directly, no shell)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for i, arg in enumerate(argv[:-1]):
            if arg == b"--server.port" and argv[i + 1] == str(port).encode() and b"streamlit" in b" ".join(argv):
                return int(entry.name)
    raise RuntimeError(f"no streamlit process with --server.port {port}")


def cpu_percent(pid: int, seconds: float, wait: Callable[[float], object]) -> tuple[float, float]:
    """% of one core the process used over about `seconds`, and the wall time measured. `wait(seconds)` sleeps
    (page.wait_for_timeout while a browser is open, so its events keep arriving)."""
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    wait(seconds)
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    return 100 * (cpu1 - cpu0) / (t1 - t0), t1 - t0


# --- the workspace -------------------------------------------------------------------------------------


def fill(ws: Workspace) -> tuple[Account, list[Scenario]]:
    admin = add_account(
        ws, email=EMAIL, name="Bench Admin", roles=["admin", "interviewer", "reviewer"], password=PASSWORD, actor=SET_UP
    )
    me = Actor.person(admin)
    fresh = create_interview(ws, problem_id="url_shortener", actor=me)
    start_interview(ws, fresh.id, actor=me)

    long = create_interview(ws, problem_id="url_shortener", duration_minutes=60, actor=me)
    start_interview(ws, long.id, actor=me)
    with ws.uow_factory() as uow:
        session = uow.sessions.get(long.id)
        began = ws.clock() - timedelta(minutes=55)  # most of an hour in: the clock shows a late interview
        uow.sessions.update(replace(session, started_at=began, stage_started_at=began, stage=Stage.DEEP_DIVE))
        for i in range(MESSAGES - 1):  # the opening message is the first
            role = Role.CANDIDATE if i % 2 == 0 else Role.INTERVIEWER
            text = ANSWER if role is Role.CANDIDATE else f"Question {i // 2 + 1}: how would that hold up at 10x load?"
            at = began + timedelta(seconds=6 * (i + 1))
            uow.messages.add(Message(long.id, role, text, stage=Stage.DEEP_DIVE, created_at=at))
        for i in range(TRANSCRIPT_LINES):
            speaker = "candidate" if i % 2 == 0 else "interviewer"
            start = 3.3 * i
            uow.transcripts.add(
                TranscriptEntry(long.id, speaker, f"{LINE}line {i + 1}", start=start, end=start + 3.0, source="mic")
            )
        uow.commit()

    live = create_live_session(ws, template_id="customer_discovery", candidate_name="Dana", actor=me)
    start_live(ws, live.id, actor=me)
    return admin, [
        Scenario("interview, just started", f"/interview?session={fresh.id}"),
        Scenario(
            f"interview, 60 minutes ({MESSAGES} msgs, {TRANSCRIPT_LINES:,} lines)", f"/interview?session={long.id}"
        ),
        Scenario("live cockpit, just started", f"/live?session={live.id}"),
    ]


# --- the browser ---------------------------------------------------------------------------------------


def wait_for_app(page: Page) -> None:
    """As tests/e2e/conftest.py: connected, and the script not running (a fragment may start again right away)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring window per page")
    parser.add_argument("--settle", type=float, default=5.0, help="wait after the page is idle, before measuring")
    parser.add_argument("--screenshots", type=Path, help="save each page as DIR/<n>.png (to check what was open)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM} (set CHROMIUM)")
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        runtime = Path(folder)
        _, scenarios = fill(build_workspace(Settings(runtime_dir=runtime)))
        with workspace_server(runtime) as url:
            pid = server_pid(int(url.rsplit(":", 1)[1]))
            measure(url, pid, scenarios, args)
        log = (runtime / "server.log").read_text(errors="replace")
        if "Traceback" in log:
            print("\nThe server logged a traceback:\n" + log[log.index("Traceback") :][:3000])


def measure(url: str, pid: int, scenarios: list[Scenario], args: argparse.Namespace) -> None:
    print(
        f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · server pid {pid} · {os.cpu_count()} CPUs · "
        f"window {args.seconds:g} s after {args.settle:g} s settling · SQLite"
    )
    columns = f"{'server CPU':>12} {'browser CPU':>12} {'reruns/s':>9} {'fragment':>9} {'runs done/s':>12}"
    print(f"  {'page':50} {columns} {'to browser':>11}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            time.sleep(args.settle)  # the server's start-up work done
            idle, _ = cpu_percent(pid, args.seconds, time.sleep)
            print(f"  {'(no page open)':50} {idle:9.1f} %")
            for n, scenario in enumerate(scenarios, 1):
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                try:
                    print(f"  {scenario.name:50} {measure_page(context.new_page(), url, pid, scenario, n, args)}")
                finally:
                    context.close()
                time.sleep(2)  # the closed page's session let go before the next one is measured
        finally:
            browser.close()
    print(f"target: idle open interview page <= {TARGET:g}% of a core")
    print(
        "(browser CPU: the headless Chromium's, the page's own work in the tab; reruns/s: reruns the browser asked "
        "for; fragment: of those, a timed fragment's; runs done/s: script runs the server finished; to browser: what "
        "the server sent)"
    )


def measure_page(page: Page, url: str, pid: int, scenario: Scenario, n: int, args: argparse.Namespace) -> str:
    """Sign in, open the page, let it settle, measure: the figures as one line."""
    page.set_default_timeout(60_000)
    response = page.request.post(
        f"{url}/signin", form={"email": EMAIL, "password": PASSWORD, "next": "/"}, max_redirects=0
    )
    if response.status != 303:
        sys.exit(f"sign-in failed ({response.status}): {response.text()[:500]}")
    traffic = Traffic()
    page.on("websocket", traffic.watch)
    page.goto(f"{url}{scenario.path}")
    try:
        wait_for_app(page)
    except PlaywrightTimeoutError:
        return "  (not measured: the page never connected and finished a run within 60 s)"
    page.wait_for_timeout(args.settle * 1000)
    shown = _what_is_shown(page, scenario)
    traffic.reset()
    browser_before = browser_cpu_seconds()
    percent, window = cpu_percent(pid, args.seconds, lambda seconds: page.wait_for_timeout(seconds * 1000))
    browser = 100 * (browser_cpu_seconds() - browser_before) / window
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.screenshots / f"{n}.png"), full_page=True)
    return (
        f"{percent:9.1f} % {browser:9.1f} % {traffic.reruns / window:9.2f} {traffic.fragment_reruns / window:9.2f} "
        f"{traffic.finished / window:12.2f} {traffic.received_bytes / window / 1024:7.1f} KB/s{shown}"
    )


def _what_is_shown(page: Page, scenario: Scenario) -> str:
    """A note when the page is not the one meant (an exception, or it moved elsewhere): figures would mislead."""
    notes = []
    if page.locator("[data-testid='stException']").count():
        notes.append("an exception is shown")
    if scenario.path.split("?")[0] not in page.url:
        notes.append(f"the page moved to {page.url}")
    return f"  ← {'; '.join(notes)}" if notes else ""


if __name__ == "__main__":
    main()

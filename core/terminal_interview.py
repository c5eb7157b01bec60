"""Practise an interview in a terminal: `python -m core interview`.

It runs on the same services as the interview page (create → start → send → end), so the
session, its messages and its evaluation are stored exactly as the UI stores them and show up
in History. Answers are read one per line; a blank line is skipped, "/end" or end of input
finishes the interview and prints the scores.
"""

from __future__ import annotations

from typing import TextIO

from core.errors import WorkspaceError
from core.interviews import create_interview, end_interview, send_message, start_interview
from core.models import Evaluation, Level, Message, Stage
from core.workspace import Workspace

END_COMMAND = "/end"


def run_terminal_interview(
    ws: Workspace,
    *,
    problem_id: str | None = None,
    provider: str = "offline",
    stdin: TextIO,
    stdout: TextIO,
    level: Level | str = Level.MID,
    minutes: int | None = None,
) -> str:
    """Run one interview between the terminal and the interviewer; returns the session id.

    Without problem_id, the bank picks a problem that suits the level. The provider is stored on
    the session like the Setup page does; the services decide which engine voices it.
    """
    level = Level(level)
    problem = ws.problems.get(problem_id) if problem_id else ws.problems.choose(level, [])
    session = create_interview(
        ws, problem_id=problem.id, level=level, duration_minutes=minutes, provider=provider, actor="candidate"
    )
    out = _Printer(stdout)
    out.line(f"{problem.title} — {level.value} level, {session.duration_minutes} minutes, {provider} interviewer")
    out.line(f"Type one answer per line; {END_COMMAND} (or end of input) finishes and shows your evaluation.")
    opening = start_interview(ws, session.id)
    out.interviewer(opening)

    interactive = _isatty(stdin)
    closed = False
    try:
        while True:
            if interactive:
                out.prompt("You: ")
            line = stdin.readline()
            if not line:
                break  # end of input
            text = line.strip()
            if not text:
                continue
            if text.lower() == END_COMMAND:
                break
            if not interactive:
                out.line(f"You: {text}")
            try:
                reply = send_message(ws, session.id, text)
            except WorkspaceError as exc:
                out.line(f"error: {exc}")
                continue
            out.interviewer(reply)
            if reply.meta.get("kind") == "closing" and not closed:
                closed = True
                out.line(f"(Type {END_COMMAND} to finish and see your evaluation.)")
    except KeyboardInterrupt:
        out.line("")

    evaluation = end_interview(ws, session.id)
    _print_evaluation(out, evaluation)
    out.line(f"Session: {session.id}  (python -m core sessions show {session.id})")
    return session.id


class _Printer:
    """Plain-text output: the interviewer's lines, with a heading whenever the stage changes."""

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout
        self.stage: Stage | None = None

    def line(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def prompt(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def interviewer(self, message: Message) -> None:
        if message.stage is not self.stage:
            self.stage = message.stage
            self.line(f"\n--- {message.stage.label} ---")
        self.line(f"Interviewer: {_plain(message.content)}")


def _print_evaluation(out: _Printer, evaluation: Evaluation) -> None:
    out.line("\n--- Evaluation ---")
    out.line(f"Overall: {evaluation.overall_score:.1f} / 5")
    width = max((len(c.name) for c in evaluation.competencies), default=0)
    for c in evaluation.competencies:
        out.line(f"  {c.name:<{width}}  {c.score:.1f}")
    for title, items in (("Went well", evaluation.went_well), ("Needs improvement", evaluation.needs_improvement)):
        if items:
            out.line(f"{title}:")
            for item in items[:3]:
                out.line(f"  - {_plain(item)}")


def _plain(text: str) -> str:
    """Markdown emphasis off: a terminal shows "**Design a URL Shortener**" as it is."""
    return text.replace("**", "").replace("__", "")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

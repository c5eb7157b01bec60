"""Practise an interview in a terminal: `python -m core interview`.

It runs on the same services as the interview page (create → start → send → end), so the
session, its messages and its evaluation are stored exactly as the UI stores them and show up
in History. Answers are read one per line; a blank line is skipped, "/end" or end of input
finishes the interview and prints the scores.
"""

from __future__ import annotations

from typing import TextIO

from core.errors import WorkspaceError
from core.interview.services import (
    ReplyStream,
    create_interview,
    end_interview,
    start_interview,
    stream_reply,
    submit_answer,
)
from core.llm.providers import LLMChoice
from core.models import Evaluation, Level, Message, Stage
from core.permissions.actor import Actor
from core.provider_ids import OFFLINE
from core.workspace import Workspace

CLI = Actor.workspace("command line")  # whoever runs `python -m core interview` on the server

END_COMMAND = "/end"


def run_terminal_interview(
    ws: Workspace,
    *,
    problem_id: str | None = None,
    provider: str = OFFLINE,
    llm: LLMChoice | None = None,
    stdin: TextIO,
    stdout: TextIO,
    level: Level | str = Level.MID,
    minutes: int | None = None,
) -> str:
    """Run one interview between the terminal and the interviewer; returns the session id.

    Without problem_id, the bank picks a problem that suits the level. With an LLM provider,
    `llm` names the model and key; replies are printed as they stream in.
    """
    level = Level(level)
    problem = ws.problems.get(problem_id) if problem_id else ws.problems.choose(level, [])
    session = create_interview(
        ws,
        problem_id=problem.id,
        level=level,
        duration_minutes=minutes,
        provider=provider,
        model=llm.model if llm else None,
        actor=CLI,
    )
    out = _Printer(stdout)
    voice = f"{provider} ({llm.model})" if llm else provider
    out.line(f"{problem.title} — {level.value} level, {session.duration_minutes} minutes, {voice} interviewer")
    out.line(f"Type one answer per line; {END_COMMAND} (or end of input) finishes and shows your evaluation.")
    opening = start_interview(ws, session.id, actor=CLI)
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
                submit_answer(ws, session.id, text, actor=CLI)
                reply = stream_reply(ws, session.id, llm=llm)
            except WorkspaceError as exc:
                out.line(f"error: {exc}")
                continue
            out.streamed(reply)
            if reply.message is not None and reply.message.meta.get("kind") == "closing" and not closed:
                closed = True
                out.line(f"(Type {END_COMMAND} to finish and see your evaluation.)")
    except KeyboardInterrupt:
        out.line("")

    evaluation = end_interview(ws, session.id, actor=CLI, llm=llm)
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
        self.heading(message.stage)
        self.line(f"Interviewer: {_plain(message.content)}")

    def streamed(self, reply: ReplyStream) -> None:
        """Print the reply as it arrives, then why the offline interviewer stood in, if it did."""
        self.heading(reply.stage)
        self.prompt("Interviewer: ")
        for chunk in reply:
            self.prompt(_plain(chunk))
        self.line("")
        if reply.fallback:
            self.line(f"({reply.fallback})")

    def heading(self, stage: Stage) -> None:
        if stage is not self.stage:
            self.stage = stage
            self.line(f"\n--- {stage.label} ---")


def _print_evaluation(out: _Printer, evaluation: Evaluation) -> None:
    out.line("\n--- Evaluation ---")
    overall = evaluation.overall_score
    out.line(f"Overall: {overall:.1f} / 5" if overall is not None else "Overall: not scored")
    for note in evaluation.notes if overall is None else []:
        out.line(note)
    width = max((len(c.name) for c in evaluation.competencies), default=0)
    for c in evaluation.competencies:
        out.line(f"  {c.name:<{width}}  {c.score:.1f}" if c.score is not None else f"  {c.name:<{width}}  —")
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

"""Practise an interview in a terminal: `python -m core interview`.

It runs on the same services as the interview page (create → start → send → end), so the
session, its messages and its evaluation are stored exactly as the UI stores them and show up
in History. Answers are read one per line; a blank line is skipped, "/end" or end of input
finishes the interview and prints the scores, the evaluator's notes (why an offline evaluation
stood in, even when it scored) and the tokens and cost the interview took. Only the conversation
goes to stdout: log lines go to the log file (entry/cli.py sets that up).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from core.config import Settings
from core.errors import WorkspaceError
from core.interview.services import (
    ReplyStream,
    UsageSummary,
    create_interview,
    end_interview,
    start_interview,
    stream_reply,
    submit_answer,
    usage_summary,
)
from core.llm.base_url import is_private
from core.llm.providers import PROVIDERS, LLMChoice, base_url_of
from core.models import Evaluation, Level, Message, Stage
from core.permissions.actor import Actor
from core.provider_ids import OFFLINE, OPENAI_COMPATIBLE
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
    notices: Sequence[str] = (),
) -> str:
    """Run one interview between the terminal and the interviewer; returns the session id.

    Without problem_id, the bank picks a problem that suits the level. With an LLM provider,
    `llm` names the model and key; replies are printed as they stream in. `notices` (e.g. the
    connection check's warning) are printed under the heading.
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
    for notice in notices:
        out.line(f"(Warning: {notice})")
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
    out.line(usage_line(ws.settings, provider, llm, usage_summary(ws, session.id, actor=CLI)))
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
    for note in evaluation.notes:  # why it is not scored, or why the offline evaluator stood in for the model
        out.line(f"Note: {_plain(note)}")
    width = max((len(c.name) for c in evaluation.competencies), default=0)
    for c in evaluation.competencies:
        out.line(f"  {c.name:<{width}}  {c.score:.1f}" if c.score is not None else f"  {c.name:<{width}}  —")
    for title, items in (("Went well", evaluation.went_well), ("Needs improvement", evaluation.needs_improvement)):
        if items:
            out.line(f"{title}:")
            for item in items[:3]:
                out.line(f"  - {_plain(item)}")


def usage_line(settings: Settings, provider: str, llm: LLMChoice | None, usage: UsageSummary) -> str:
    """What the interview took: "Usage: 1,234 tokens (1,000 in, 234 out) · $0.0012", or free; and how many of
    the evaluation's model answers came from the answer cache, when it counted them.

    The offline engine is free; so is a model without a price on a server of one's own (this machine or a
    private network). A model without a price elsewhere costs an unknown amount, never "free".
    """
    if not PROVIDERS[provider].is_llm:
        return "Usage: free — the offline engine runs on this machine: no tokens, no cost."
    line = _cost_line(settings, provider, llm, usage)
    cached = usage.cache_text()
    return f"{line} · {cached}" if cached else line


def _cost_line(settings: Settings, provider: str, llm: LLMChoice | None, usage: UsageSummary) -> str:
    tokens = (
        f"{usage.input_tokens + usage.output_tokens:,} tokens ({usage.input_tokens:,} in, {usage.output_tokens:,} out)"
    )
    own_server = llm is not None and provider == OPENAI_COMPATIBLE and is_private(base_url_of(settings, llm))
    if own_server and not usage.cost_usd and (llm is None or llm.model not in settings.prices):
        return f"Usage: {tokens} · free: a server of your own, no price in config"
    if usage.unpriced_models:
        unpriced = ", ".join(usage.unpriced_models)
        return f"Usage: {tokens} · ${usage.cost_usd:.4f} + price unknown for {unpriced} (prices: in config.yaml)"
    return f"Usage: {tokens} · ${usage.cost_usd:.4f}"


def _plain(text: str) -> str:
    """Markdown emphasis off: a terminal shows "**Design a URL Shortener**" as it is."""
    return text.replace("**", "").replace("__", "")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

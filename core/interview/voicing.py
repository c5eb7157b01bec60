"""What a model voicing a planned move must say and must not say, and a check of what it said.

The offline engine decides every move; an LLM only words it. "Say this in your own words" alone lets a
model praise a wrong number, answer one of three questions, hand over the answer the challenge kept
back, or wrap up at minute four. The brief spells out the move's obligations, and the check catches the
breaches that matter — an announced end the plan did not make, a withheld answer given away, a fact
left out — so the planned words are stored instead.
"""

from __future__ import annotations

import re
from typing import Any

from core.content.problems import Problem
from core.content.text_signals import normalize
from core.interview.offline_interviewer import Turn
from core.models import Stage

_QUOTED = re.compile(r"“([^”]+)”")
_NUMBER = re.compile(r"\d[\d,.]*(?:\s?(?:%|ms|k|m|b|thousand|million|billion|trillion))?", re.IGNORECASE)
_ENDING = re.compile(
    r"end of (?:the|our) interview|(?:we're|we are) (?:at|out of) time|that's (?:all|it) for today|that wraps"
    r"|let's wrap(?: it| things)? up|(?:give|can you give) me [^.?]{0,30}summary|thanks? for your time",
    re.IGNORECASE,
)
_CLOSING_KINDS = ("closing", "time_up")


def _challenge(meta: dict[str, Any]) -> dict[str, Any] | None:
    found = meta if meta.get("kind") == "pushback" and meta.get("reveal") else meta.get("challenge")
    return found if isinstance(found, dict) else None


def _numbers(text: str) -> set[str]:
    return {normalize(n).replace(",", "").strip() for n in _NUMBER.findall(text)}


def wraps_up(turn: Turn) -> bool:
    """Whether the planned move itself ends the interview or asks for the closing summary."""
    meta = turn.meta
    return meta.get("kind") in _CLOSING_KINDS or meta.get("reason") == "end" or meta.get("topic") == "design_summary"


def brief(turn: Turn, problem: Problem, minutes_left: int) -> str:
    """The move's obligations, one per line, for the interviewer prompt."""
    meta = turn.meta
    lines: list[str] = []
    if meta.get("kind") == "answer":
        facts = [" ".join(problem.facts[i].answer.split()) for i in meta.get("facts", [])]
        lines.append(
            "The candidate asked clarifying questions: answer every one of them, with all of these facts and "
            "their numbers exactly: " + " | ".join(facts)
        )
        for question in meta.get("unanswered", []):
            lines.append(f"For “{question}”, say it is the candidate's call: they should state an assumption.")
    challenge = _challenge(meta)
    if challenge:
        lines.append(
            f"Challenge what the candidate said — quote their words “{challenge.get('claim')}” — and ask: "
            f"{challenge.get('question')} Do not give the right answer ({challenge.get('reveal')}); they should "
            "find it themselves. Do not praise that answer."
        )
    if meta.get("kind") == "reveal":
        lines.append("The candidate is stuck on the mistake: give the right answer now, as planned.")
    if meta.get("kind") == "redirect":
        lines.append(
            f"The answer is about another problem: do not praise it; bring the candidate back to {problem.title}."
        )
    quotes = _QUOTED.findall(turn.text) if not challenge and meta.get("kind") != "reveal" else []
    if quotes:
        lines.append(
            f"If you acknowledge the answer, name what you acknowledge (“{quotes[0]}”); no other praise or compliments."
        )
    else:
        lines.append("Do not praise or compliment the answer (no “great”, “good point”, “nice”).")
    if meta.get("question"):
        lines.append(f"Ask exactly one question, the planned one: {meta['question']} Ask nothing already asked.")
    if wraps_up(turn):
        lines.append("This move wraps up the interview, as planned.")
    else:
        stage = "wrap-up" if turn.stage is Stage.WRAP_UP else "interview"
        lines.append(
            f"Do not wrap up, summarise or suggest the {stage} is ending: about {minutes_left} minutes remain."
        )
    return "\n".join(f"- {line}" for line in lines)


def check_voicing(turn: Turn, problem: Problem, text: str) -> list[str]:
    """Where the voiced text breaks the planned move (empty: it keeps to it)."""
    problems: list[str] = []
    meta = turn.meta
    if not wraps_up(turn) and _ENDING.search(text):
        problems.append("announced the end, which the plan did not")
    challenge = _challenge(meta)
    if challenge:
        withheld = _numbers(str(challenge.get("reveal", ""))) - _numbers(str(challenge.get("claim", "")))
        if withheld & _numbers(text):
            problems.append("gave away the answer the challenge keeps back")
    if meta.get("kind") == "answer":
        said = _numbers(text)
        for i in meta.get("facts", []):
            numbers = _numbers(problem.facts[i].answer)
            if numbers and not numbers & said:
                problems.append(f"left out the answer to a question (fact {i})")
    return problems

"""Whether the candidate answered what the interviewer asked for a figure.

A question that asks for a number ("how many updates per second is that?", "and storage?") is
answered by a number, an open refusal ("I'd rather not guess") or a way to find it ("I'd measure
it with a load test"). A vague size ("a lot", "basically unlimited") or a neighbouring, easier
topic (batching on the phone, the database's tooling) leaves it unanswered: fluent answers to
another question are poor communication, however well they read. A question back ("what volume
are we at?") is a fair reply; then the answer after the interviewer's reply must carry the figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.content.text_signals import question_sentences, sentences
from core.correctness.conversation import clean, refusals_in
from core.correctness.findings import Finding, FindingKind
from core.correctness.quantities import quantities
from core.models import Utterance

_ASKS_FOR_FIGURE = re.compile(
    r"\bhow (?:many|much|big|large)\b"
    r"|\bwhat(?:'s| is| are)? (?:the )?(?:\w+ ){0,2}(?:rate|load|qps|throughput|volume|bandwidth|storage|size)\b"
    r"|\bper (?:second|minute|day)\b[^.?!]*\?"
    r"|\b(?:storage|bandwidth|traffic|load|qps|throughput)\s*\?",
    re.IGNORECASE,
)
_IMPERATIVE_FIGURE = re.compile(
    r"^(?:(?:now|so|ok(?:ay)?|next|then),? )?(?:please )?(?:estimate|size|calculate|work out|put a number on)\b",
    re.IGNORECASE,
)
_WAY_TO_FIND = re.compile(
    r"\b(?:measure|benchmark|load[- ]test|find out|profile)\w*\b",
    re.IGNORECASE,
)


def asks_for_figure(text: str) -> bool:
    """Whether an interviewer's turn asks the candidate for a number."""
    return figure_question(text) is not None


def figure_question(text: str) -> str | None:
    """The sentence of an interviewer's turn that asks for a number, if one does."""
    for s in sentences(text):
        if (s.rstrip().endswith("?") and _ASKS_FOR_FIGURE.search(s)) or _IMPERATIVE_FIGURE.search(s.strip()):
            return " ".join(s.split())
    return None


def gives_figure(text: str) -> bool:
    """Whether an answer meets a request for a number: with one, or openly declining, or saying how to get it."""
    text = clean(text)
    return bool(quantities(text) or refusals_in(text) or _WAY_TO_FIND.search(text))


def unanswered_figure_questions(utterances: Sequence[Utterance]) -> list[Finding]:
    """The interviewer's requests for a figure that the candidate's answer (or the one after a question back) left
    without one."""
    found: list[Finding] = []
    turns = _turns(utterances)
    for i, (speaker, asked) in enumerate(turns):
        if speaker != "interviewer" or not asks_for_figure(_text(asked)):
            continue
        replies = [_text(t) for s, t in turns[i + 1 : i + 4] if s == "candidate"]
        if not replies:
            continue
        if gives_figure(replies[0]):
            continue
        if question_sentences(replies[0]) and (len(replies) == 1 or gives_figure(replies[1])):
            continue  # asked what it needed first, then answered (or the interview moved on before it could)
        answered_back = bool(question_sentences(replies[0]))  # then the answer after the reply is the one
        said = [t for s, t in turns[i + 1 : i + 4] if s == "candidate"][1 if answered_back else 0][0]
        found.append(
            Finding(
                FindingKind.UNANSWERED,
                " ".join(replies[1 if answered_back else 0].split())[:160],
                "Asked for a figure, answered without one (and without saying why or how to find it).",
                competency="communication",
                message_seq=said.seq,
                at_seconds=said.start,
            )
        )
    return found


def _turns(utterances: Sequence[Utterance]) -> list[tuple[str, list[Utterance]]]:
    """Consecutive lines of one speaker as one turn (a spoken answer arrives as several transcript lines)."""
    turns: list[tuple[str, list[Utterance]]] = []
    for u in utterances:
        if not u.text.strip():
            continue
        speaker = "candidate" if u.speaker.lower() == "candidate" else "interviewer"
        if turns and turns[-1][0] == speaker:
            turns[-1][1].append(u)
        else:
            turns.append((speaker, [u]))
    return turns


def _text(turn: list[Utterance]) -> str:
    return " ".join(u.text for u in turn)

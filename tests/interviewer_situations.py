"""Scripted interview situations and the move each one expects (issue 14, points 2 and 7): read, played
and checked in one place.

bench/interviewer_quality.py prints the pass rate over all of them; tests/unit/interview/
test_interviewer_situations.py pins each one. A situation is a short interview so far (problem, length,
minute, stage, the candidate's earlier lines) and the candidate's next message; the interviewer's earlier
turns are its own (played), unless a line is given. Its expectation is a set of predicates on the reply,
written from the rule ("challenge a wrong number with the candidate's figure and a hint"), never from the
engine's wording. Three checks hold for every situation: no question the interviewer already asked, praise
only with its object named, and no wrap-up before 85% of the planned time unless the candidate ends.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.content.problems import ProblemBank, load_problem_bank
from core.content.rubrics import Rubric, load_rubric
from core.content.text_signals import STOPWORDS, normalize, sentences, words
from core.interview.offline_interviewer import OfflineInterviewer, Turn
from core.models import Level, Message, Role, Session, SessionStatus, Stage

ROOT = Path(__file__).resolve().parents[1]
SITUATIONS = ROOT / "tests" / "fixtures" / "interviewer_situations.yaml"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WRAP_UP_SHARE = 0.85  # the plan's wrap-up starts here; nothing ends the interview before it unless the candidate does

# What parts of the product a situation needs (the correctness reader arrives separately).
PARTS = {"reader": "core.correctness.reader", "relevance": "core.correctness.relevance"}


class Line(BaseModel):
    """One earlier message: the candidate's (`c`) or a given interviewer line (`i`, with its meta)."""

    model_config = ConfigDict(extra="forbid")

    c: str | None = None
    i: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    at: float | None = None  # minute into the interview; spread evenly when not given

    @model_validator(mode="after")
    def _one_speaker(self) -> Line:
        if (self.c is None) == (self.i is None):
            raise ValueError("a line is either c (candidate) or i (interviewer)")
        return self


class Challenge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quote: str  # the candidate's own figure or claim, as they wrote it
    withhold: list[str] = Field(default_factory=list)  # the right answer: not given on the first challenge


class Expect(BaseModel):
    """The expected move; every given predicate must hold."""

    model_config = ConfigDict(extra="forbid")

    challenge: Challenge | None = None
    reveal: list[str] | None = None  # stuck after a challenge: the right answer now (any of these)
    no_challenge: bool = False
    answers: dict[str, list[str]] | None = None  # each clarifying question -> its fact's content (any of)
    not_asked: list[str] = Field(default_factory=list)  # questions the candidate has already answered
    redirect: list[str] | None = None  # off topic: brought back to the problem (mentions any of these)
    no_redirect: bool = False
    no_wrap_up: bool = False
    wraps_up: bool = False
    stays_in_stage: bool = False
    deeper: bool = False  # a harder question, not a move on
    no_praise: bool = False
    not_say: list[str] = Field(default_factory=list)  # praise for what was not said
    asks_again: list[str] | None = None  # a figure asked for and not given: asked once more (naming any of these)
    no_ask_again: bool = False


class Situation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    rule: Literal[
        "challenge", "no_false_challenge", "answers", "no_repeat", "off_topic", "pacing", "praise", "unanswered"
    ]
    needs: list[Literal["reader", "relevance"]] = Field(default_factory=list)
    problem: str
    minutes: int = 45
    level: Level = Level.MID
    stage: Stage = Stage.REQUIREMENTS  # where the session is before the history plays
    stage_at: float | None = None  # minute the stage started (default: when the history starts)
    at: float  # minute of the candidate's message
    history: list[Line] = Field(default_factory=list)
    say: str
    expect: Expect
    note: str = ""
    pending: str = ""  # a known gap in a part the move depends on: the test expects it to fail until fixed


def load() -> list[Situation]:
    data = yaml.safe_load(SITUATIONS.read_text(encoding="utf-8"))
    situations = [Situation.model_validate(item) for item in data]
    ids = [s.id for s in situations]
    if len(ids) != len(set(ids)):
        raise ValueError("situation ids must be unique")
    return situations


def missing_parts(situation: Situation) -> list[str]:
    """The parts a situation needs that are not in the tree yet."""
    return [part for part in situation.needs if find_spec(PARTS[part]) is None]


@cache
def bank() -> ProblemBank:
    return load_problem_bank(ROOT / "data" / "problems")


@cache
def rubric() -> Rubric:
    return load_rubric(ROOT / "data" / "rubrics" / "system_design.yaml")


def interviewer_for(problem_id: str) -> OfflineInterviewer:
    return OfflineInterviewer(bank().get(problem_id), rubric(), bank=bank())


@dataclass
class Played:
    """A situation played: the history as the interviewer saw it and its reply."""

    situation: Situation
    history: list[Message]
    session: Session
    now: datetime
    reply: Turn
    reply_ms: float  # the reply to the message alone, not the played history


def play(situation: Situation, interviewer: OfflineInterviewer | None = None) -> Played:
    """Play the history (the interviewer answers each candidate line unless a line is given), then the message."""
    interviewer = interviewer or interviewer_for(situation.problem)
    start = situation.stage_at if situation.stage_at is not None else 0.0
    session = Session(
        id="situation",
        problem_id=situation.problem,
        level=situation.level,
        status=SessionStatus.ACTIVE,
        duration_minutes=situation.minutes,
        started_at=T0,
        stage=situation.stage,
        stage_started_at=T0 + timedelta(minutes=start),
    )
    opening = interviewer.opening(session)
    history = [Message(session.id, Role.INTERVIEWER, opening.text, stage=session.stage, meta=opening.meta, seq=0,
                       created_at=T0)]  # fmt: skip
    times = _times(situation)
    lines = situation.history
    for k, line in enumerate(lines):
        now = times[k]
        if line.i is not None:
            history.append(_message(session, Role.INTERVIEWER, line.i, line.meta, now, len(history)))
            continue
        assert line.c is not None
        history.append(_message(session, Role.CANDIDATE, line.c, {}, now, len(history)))
        if k + 1 < len(lines) and lines[k + 1].i is not None:
            continue
        turn = interviewer.reply(session, list(history), now)
        history.append(_message(session, Role.INTERVIEWER, turn.text, turn.meta, now, len(history), turn.stage))
        if turn.stage is not session.stage:
            session.stage, session.stage_started_at = turn.stage, now
    now = T0 + timedelta(minutes=situation.at)
    history.append(_message(session, Role.CANDIDATE, situation.say, {}, now, len(history)))
    started = time.perf_counter()
    reply = interviewer.reply(session, list(history), now)
    return Played(situation, history, session, now, reply, (time.perf_counter() - started) * 1000)


def _times(situation: Situation) -> list[datetime]:
    """Each history line's time: as given, else evenly between the last given time and the message."""
    times: list[datetime] = []
    last = situation.stage_at or 0.0
    lines = situation.history
    for k, line in enumerate(lines):
        if line.at is not None:
            last = line.at
        else:
            later = next((x.at for x in lines[k + 1 :] if x.at is not None), situation.at)
            left = next((j for j, x in enumerate(lines[k + 1 :]) if x.at is not None), len(lines) - k - 1) + 2
            last = last + (later - last) / left
        times.append(T0 + timedelta(minutes=last))
    return times


def _message(
    session: Session, role: Role, text: str, meta: dict[str, Any], now: datetime, seq: int, stage: Stage | None = None
) -> Message:
    return Message(session.id, role, text, stage=stage or session.stage, meta=dict(meta), seq=seq, created_at=now)


# --- the checks ------------------------------------------------------------------------------

_PRAISE = re.compile(
    r"^(?:good|great|nice|excellent|perfect|well done|makes sense|right|i like|love)\b"
    r"|\b(?:good that|nice that|glad you|i like that|i like how|thanks for (?:explaining|thinking|weighing|walking"
    r"|considering)|good (?:point|thinking|call|catch)|great (?:point|question)|good question|well reasoned)\b"
)
_ENDORSEMENT = re.compile(r"^(?:okay|ok|got it|noted|thanks|thank you)\s*[—–:-]\s*\S+(?:\s+\S+){4,}")
"""A neutral word that leads into an evaluation ("Okay — that traffic estimate gives us…") praises too."""
_CHALLENGE_WORDS = re.compile(r"\b(?:re-?check|double-?check|hold on|push back|are you sure|how does your number)\b")
_WRAP_UP = re.compile(
    r"end of the interview|that's (?:all|it) for today|we're (?:at|out of) time|let's wrap|wraps? (?:it|things) up"
    r"|(?:give|gives|giving) me [^.?]{0,30}summary|summar(?:ise|ize) (?:your|the|it)|\bsum (?:it|up|your)\b"
    r"|end the interview|end it now"
)
_GENERIC_WORDS = (
    "good great nice think would could should also just like really design system use using make need want "
    "thing things way well right okay ok yes sure let lets go going get one two first then there here about"
)
_GENERIC = frozenset(_GENERIC_WORDS.split())
_ENDING = re.compile(r"\b(?:wrap (?:it |this |things )?up|end (?:the|this) interview|finish (?:the|this) interview"
                     r"|stop (?:here|the interview)|i'm done|i am done|we're done)\b")  # fmt: skip


def _norm(text: str) -> str:
    return " ".join(normalize(text).replace('"', "").split())


def _contains(text: str, part: str) -> bool:
    return _norm(part) in _norm(text)


def _questions(text: str) -> list[str]:
    return [_norm(s) for s in sentences(text) if s.rstrip().endswith("?")]


def praise_sentences(text: str) -> list[str]:
    found = []
    for sentence in sentences(text):
        plain = _norm(sentence).lstrip("“”\"' ")
        if _PRAISE.search(plain) or _ENDORSEMENT.search(plain):
            found.append(sentence)
    return found


def specific_words(text: str) -> set[str]:
    """Words of the candidate's message that name something: not stop words, not generic, or a number."""
    return {w for w in words(text) if (len(w) >= 3 and w not in STOPWORDS and w not in _GENERIC) or w[0].isdigit()}


def is_wrap_up(turn: Turn, before: Stage) -> bool:
    """Ends, asks for the closing summary, or moves into the wrap-up stage."""
    if turn.meta.get("kind") in ("closing", "time_up"):
        return True
    if turn.stage is Stage.WRAP_UP and before is not Stage.WRAP_UP:
        return True
    return bool(_WRAP_UP.search(_norm(turn.text)))


def check(played: Played) -> list[str]:
    """Why the reply misses its expected move (empty: it passes)."""
    s, turn, expect = played.situation, played.reply, played.situation.expect
    text, meta = turn.text, turn.meta
    problems: list[str] = []
    praise = praise_sentences(text)
    challenged = (
        meta.get("kind") == "pushback" or bool(meta.get("challenge")) or bool(_CHALLENGE_WORDS.search(_norm(text)))
    )

    if expect.challenge:
        c = expect.challenge
        if not _contains(text, c.quote):
            problems.append(f"does not quote the candidate's {c.quote!r}")
        if "?" not in text:
            problems.append("challenges without a question (a hint to re-think)")
        for right in c.withhold:
            if _contains(text, right):
                problems.append(f"gives the right answer {right!r} before the candidate is stuck")
        if praise:
            problems.append(f"praises a wrong answer: {praise[0]!r}")
    if expect.reveal is not None and not any(_contains(text, r) for r in expect.reveal):
        problems.append(f"stuck after a challenge, but the right answer (any of {expect.reveal}) is not given")
    if expect.no_challenge and challenged:
        problems.append("challenges a right answer")
    for label, facts in (expect.answers or {}).items():
        if not any(_contains(text, f) for f in facts):
            problems.append(f"does not answer the question about {label} (any of {facts})")
    for question in expect.not_asked:
        if _contains(text, question):
            problems.append(f"asks what the candidate already covered: {question!r}")
    if expect.redirect is not None:
        if not any(_contains(text, m) for m in expect.redirect):
            problems.append(f"off topic, but not brought back to the problem (mentions none of {expect.redirect})")
        if praise:
            problems.append(f"praises an off-topic answer: {praise[0]!r}")
    if expect.no_redirect and meta.get("kind") == "redirect":
        problems.append("treats an on-topic answer as off topic")
    if expect.stays_in_stage and turn.stage is not played.session.stage:
        problems.append(f"leaves {played.session.stage.value} for {turn.stage.value}")
    if expect.deeper and (meta.get("depth") != "harder" or "?" not in text):
        problems.append(f"no harder question (move: {meta.get('kind')}, depth {meta.get('depth')})")
    if expect.wraps_up and not is_wrap_up(turn, played.session.stage):
        problems.append(f"does not wrap up (move: {meta.get('kind')}, stage {turn.stage.value})")
    if expect.asks_again is not None:
        if meta.get("kind") != "figure_again" or not any(_contains(text, q) for q in expect.asks_again):
            problems.append(f"a figure asked for was not given, and not asked for again (any of {expect.asks_again})")
        if praise:
            problems.append(f"praises an answer that dodged the figure: {praise[0]!r}")
    if expect.no_ask_again and meta.get("kind") == "figure_again":
        problems.append("asks again for a figure the candidate gave, or is still working out")
    if expect.no_praise and praise:
        problems.append(f"praises: {praise[0]!r}")
    for phrase in expect.not_say:
        if _contains(text, phrase):
            problems.append(f"says {phrase!r}, which the answer did not earn")

    # every situation: no repeated question (but the one re-ask of a figure the answer dodged, which names it
    # on purpose), praise names its object, no early wrap-up
    earlier = {q for m in played.history if m.role is Role.INTERVIEWER for q in _questions(m.content)}
    again = meta.get("asked_again") if meta.get("kind") == "figure_again" else None
    repeated = [q for q in _questions(text) if q in earlier and (again is None or q not in _questions(again))]
    if repeated:
        problems.append(f"asks again: {repeated[0]!r}")
    named = specific_words(s.say)
    for sentence in praise:
        if not set(words(sentence)) & named:
            problems.append(f"praise without its object: {sentence!r}")
    early = played.now < T0 + timedelta(minutes=WRAP_UP_SHARE * s.minutes)
    if early and not expect.wraps_up and not _ENDING.search(_norm(s.say)) and is_wrap_up(turn, played.session.stage):
        problems.append(f"wraps up at minute {s.at:g} of {s.minutes} (move: {meta.get('kind')}, {turn.stage.value})")
    return problems

"""The built-in offline interviewer: coverage-driven, deterministic, no network.

It reads the whole chat each time and keeps no state of its own, so a reload, a second tab or a
server restart continues exactly where the interview was: what it already asked, hinted or
revealed is recovered from the `meta` of its earlier messages (e.g. {"kind": "probe",
"topic": "caching", "question": "..."}).

Each reply follows one priority order: time up → "let's end" or "move on" request → clarifying
questions (every one in the message, from the problem's facts) → an off-topic answer brought back to
the problem → the right answer when the candidate is stuck after a challenge → a challenge of a wrong
claim as it is said (core.interview.challenges: the candidate's own words and a hint) → summary at
the end → stuck → technology list without reasoning → vague answer → stage complete → probe an
uncovered topic (deeper after strong answers).

Time is used as planned (core.interview.pacing): a design stage covered early goes deeper before it
moves on, the deep dive lasts until the plan's wrap-up (85% of the time) with harder questions, ten
times the load and failure drills (core.interview.deeper), and nothing wraps up before that unless the
candidate asks to end. Topics the candidate covered anywhere are not probed again, and an
acknowledgement quotes what it acknowledges (core.interview.praise) or there is none.

When the candidate has drawn on the whiteboard, a probe may instead be about the drawing
(core.whiteboard.analysis's analysis): components that are not connected, the failure modes of what is
drawn (a hot key on the cache, replica lag on the database), or what the reference design has
and the board lacks ("where do the images live?"). Once per stage early on, every other probe later.

The session's level sets the depth (LEVEL_PLANS): juniors get the basic follow-ups and a hint at
the first sign of being stuck; seniors and staff get the harder follow-ups after one strong
answer rather than two, and staff are also probed on trade-offs and evolution in the later
stages even when they have covered them. Every probe says how deep it went in meta["depth"].
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from core.content.misconceptions import Misconception
from core.content.problems import Problem, ProblemBank
from core.content.rubrics import Rubric, Topic
from core.content.text_signals import (
    TECH_TERMS,
    NumericClaim,
    content_words,
    figure_claim,
    has_phrase,
    is_bare_list,
    is_buzzword_list,
    is_check_in,
    is_stuck,
    is_vague,
    list_items,
    normalize,
    question_sentences,
    sentences,
    signals,
    topic_positions,
    topics_in,
    word_count,
    words,
)
from core.correctness.answers import figure_question, gives_figure
from core.correctness.findings import Finding, FindingKind
from core.correctness.reader import check_statement, misconceptions_for
from core.correctness.relevance import relevance
from core.errors import ContentError
from core.interview.challenges import (
    CHALLENGED_KINDS,
    Challenge,
    figure_parts,
    from_finding,
    quote,
    reveal_text,
    stuck_on,
)
from core.interview.clarifying import Matched, match_questions
from core.interview.clarifying import stem as _stem
from core.interview.deeper import deeper_questions
from core.interview.pacing import (
    STAGE_SHARES,
    early_in_stage,
    may_wrap_up,
    stage_minutes,
    stage_over_time,
)
from core.interview.praise import ACKS, acknowledgement, quote_for
from core.models import Level, Message, Role, Session, Stage
from core.whiteboard.analysis import BoardAnalysis

__all__ = ["LEVEL_PLANS", "MAX_ANSWERS", "STAGE_SHARES", "OfflineInterviewer", "Turn", "stage_minutes"]

MAX_ANSWERS: dict[Stage, int] = {
    Stage.REQUIREMENTS: 4,
    Stage.ESTIMATION: 4,
    Stage.HIGH_LEVEL_DESIGN: 5,
    Stage.DEEP_DIVE: 6,
    Stage.WRAP_UP: 4,
}
"""Candidate answers (not questions) after which a stage moves on even with topics left."""

_GENERIC_PROMPTS: dict[Stage, str] = {
    Stage.REQUIREMENTS: "What should the system do, what is out of scope, and which qualities matter most?",
    Stage.ESTIMATION: "Let's size it: requests per second, storage over the retention period, and bandwidth.",
    Stage.HIGH_LEVEL_DESIGN: "Sketch the design: the API, the main components and the path of one request.",
    Stage.DEEP_DIVE: "Let's go deeper on the hardest part: how does it scale, and what happens on failure?",
    Stage.WRAP_UP: "We're near the end: where does this design break first, and can you summarise it?",
}

_DETAIL_ASKS: dict[Stage, str] = {
    Stage.REQUIREMENTS: "Name the concrete features, and put a number on the qualities that matter — a "
    "latency or availability target, for example.",
    Stage.ESTIMATION: "Put numbers on it and show the arithmetic: per day, per second, and the size of one record.",
    Stage.HIGH_LEVEL_DESIGN: "Which component does what, and how does a request flow through them?",
    Stage.DEEP_DIVE: "What exactly happens, step by step, and why does it hold up at our scale?",
    Stage.WRAP_UP: "Name the component and roughly the load at which it breaks.",
}

_MOVE_ON = (
    "move on", "moving on", "next stage", "next section", "next part", "next phase", "let's proceed",
    "shall we proceed", "can we proceed", "ready to move", "i'm done with", "that's all i have",
    "nothing else to add", "nothing more to add", "that's everything", "skip this",
)  # fmt: skip
_REPEAT = (
    "what do you mean", "can you repeat", "repeat the question", "rephrase", "didn't understand",
    "don't understand", "what was the question", "say that again", "not sure what you mean",
)  # fmt: skip
_HINT_REQUEST = ("hint", "a nudge", "help me", "give me a clue", "any tips")
_END = (
    "wrap up", "wrap it up", "wrap this up", "wrap things up", "end the interview", "end this interview",
    "finish the interview", "finish this interview", "stop the interview", "call it a day", "i'm done", "i am done",
    "that's my design", "that is my design", "that's my final design",
)  # fmt: skip
"""The candidate ends the interview (a short message with one of these, not "done with X")."""
_ANSWER_GENERIC = {
    "happens", "happen", "exactly", "would", "does", "need", "needs", "make", "much", "many", "big", "way", "work",
    "works", "kind", "sort",
}  # fmt: skip
"""Question words that say nothing about what a question asks."""


@dataclass(frozen=True)
class LevelPlan:
    """How deep the interview goes for one level."""

    harder_after: int | None  # strong answers in a stage before a harder follow-up; None: never
    harder_per_stage: int  # harder follow-ups per stage at most
    hint_after_stuck: int  # 1: "I don't know" gets a hint at once; 2: first a prompt to reason it out
    hint_after_vague: int  # 1: a vague answer gets a hint at once; 2: first a request for detail
    angle_probes: bool  # once per later stage, probe trade-offs or evolution even when covered
    expectation: str  # what the opening says is expected


LEVEL_PLANS: dict[Level, LevelPlan] = {
    Level.JUNIOR: LevelPlan(
        None, 0, 1, 1, False,
        "At this level I'm looking for a working design and clear reasoning; if you get stuck, say so "
        "and I'll give you a hint.",
    ),
    Level.MID: LevelPlan(
        2, 1, 2, 2, False,
        "At this level I'm looking for a complete, working design with sensible numbers; where your "
        "answers are strong I'll dig deeper.",
    ),
    Level.SENIOR: LevelPlan(
        1, 1, 2, 2, False,
        "At this level I'll expect you to drive the discussion and go deep on trade-offs; I'll push on "
        "the hard parts early.",
    ),
    Level.STAFF: LevelPlan(
        1, 2, 2, 2, True,
        "At this level I'll expect you to drive the discussion, go deep on trade-offs and say how the "
        "design should evolve; I'll probe trade-offs and evolution even where you've covered the basics.",
    ),
}  # fmt: skip

_ANGLE_STAGES = (Stage.HIGH_LEVEL_DESIGN, Stage.DEEP_DIVE, Stage.WRAP_UP)
_DECISION_TOPICS = (
    "database_choice", "data_model_schema", "caching", "sharding", "consistency", "replication",
    "async_processing", "hotspots", "failure_handling", "core_components", "request_flow", "api_design",
)  # fmt: skip
_ANSWERED_SHARE = 0.6  # share of a question's content words already said that makes it answered


@dataclass
class Turn:
    """One interviewer message: what to say, which stage it belongs to, and why (meta)."""

    text: str
    stage: Stage
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _State:
    """Everything a reply needs, recovered from the session and the chat."""

    session: Session
    now: datetime
    stage: Stage
    stage_started: datetime | None
    stage_topics: list[str]
    latest: Message
    stage_answers: list[Message]  # candidate messages in this stage that are not only questions
    covered: set[str]  # stage topics the candidate has shown (in any stage: covered is not asked again)
    covered_before: set[str]  # … before the latest message
    harder_in_stage: int  # harder follow-ups already asked in this stage
    asked: list[str]  # every question text the interviewer asked (meta) or said (content)
    probes: Counter[str]  # topic -> times probed, whole interview
    hints: set[str]
    facts_told: set[int]
    previous: Message | None  # the interviewer message before the latest candidate message
    time_up: bool
    n: int  # length of the chat: picks wording deterministically
    level: Level = Level.MID
    strong_since_harder: int = 0  # strong candidate answers in this stage since its last harder follow-up
    misconceptions_raised: set[int] = field(default_factory=set)
    figures_raised: set[str] = field(default_factory=set)
    angle_in_stage: bool = False  # a trade-off/evolution probe was already asked in this stage
    board: BoardAnalysis | None = None  # the latest whiteboard drawing, read (None: nothing drawn)
    board_in_stage: int = 0  # probes about the drawing already asked in this stage
    challenged: set[str] = field(default_factory=set)  # keys of the mistakes already challenged
    end_requested: bool = False  # the candidate asked to end: the interview may wrap up early
    said: frozenset[str] = frozenset()  # stems of the words in the candidate's statements so far

    @property
    def previous_kind(self) -> str | None:
        return self.previous.meta.get("kind") if self.previous else None

    @property
    def previous_challenge(self) -> dict[str, Any] | None:
        """The challenge the interviewer's last message made (alone, or after answering questions)."""
        if self.previous is None:
            return None
        meta = self.previous.meta
        found = meta if meta.get("kind") == "pushback" else meta.get("challenge")
        return found if isinstance(found, dict) and found.get("reveal") else None

    @property
    def previous_reason(self) -> str | None:
        return self.previous.meta.get("reason") if self.previous else None

    @property
    def plan(self) -> LevelPlan:
        return LEVEL_PLANS[self.level]


DODGE_WORDS = 12
"""An answer this long without the figure asked for is about something else; a shorter one is still thinking."""


class OfflineInterviewer:
    """Coverage-driven interviewer over one problem and one rubric."""

    name = "offline"

    def __init__(self, problem: Problem, rubric: Rubric, *, bank: ProblemBank | None = None) -> None:
        self.problem = problem
        self.rubric = rubric
        self.bank = bank  # the other problems: an off-topic answer is named by the problem it belongs to
        self.topics: dict[str, Topic] = {**rubric.topics, **problem.extra_topics}
        self._terms = list(problem.components)  # domain nouns, on top of the built-in technology words
        self._vocabulary = (*problem.components, *problem.vocabulary, *rubric.vocabulary)  # what names something
        self._figures: list[tuple[int, str, NumericClaim]] = [
            (i, name, figure_claim(name, value))
            for i, fact in enumerate(problem.facts)
            for name, value in fact.figures.items()
        ]
        self._readings: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._figure_values = {name: value for fact in problem.facts for name, value in fact.figures.items()}
        self._misconceptions = misconceptions_for(problem, rubric)  # the problem's own first, then the rubric's

    # --- public surface ----------------------------------------------------------------------

    def opening(self, session: Session) -> Turn:
        """Greet, state the problem, lay out the stages and their time, invite questions."""
        minutes = session.duration_minutes
        plan = ", ".join(f"{stage.label.lower()} ~{m} min" for stage, m in stage_minutes(minutes).items())
        statement = "\n\n".join(_paragraphs(self.problem.statement))
        level_note = f" {LEVEL_PLANS[session.level].expectation}"
        text = (
            f"Hi, I'll be your interviewer today. The problem: **{self.problem.title}**.\n\n"
            f"{statement}\n\n"
            f"We have {minutes} minutes, roughly: {plan}. Think out loud, and ask me clarifying questions "
            f"whenever you need numbers — I'll tell you what the problem defines.{level_note}\n\n"
            f"{self._stage_prompt(Stage.REQUIREMENTS)}"
        )
        return Turn(text, Stage.REQUIREMENTS, {"kind": "opening", "level": session.level.value})

    def reply(
        self, session: Session, history: list[Message], now: datetime, board: BoardAnalysis | None = None
    ) -> Turn:
        """The next interviewer turn; a pure function of its arguments (`board`: the latest drawing, read)."""
        if not history:
            return self.opening(session)
        state = self._state(session, history, now)
        if state is None:
            return self._nudge(session, history)
        state.board = board if board is not None and not board.is_empty else None
        if any(m.meta.get("kind") == "closing" for m in history if m.role is Role.INTERVIEWER):
            return self._after_closing(state)

        over_time = session.duration_minutes > 0 and session.elapsed_seconds(now) >= session.duration_minutes * 60
        if over_time and not state.time_up:
            return self._time_up(session, state)

        text = state.latest.content
        questions = [q for q in question_sentences(text) if not is_check_in(q)]
        short = word_count(text) <= 25
        statement = self._statement_part(text, questions)

        if short and has_phrase(text, _END) and not has_phrase(text, ("done with",)):
            return self._end_requested(state)
        if short and has_phrase(text, _MOVE_ON):
            return self._advance(state, "request")
        challenges = self._challenges(state, statement) if statement and not state.time_up else []
        if questions:
            matched = match_questions(questions, self.problem.facts, text)
            if matched.facts:
                return self._answer(state, matched, challenges[0] if challenges else None)
        if not state.time_up:
            off_topic = self._off_topic(state, text)
            if off_topic:
                return off_topic
            previous = state.previous_challenge
            if previous and (stuck_on(text, {c.key for c in challenges}, previous) or has_phrase(text, _HINT_REQUEST)):
                return self._reveal(state, previous)
            if challenges:
                return self._challenge(state, challenges[0])
            if not questions and (again := self._figure_again(state, text)):
                return again
        if questions:
            if has_phrase(text, _REPEAT):
                return self._rephrase(state)
            if has_phrase(text, _HINT_REQUEST):
                return self._hint(state, after="request")
            if is_stuck(text):
                return self._stuck(state)
            # a question in passing ("what if X fails? we retry…") is rhetorical: treat the rest as the answer
            if sentences(text)[-1] in questions or not statement:
                return self._assumption(state)
        if not statement and any(is_check_in(x) for x in sentences(text)):
            return self._probe(state, lead=("Yes, that works so far.", "So far so good.")[state.n % 2])
        if (state.stage is Stage.WRAP_UP or state.time_up) and self._is_summary(state):
            return self._close(state)
        if is_stuck(text):
            return self._stuck(state)
        if (
            state.stage not in (Stage.REQUIREMENTS, Stage.ESTIMATION)
            and state.previous_reason != "buzzwords"
            and is_buzzword_list(text, self._terms)
        ):
            return self._pushback(state)
        if is_vague(statement):
            if state.previous_reason in ("misconception", "numbers", "revealed"):
                return self._probe(state, lead=("Thanks for re-checking.", "Okay, noted.", "Let's go on.")[state.n % 3])
            if state.plan.hint_after_vague <= 1 or state.previous_kind == "detail":
                return self._hint(state, after="vague")  # vague twice (or a junior): help rather than ask again
            return self._ask_detail(state)

        reason = self._stage_complete(state)
        if reason == "coverage":
            angle = self._angle_probe(state)
            if angle:
                return angle
        if reason:
            return self._advance(state, reason)
        return self._probe(state)

    def coverage(self, session: Session, history: list[Message]) -> dict[str, bool]:
        """Current stage's topics and whether the candidate has shown each (for a checklist UI)."""
        stage = self._current_stage(session, history)
        start = self._stage_start_index(stage, history)
        covered = self._covered(history[start:])
        return {t: t in covered for t in self._stage_topics(stage)}

    # --- recovering state from the chat -------------------------------------------------------

    def _state(self, session: Session, history: list[Message], now: datetime) -> _State | None:
        if history[-1].role is not Role.CANDIDATE:
            return None
        stage = self._current_stage(session, history)
        start = self._stage_start_index(stage, history)
        in_stage = history[start:]
        candidate_msgs = [m for m in in_stage if m.role is Role.CANDIDATE]
        answers = [m for m in candidate_msgs if self._statement_part(m.content, question_sentences(m.content))]
        interviewer = [m for m in history if m.role is Role.INTERVIEWER]
        asked = [m.meta["question"] for m in interviewer if m.meta.get("question")]
        asked += [m.content for m in interviewer]
        previous = next((m for m in reversed(history[:-1]) if m.role is Role.INTERVIEWER), None)
        facts_told = {i for m in interviewer for i in m.meta.get("facts", [])}
        stage_topics = self._stage_topics(stage)
        strong_since_harder = 0
        for m in in_stage:
            if m.role is Role.INTERVIEWER and m.meta.get("depth") == "harder":
                strong_since_harder = 0
            elif m.role is Role.CANDIDATE and _is_strong(m.content):
                strong_since_harder += 1
        pushbacks = [m.meta for m in interviewer if m.meta.get("kind") == "pushback"]
        pushbacks += [m.meta["challenge"] for m in interviewer if isinstance(m.meta.get("challenge"), dict)]
        readings = [self._read(m.content) for m in history if m.role is Role.CANDIDATE]
        shown_before = set().union(*(shown for shown, _ in readings[:-1]))
        return _State(
            session=session,
            now=now,
            stage=stage,
            stage_started=self._stage_started(session, stage, history, start),
            stage_topics=stage_topics,
            latest=history[-1],
            stage_answers=answers,
            covered=(shown_before | readings[-1][0]) & set(stage_topics),
            covered_before=shown_before & set(stage_topics),
            harder_in_stage=sum(1 for m in in_stage if m.meta.get("depth") == "harder"),
            asked=asked,
            probes=Counter(m.meta["topic"] for m in interviewer if m.meta.get("kind") == "probe" and "topic" in m.meta),
            hints={m.meta["hint"] for m in interviewer if m.meta.get("kind") == "hint" and m.meta.get("hint")},
            facts_told=facts_told,
            previous=previous,
            time_up=any(m.meta.get("kind") == "time_up" for m in interviewer),
            n=len(history),
            level=session.level,
            strong_since_harder=strong_since_harder,
            misconceptions_raised={p["misconception"] for p in pushbacks if isinstance(p.get("misconception"), int)},
            figures_raised={p["figure"] for p in pushbacks if p.get("figure")},
            angle_in_stage=any(m.meta.get("angle") for m in in_stage if m.role is Role.INTERVIEWER),
            board_in_stage=sum(1 for m in in_stage if m.role is Role.INTERVIEWER and m.meta.get("board")),
            challenged={str(p["key"]) for p in pushbacks if p.get("key")},
            end_requested=any(m.meta.get("reason") == "end" for m in interviewer),
            said=frozenset().union(*(stems for _, stems in readings)),
        )

    @staticmethod
    def _current_stage(session: Session, history: list[Message]) -> Stage:
        """The later of the session's stage and the last stage the chat moved to."""
        order = list(Stage)
        stage = session.stage
        for m in history:
            if m.role is Role.INTERVIEWER and m.meta.get("kind") in ("stage", "time_up"):
                try:
                    moved = Stage(str(m.meta.get("stage")))
                except ValueError:
                    continue
                if order.index(moved) > order.index(stage):
                    stage = moved
        return stage

    @staticmethod
    def _stage_start_index(stage: Stage, history: list[Message]) -> int:
        for i in range(len(history) - 1, -1, -1):
            m = history[i]
            if (
                m.role is Role.INTERVIEWER
                and m.meta.get("kind") in ("stage", "time_up")
                and m.meta.get("stage") == stage.value
            ):
                return i + 1
        if stage is Stage.REQUIREMENTS:
            return 0
        # moved by hand (no stage message): the first message stored in this stage
        return next((i for i, m in enumerate(history) if m.stage is stage), len(history))

    @staticmethod
    def _stage_started(session: Session, stage: Stage, history: list[Message], start: int) -> datetime | None:
        if session.stage is stage and session.stage_started_at is not None:
            return session.stage_started_at
        if 0 < start <= len(history) and history[start - 1].created_at is not None:
            return history[start - 1].created_at
        return session.started_at if stage is Stage.REQUIREMENTS else None

    def _stage_topics(self, stage: Stage) -> list[str]:
        plan = self.problem.stages.get(stage)
        if plan:
            return [t for t in plan.topics if t in self.topics]
        return [k for k, t in self.rubric.topics.items() if t.stage == stage.value]

    def _read(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """One candidate message, read once per interviewer: the topics its statements show and the
        stems of their words (what the candidate has said, so it is not asked again)."""
        reading = self._readings.get(text)
        if reading is None:
            statement = self._statement_part(text, question_sentences(text))
            shown = frozenset(
                t for s in sentences(text) if not s.rstrip().endswith("?") for t in topics_in(s, self.topics)
            )
            reading = shown, frozenset(_stem(w) for w in content_words(statement))
            self._readings[text] = reading
        return reading

    def _covered(self, messages: list[Message]) -> set[str]:
        """Topics shown in the candidate's statements (asking about caching is not showing it)."""
        covered: set[str] = set()
        for m in messages:
            if m.role is not Role.CANDIDATE:
                continue
            for s in sentences(m.content):
                if not s.rstrip().endswith("?"):
                    covered |= topics_in(s, self.topics)
        return covered

    @staticmethod
    def _statement_part(text: str, questions: list[str]) -> str:
        """The text without its question and check-in sentences."""
        asked = set(questions)
        return " ".join(s for s in sentences(text) if s not in asked and not is_check_in(s))

    # --- the turns ----------------------------------------------------------------------------

    def _answer(self, state: _State, matched: Matched, challenge: Challenge | None = None) -> Turn:
        """Every clarifying question of the message answered; one no fact covers is left to the candidate,
        and a mistake said in the same message is challenged after the answers."""
        facts = matched.facts
        parts = []
        for i in facts:
            answer = " ".join(self.problem.facts[i].answer.split())
            parts.append(f"As I mentioned, {answer[0].lower()}{answer[1:]}" if i in state.facts_told else answer)
        for question in matched.unanswered:
            parts.append(f"As for “{quote(question)}” — that's your call: state an assumption and carry on.")
        lead = ("", "Sure. ", "Okay. ")[state.n % 3] if not set(facts) <= state.facts_told else ""
        meta: dict[str, Any] = {"kind": "answer", "facts": facts}
        if matched.unanswered:
            meta["unanswered"] = list(matched.unanswered)
        tail = ""
        if challenge is not None:
            tail = f" {challenge.text(state.n)}"
            meta["challenge"] = challenge.meta()
        elif state.stage is Stage.REQUIREMENTS and not matched.unanswered:
            tail = ("", " What else would you like to know?", " Anything else before you list requirements?")[
                state.n % 3
            ]
        return Turn(f"{lead}{' '.join(parts)}{tail}", state.stage, meta)

    def _assumption(self, state: _State) -> Turn:
        text = (
            "The problem doesn't pin that down — make a reasonable assumption, say it out loud, carry on.",
            "That's your call. Pick a sensible assumption, tell me what it is and why, and we'll go with it.",
            "I'll leave that to you: state your assumption and the reason for it, then keep going.",
        )[state.n % 3]
        return Turn(text, state.stage, {"kind": "assumption"})

    def _rephrase(self, state: _State) -> Turn:
        topic_key = state.previous.meta.get("topic") if state.previous else None
        if topic_key in self.topics:
            text = f"Let me put it another way: {self.topics[topic_key].probe}"
        else:
            text = f"Let me put it another way: {self._stage_prompt(state.stage)}"
        return Turn(text, state.stage, {"kind": "rephrase", **({"topic": topic_key} if topic_key else {})})

    def _stuck(self, state: _State) -> Turn:
        """ "I don't know": a hint for juniors (or when already struggling); others first reason it out."""
        if state.plan.hint_after_stuck <= 1 or state.previous_kind in ("encourage", "hint", "detail"):
            return self._hint(state, after="stuck")
        topic_key = self._focus_topic(state)
        text = (
            "That's fine — think out loud. What's the simplest thing that could work here, even if it "
            "wouldn't scale, and what would worry you about it?",
            "No problem. Take a guess and reason from what you know: what would you try first, and why?",
            "Let's reason it through together: what does this part need to guarantee, and what's one way to get that?",
        )[state.n % 3]
        meta: dict[str, Any] = {"kind": "encourage"}
        if topic_key:
            meta["topic"] = topic_key
        return Turn(text, state.stage, meta)

    def _focus_topic(self, state: _State) -> str | None:
        """The topic under discussion: the one last asked about, or the first uncovered one."""
        topic_key = state.previous.meta.get("topic") if state.previous else None
        if topic_key in self.topics:
            return topic_key
        uncovered = [t for t in state.stage_topics if t not in state.covered]
        return uncovered[0] if uncovered else (state.stage_topics[0] if state.stage_topics else None)

    def _hint(self, state: _State, *, after: str = "stuck") -> Turn:
        topic_key = state.previous.meta.get("topic") if state.previous else None
        if topic_key not in self.topics:
            uncovered = [t for t in state.stage_topics if t not in state.covered]
            topic_key = uncovered[0] if uncovered else (state.stage_topics[0] if state.stage_topics else None)
        if topic_key is None:
            return self._probe(state)
        pool = [*self.problem.hints.get(topic_key, []), self.topics[topic_key].hint]
        fresh = [h for h in pool if h and h not in state.hints]
        if not fresh:
            return self._probe(state, exclude={topic_key}, lead="Let's park that and come back to it later.")
        hint = " ".join(fresh[0].split())
        lead = ("Here's a nudge: ", "A hint: ", "Try this angle: ")[state.n % 3]
        tail = (" How would you apply that here?", " What would you do with that?", " Take it from there.")[state.n % 3]
        meta = {"kind": "hint", "topic": topic_key, "hint": fresh[0], "after": after}
        return Turn(f"{lead}{hint}{tail}", state.stage, meta)

    def _pushback(self, state: _State) -> Turn:
        items = [i for i in list_items(state.latest.content) if words(i)][:5]
        named = _join([self._display(i, state.latest.content) for i in items])
        ask = (
            "How do they fit together? Walk me through one request and tell me why each piece is there.",
            "Why each of those — what problem does each one solve here, and what breaks without it?",
            "That's a list of parts; I'd like the reasoning. Take the most important one: why is it here, "
            "and what does it cost us?",
        )[state.n % 3]
        return Turn(f"You've named {named}. {ask}", state.stage, {"kind": "pushback", "reason": "buzzwords"})

    def _challenges(self, state: _State, statement: str) -> list[Challenge]:
        """The mistakes in a statement not challenged before, in the order the correctness reader finds them:
        the candidate's own arithmetic, figures against the problem's facts of the same kind, known misconceptions."""
        found = []
        for finding in check_statement(statement, self.problem, self.rubric):
            if finding.kind not in CHALLENGED_KINDS:
                continue
            if finding.kind is FindingKind.MISCONCEPTION:
                challenge = self._misconception_challenge(state, finding)
            elif finding.kind is FindingKind.FIGURE:
                challenge = self._figure_challenge(state, finding)
            else:
                challenge = from_finding(finding)
            if challenge is not None and challenge.key not in state.challenged:
                found.append(challenge)
        return found

    def _misconception_challenge(self, state: _State, finding: Finding) -> Challenge | None:
        """A known wrong claim: its own question as the hint, its truth (or the topic's answer) when stuck; once."""
        for i, misconception in enumerate(self._misconceptions):
            said = misconception.truth or misconception.correction
            if said != finding.explanation or misconception.topic != finding.topic:
                continue
            question = " ".join(misconception.correction.split())
            own = i < len(self.problem.misconceptions)  # the problem's own, by index; then the rubric's
            if (own and i in state.misconceptions_raised) or _was_asked(question, state.asked):
                return None
            extra: tuple[tuple[str, Any], ...] = (("misconception", i),) if own else (("general_misconception", i),)
            topic = misconception.topic if misconception.topic in self.topics else None
            reveal = " ".join(misconception.truth.split()) or self._right_claim(misconception)
            return replace(
                from_finding(finding, hint=question, reveal=reveal, key=f"misconception:{i}", extra=extra), topic=topic
            )
        return from_finding(finding)

    def _right_claim(self, misconception: Misconception) -> str:
        """What to say when the candidate is stuck on a misconception with no stated truth: the topic's
        statement-like hint that shares most words with the mistake (one phrased as a question or
        "think about…" comes last)."""
        topic = misconception.topic
        pool = [*self.problem.hints.get(topic or "", [])]
        if topic in self.topics and self.topics[topic].hint:
            pool.insert(0, self.topics[topic].hint)
        mistake = set(content_words(" ".join([misconception.correction, misconception.example])))

        def rank(hint: str) -> tuple[bool, int]:
            asks = hint.rstrip().endswith("?") or bool(re.match(r"(?i)(?:think|consider|try|ask)\b", hint))
            return asks, -len(set(content_words(hint)) & mistake)

        best = min(pool, key=rank) if pool else misconception.correction
        return " ".join(best.split())

    def _figure_challenge(self, state: _State, finding: Finding) -> Challenge | None:
        """A figure far from the problem's fact of its kind; the hint points at what was told, if it was."""
        amount, _ = figure_parts(finding.right or "")
        figure = next(((fact, name) for fact, name, f in self._figures if f.text == finding.right), None)
        told = bool(amount) and any(amount in " ".join(self.problem.facts[i].answer.split()) for i in state.facts_told)
        if figure is None:
            return from_finding(finding, told=told)
        fact, name = figure
        if name in state.figures_raised:
            return None
        extra: tuple[tuple[str, Any], ...] = (
            ("figure", name),
            ("stated", self._figure_values[name]),
            ("facts_revealed", [fact]),
        )
        return from_finding(finding, told=told, key=f"figure:{name}", extra=extra)

    def _challenge(self, state: _State, challenge: Challenge) -> Turn:
        return Turn(challenge.text(state.n), state.stage, challenge.meta())

    def _reveal(self, state: _State, previous: dict[str, Any]) -> Turn:
        """Stuck after a challenge: the right answer now, then carry on from it."""
        meta: dict[str, Any] = {"kind": "reveal", "key": previous.get("key"), "reason": "revealed"}
        if previous.get("topic"):
            meta["topic"] = previous["topic"]
        if previous.get("facts_revealed"):
            meta["facts"] = list(previous["facts_revealed"])
        return Turn(reveal_text(previous, state.n), state.stage, meta)

    def _off_topic(self, state: _State, text: str) -> Turn | None:
        """Bring an answer about another problem (core.correctness.relevance) back to this one, without praise."""
        found = relevance(text, self.problem, self.bank)
        return None if found.on_topic else self._redirect(state, found.closer_problem_id)

    def _redirect(self, state: _State, closer_problem_id: str | None) -> Turn:
        ours = _problem_noun(self.problem.title)
        closer = None
        if closer_problem_id and self.bank is not None and closer_problem_id != self.problem.id:
            try:
                closer = self.bank.get(closer_problem_id)
            except ContentError:
                closer = None
        lead = f"That sounds like {_problem_noun(closer.title)}" if closer else "That's away from our problem"
        back = f"{lead} — we're designing {ours}. Let's come back to it:"
        probe = self._probe_uncovered(state, back) or self._go_deeper(state, back)
        if probe is None:
            return Turn(f"{back} {self._stage_prompt(state.stage)}", state.stage, {"kind": "redirect"})
        meta: dict[str, Any] = {**probe.meta, "kind": "redirect"}
        if closer:
            meta["closer_problem"] = closer.id
        return Turn(probe.text, state.stage, meta)

    def _figure_again(self, state: _State, text: str) -> Turn | None:
        """Asked for a number, the candidate talked about something else (core.correctness.answers): ask once more,
        naming the question, without praise; a second dodge is left for the evaluation to weigh."""
        if state.previous is None or state.previous.meta.get("kind") == "figure_again" or gives_figure(text):
            return None
        if word_count(text) < DODGE_WORDS:  # "let me think about bandwidth": still working on it, not elsewhere
            return None
        asked = figure_question(state.previous.content)
        if asked is None:
            return None
        lead = ("That doesn't give me the number yet.", "Before we go on, I still need the figure.")[state.n % 2]
        ask = f"{lead} {asked} A rough figure is fine, or tell me how you would find it."
        return Turn(ask, state.stage, {"kind": "figure_again", "reason": "unanswered", "asked_again": asked})

    def _ask_detail(self, state: _State) -> Turn:
        text = state.latest.content
        tech = next((w for w in words(text) if w in TECH_TERMS), None)
        opener = ("Could you be more specific?", "Let's make that concrete.", "Say a bit more.")[state.n % 3]
        if tech and state.stage not in (Stage.REQUIREMENTS, Stage.ESTIMATION):
            ask = (
                f"Which {tech} exactly, and why is it the right fit here? Give me an example of what goes in "
                "it and how a request uses it."
            )
        else:
            ask = _DETAIL_ASKS[state.stage]
        topic_key = state.previous.meta.get("topic") if state.previous else None
        meta: dict[str, Any] = {"kind": "detail"}
        if topic_key:
            meta["topic"] = topic_key
        return Turn(f"{opener} {ask}", state.stage, meta)

    def _stage_complete(self, state: _State) -> str | None:
        if state.stage_topics and set(state.stage_topics) <= state.covered:
            return "coverage"
        if len(state.stage_answers) >= MAX_ANSWERS[state.stage]:
            return "turns"
        if stage_over_time(state.session, state.stage, state.stage_started, state.now):
            return "time"
        return None

    def _may_close(self, state: _State) -> bool:
        """Whether the interview may go to its summary and end: at time, near the planned end, or on request."""
        return state.time_up or state.end_requested or may_wrap_up(state.session, state.now)

    def _advance(self, state: _State, reason: str) -> Turn:
        nxt = state.stage.next()
        if not state.time_up and not state.end_requested:
            closing_early = nxt in (None, Stage.WRAP_UP) and not self._may_close(state)
            design_early = (
                state.stage is Stage.HIGH_LEVEL_DESIGN
                and reason == "coverage"
                and early_in_stage(state.session, state.stage, state.stage_started, state.now)
            )
            if closing_early or design_early:
                lead, exclude = "", set()
                if reason == "request":
                    lead = "Sure — let's look at another part."
                    exclude = {t for t in [self._focus_topic(state)] if t}
                kept = self._keep_going(state, lead=lead, exclude=exclude)
                if kept:
                    return kept
        if nxt is None or state.time_up:
            if not self._summary_asked(state):
                return self._ask_summary(state)
            return self._closing(state)
        ack = self._acknowledge(state)
        current, label = state.stage.label.lower(), nxt.label.lower()
        transition = {
            "coverage": (
                f"Let's move on to {label}.",
                f"That covers {current}; let's go to {label}.",
                f"On to {label}.",
            ),
            "turns": (f"Let's keep moving — {label} next.", f"In the interest of time, let's go to {label}."),
            "time": (f"We're past the time I'd planned for {current}, so let's move on to {label}.",),
            "request": (f"Sure, let's move on to {label}.", f"Okay — {label} next."),
            "exhausted": (f"Let's move on to {label}.",),
        }[reason]
        line = transition[state.n % len(transition)]
        text = " ".join(p for p in (ack, line, self._stage_prompt(nxt)) if p)
        return Turn(text, nxt, {"kind": "stage", "stage": nxt.value, "from": state.stage.value, "reason": reason})

    def _keep_going(
        self, state: _State, *, lead: str = "", exclude: set[str] | frozenset[str] = frozenset()
    ) -> Turn | None:
        """With time to spare: an uncovered topic of the stage, else a harder question; None when none is left."""
        ack = lead or self._acknowledge(state)
        return self._probe_uncovered(state, ack, exclude) or self._go_deeper(state, ack)

    def _go_deeper(self, state: _State, ack: str) -> Turn | None:
        """A harder follow-up on what was covered, ten times the load, or a failure drill (core.interview.deeper)."""
        covered = [t for t in state.stage_topics if t in state.covered]
        for deeper in deeper_questions(self.problem, state.stage_topics, covered, state.stage):
            if _was_asked(deeper.question, state.asked) or self._answered(deeper.question, state):
                continue
            meta: dict[str, Any] = {"kind": "probe", "question": deeper.question, "depth": "harder"}
            if deeper.topic:
                meta["topic"] = deeper.topic
            if deeper.drill:
                meta["drill"] = deeper.drill
            return Turn(_sentence(ack, deeper.question), state.stage, meta)
        return None

    def _end_requested(self, state: _State) -> Turn:
        """The candidate asks to end: the summary first (the interview may wrap up now), then the closing."""
        if self._summary_asked(state):
            return self._closing(state)
        question = self._summary_question()
        meta = {
            "kind": "stage",
            "stage": Stage.WRAP_UP.value,
            "from": state.stage.value,
            "reason": "end",
            "topic": "design_summary",
            "question": question,
        }
        return Turn(f"Sure, let's wrap up. {question}", Stage.WRAP_UP, meta)

    def _probe(self, state: _State, *, exclude: frozenset[str] | set[str] = frozenset(), lead: str = "") -> Turn:
        ack = lead or self._acknowledge(state)
        drawn = self._board_probe(state, ack)
        if drawn:
            return drawn
        harder = self._harder_follow_up(state) if not lead else None
        if harder:
            topic_key, question = harder
            meta = {"kind": "probe", "topic": topic_key, "question": question, "depth": "harder"}
            return Turn(_sentence(ack, question), state.stage, meta)
        uncovered = self._probe_uncovered(state, ack, exclude)
        if uncovered:
            return uncovered
        angle = self._angle_probe(state)
        if angle:
            return angle
        return self._advance(state, "coverage" if set(state.stage_topics) <= state.covered else "exhausted")

    def _probe_uncovered(
        self, state: _State, ack: str, exclude: frozenset[str] | set[str] = frozenset()
    ) -> Turn | None:
        """The next question on the least-probed topic of the stage the candidate has not covered."""
        order = {t: i for i, t in enumerate(state.stage_topics)}
        candidates = [
            t
            for t in state.stage_topics
            if t not in state.covered and t not in exclude and self._next_question(t, state)
        ]
        if not candidates:
            return None
        topic_key = min(candidates, key=lambda t: (state.probes[t], order[t]))
        question = self._next_question(topic_key, state)
        assert question is not None
        depth = "basic" if state.plan.harder_after is None else "normal"
        meta = {"kind": "probe", "topic": topic_key, "question": question, "depth": depth}
        return Turn(_sentence(ack, question), state.stage, meta)

    def _board_probe(self, state: _State, ack: str) -> Turn | None:
        """A question about the drawing: once per stage in requirements and estimation, then every other probe."""
        board = state.board
        if board is None or state.time_up:
            return None
        if state.previous is not None and state.previous.meta.get("board"):
            return None
        if state.stage in (Stage.REQUIREMENTS, Stage.ESTIMATION) and state.board_in_stage:
            return None
        for subject, topic_key, question in _board_questions(board):
            if not _was_asked(question, state.asked):
                meta: dict[str, Any] = {"kind": "probe", "question": question, "depth": "normal", "board": subject}
                if topic_key in self.topics:
                    meta["topic"] = topic_key
                return Turn(_sentence(ack, question), state.stage, meta)
        return None

    def _harder_follow_up(self, state: _State) -> tuple[str, str] | None:
        """After strong answers (one or two, by level), dig into what the latest covered with the last
        (hardest) unasked follow-up."""
        plan = state.plan
        if plan.harder_after is None or state.strong_since_harder < plan.harder_after:
            return None
        if state.previous and state.previous.meta.get("depth") == "harder":
            return None
        if state.harder_in_stage >= plan.harder_per_stage:
            return None
        uncovered = [t for t in state.stage_topics if t not in state.covered]
        if state.harder_in_stage and len(uncovered) > MAX_ANSWERS[state.stage] - len(state.stage_answers):
            return None  # more than one deep dig only while there is room to cover the rest
        if not _is_strong(state.latest.content):
            return None
        shown = topics_in(state.latest.content, self.topics)
        for topic_key in state.stage_topics:
            if topic_key in shown:
                unasked = [q for q in self.problem.follow_ups.get(topic_key, []) if not _was_asked(q, state.asked)]
                if unasked:
                    return topic_key, unasked[-1]
        return None

    def _angle_probe(self, state: _State) -> Turn | None:
        """Staff: before a later stage ends, one probe on the trade-offs (or, at wrap-up, the evolution)
        of the design — even when the candidate has already covered that topic."""
        if not state.plan.angle_probes or state.stage not in _ANGLE_STAGES or state.angle_in_stage or state.time_up:
            return None
        angle, preferred = (
            ("evolution", "evolution") if state.stage is Stage.WRAP_UP else ("tradeoff", "tradeoff_analysis")
        )
        ack = self._acknowledge(state)
        if preferred in state.stage_topics:
            pool = [*reversed(self.problem.follow_ups.get(preferred, [])), self.topics[preferred].probe]
            question = next((q for q in pool if q and not _was_asked(q, state.asked)), None)  # hardest first
            if question:
                meta = {"kind": "probe", "topic": preferred, "question": question, "depth": "harder", "angle": angle}
                return Turn(_sentence(ack, question), state.stage, meta)
        if angle == "evolution":
            topic_key: str | None = "evolution" if "evolution" in self.topics else next(iter(state.stage_topics), None)
            question = (
                "Suppose we're two years on with ten times the traffic. What in this design would you change "
                "first, and what would you keep?"
            )
        else:
            shown = topics_in(state.latest.content, self.topics)
            covered = [t for t in state.stage_topics if t in shown] or [
                t for t in state.stage_topics if t in state.covered
            ]
            if not covered:
                return None
            topic_key = min(covered, key=self._decision_weight)
            question = (
                f"Let's stress-test one decision — {_lower_name(self.topics[topic_key].name)}: what did your "
                "choice cost you, and what would make you change it as the system grows?"
            )
        if topic_key is None or _was_asked(question, state.asked):
            return None
        meta = {"kind": "probe", "topic": topic_key, "question": question, "depth": "harder", "angle": angle}
        return Turn(_sentence(ack, question), state.stage, meta)

    def _decision_weight(self, topic_key: str) -> int:
        """Which covered topic is most worth a trade-off question: the problem's own, then storage choices."""
        if topic_key in self.problem.extra_topics:
            return 0
        return _DECISION_TOPICS.index(topic_key) + 1 if topic_key in _DECISION_TOPICS else len(_DECISION_TOPICS) + 1

    def _next_question(self, topic_key: str, state: _State) -> str | None:
        pool = [*self.problem.follow_ups.get(topic_key, []), self.topics[topic_key].probe]
        return next((q for q in pool if q and not _was_asked(q, state.asked) and not self._answered(q, state)), None)

    @staticmethod
    def _answered(question: str, state: _State) -> bool:
        """Whether the candidate has already said what a question asks: most of its content words
        ("expired", "short link", "opens") are in their statements so far."""
        asked = {_stem(w) for w in content_words(question) if w not in _ANSWER_GENERIC}
        return len(asked) >= 3 and len(asked & state.said) >= _ANSWERED_SHARE * len(asked)

    def _summary_asked(self, state: _State) -> bool:
        return state.time_up or state.end_requested or state.probes["design_summary"] > 0

    def _ask_summary(self, state: _State) -> Turn:
        question = self._summary_question()
        ack = self._acknowledge(state)
        return Turn(
            _sentence(ack, question),
            Stage.WRAP_UP if state.time_up else state.stage,
            {"kind": "probe", "topic": "design_summary", "question": question, "depth": "normal"},
        )

    def _summary_question(self) -> str:
        follow_ups = self.problem.follow_ups.get("design_summary")
        if follow_ups:
            return follow_ups[0]
        topic = self.topics.get("design_summary")
        return topic.probe if topic else "Can you give me a one-minute summary of your design and its key decisions?"

    def _is_summary(self, state: _State) -> bool:
        text = state.latest.content
        if "design_summary" in topics_in(text, self.topics) and word_count(text) >= 12:
            return True
        asked_for_it = state.previous is not None and (
            state.previous.meta.get("kind") == "time_up" or state.previous.meta.get("topic") == "design_summary"
        )
        return asked_for_it and not is_vague(text)

    def _time_up(self, session: Session, state: _State) -> Turn:
        text = (
            f"We're at time — {session.duration_minutes} minutes. Please give me a one-minute summary of "
            "your design: the main components, how the main request flows, and the key trade-off you "
            "made. After that you can end the interview to see your evaluation."
        )
        return Turn(text, Stage.WRAP_UP, {"kind": "time_up", "stage": Stage.WRAP_UP.value})

    def _close(self, state: _State) -> Turn:
        """The summary is in: close — unless it came early, when the time left goes to harder questions."""
        if not self._may_close(state):
            kept = self._keep_going(state)
            if kept:
                return kept
        return self._closing(state)

    def _closing(self, state: _State) -> Turn:
        thanks = ("Thank you for the summary.", "Thanks, that wraps it up.", "Thank you.")[state.n % 3]
        text = (
            f"{thanks} That's the end of the interview. You can end it now to see your evaluation: a score "
            "per competency with quotes from your answers, and a study plan for the weakest areas."
        )
        return Turn(text, Stage.WRAP_UP, {"kind": "closing"})

    def _after_closing(self, state: _State) -> Turn:
        text = "We've wrapped up — press End interview whenever you're ready to see your evaluation."
        return Turn(text, state.stage, {"kind": "closing", "repeat": True})

    def _nudge(self, session: Session, history: list[Message]) -> Turn:
        stage = self._current_stage(session, history)
        last = next((m for m in reversed(history) if m.role is Role.INTERVIEWER), None)
        question = (last.meta.get("question") if last else None) or self._stage_prompt(stage)
        return Turn(f"Take your time. {question}", stage, {"kind": "nudge"})

    # --- wording ------------------------------------------------------------------------------

    def _stage_prompt(self, stage: Stage) -> str:
        plan = self.problem.stages.get(stage)
        return " ".join(plan.prompt.split()) if plan else _GENERIC_PROMPTS[stage]

    def _acknowledge(self, state: _State) -> str:
        """A nod quoting what the latest answer said for a topic it covered (core.interview.praise), a
        neutral "Okay." when it covered none, or nothing for a vague answer or a list of names."""
        text = state.latest.content
        statement = self._statement_part(text, question_sentences(text))
        if is_vague(text) or not statement:
            return ""
        if is_buzzword_list(text, self._terms) or is_bare_list(text):
            return ""  # no praise for a list of names
        positions = topic_positions(statement, self.topics)
        shown = set(positions)
        asked_about = state.previous.meta.get("topic") if state.previous else None
        before = state.covered_before
        ordered = (
            [t for t in [asked_about] if t in shown]
            + [t for t in state.stage_topics if t in shown and t not in before]
            + [t for t in state.stage_topics if t in shown and t in before]
            + sorted(shown - set(state.stage_topics), key=positions.__getitem__)
        )
        for key in dict.fromkeys(ordered):
            topic = self.topics[key]
            said = quote_for(statement, topic.phrases)
            if said and any(said in earlier for earlier in state.asked):
                continue  # acknowledged once already: the same words said again earn no second nod
            clause = ACKS.get(key) or f"that covers {_lower_name(topic.name)}"
            nod = acknowledgement(statement, key, topic.phrases, clause, state.n, self._vocabulary)
            if nod:
                return nod
        return ("Okay.", "Thanks.", "Got it.", "Noted.")[state.n % 4]

    @staticmethod
    def _display(item: str, original: str) -> str:
        """An item as the candidate wrote it (their capitalisation), falling back to the normalised text."""
        lowered = normalize(original)
        i = lowered.find(item)
        return original[i : i + len(item)] if i >= 0 and len(original) == len(lowered) else item


# Kind drawn on the board → (topic, question about it). The question names the board, so the candidate
# hears that the interviewer looked at the drawing.
_BOARD_PROBES: dict[str, tuple[str, str]] = {
    "cache": (
        "hotspots",
        "You've drawn a cache on the board. What happens when the cache node holding a hot key fails?",
    ),
    "load balancer": (
        "load_balancing",
        "How does the load balancer on your board notice that a server behind it is unhealthy, and what happens to "
        "the requests in flight?",
    ),
    "queue": (
        "async_processing",
        "What happens when the consumers of the queue on your board fall behind — and can a message be processed "
        "twice?",
    ),
    "cdn": ("caching", "What does the CDN on your board cache, and how do you invalidate it when something changes?"),
    "search index": ("consistency", "How does the search index on your board stay in sync with the source of truth?"),
    "object store": ("core_components", "What goes into the object store on your board, and how do clients read it?"),
    "id generator": (
        "failure_handling",
        "How does the ID generator on your board avoid handing out the same ID twice, and what if it goes down?",
    ),
    "websocket server": (
        "failure_handling",
        "One websocket server on your board restarts. What happens to the connections it was holding?",
    ),
    "worker": ("failure_handling", "A worker on your board crashes halfway through a job. What happens to that job?"),
    "api server": (
        "load_balancing",
        "Are the API servers on your board stateless? Where does the state they need live?",
    ),
}


# The parts whose failure modes say most about a design come first.
_BOARD_ORDER = ("cache", "database", "replica", *_BOARD_PROBES)


def _board_questions(board: BoardAnalysis) -> list[tuple[str, str, str]]:
    """(subject, topic, question) about a drawing, most pressing first: loose ends, then what is drawn,
    then what the reference design has and the board lacks."""
    questions: list[tuple[str, str, str]] = []
    loose = board.unconnected
    if len(loose) >= 2:
        a, b = loose[0], loose[1]
        questions.append(
            (
                f"unconnected:{a}|{b}",
                "request_flow",
                f"On your board the {a} and the {b} aren't connected. How does the {a} talk to the {b}?",
            )
        )
    elif loose and len(board.components) >= 2:
        questions.append(
            (
                f"unconnected:{loose[0]}",
                "request_flow",
                f"The {loose[0]} on your board isn't connected to anything. What talks to it, and what does it "
                "talk to?",
            )
        )
    for kind in sorted(board.components, key=lambda k: _BOARD_ORDER.index(k) if k in _BOARD_ORDER else 99):
        if kind in ("database", "replica"):
            if "replica" in board.components:
                question = (
                    "Your board has database replicas. What does a user see when a replica lags behind the primary?"
                )
            else:
                question = (
                    "The database on your board is a single box. What happens when it goes down, and how would "
                    "you replicate it?"
                )
            questions.append(("database", "replication", question))
        elif kind in _BOARD_PROBES:
            topic_key, question = _BOARD_PROBES[kind]
            questions.append((kind, topic_key, question))
    if "object store" in board.missing:
        questions.append(
            (
                "missing:object store",
                "core_components",
                "Where do the images and other large files live? I don't see an object store on the board.",
            )
        )
    if "cache" in board.missing and "database" in board.components:
        questions.append(
            (
                "missing:cache",
                "caching",
                "I don't see a cache on the board. Does every read go to the database, and is that fine at our load?",
            )
        )
    return questions


def _paragraphs(text: str) -> list[str]:
    """Paragraphs of a YAML text block, folded (one per line) or literal (blank-line separated)."""
    text = text.strip()
    blocks = text.split("\n\n") if "\n\n" in text else text.splitlines()
    return [" ".join(block.split()) for block in blocks if block.strip()]


def _lower_name(name: str) -> str:
    """ "Database choice" → "database choice", keeping acronyms: "API design" stays."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in name.split())


def _is_strong(text: str) -> bool:
    """An answer that reasons in several ways (numbers, why, trade-offs, failure), not just describes."""
    sig = signals(text)
    return sig.reasoning >= 3 or (sig.reasoning >= 2 and word_count(text) >= 35)


def _problem_noun(title: str) -> str:
    """ "Design a URL Shortener" → "a URL shortener"."""
    noun = re.sub(r"^design\s+", "", title.strip(), flags=re.IGNORECASE)
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in noun.split())


def _was_asked(question: str, asked: list[str]) -> bool:
    return any(question == a or question in a for a in asked)


def _sentence(lead: str, question: str) -> str:
    return f"{lead} {question}" if lead else question


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"

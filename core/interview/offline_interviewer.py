"""The built-in offline interviewer: coverage-driven, deterministic, no network.

It reads the whole chat each time and keeps no state of its own, so a reload, a second tab or a
server restart continues exactly where the interview was: what it already asked, hinted or
revealed is recovered from the `meta` of its earlier messages (e.g. {"kind": "probe",
"topic": "caching", "question": "..."}).

Each reply follows one priority order: time up → "move on" request → clarifying question →
pushback on a wrong claim (a known misconception of the problem, or a number off by 10x from a
stated figure) → summary at the end → stuck → technology list without reasoning → vague answer →
stage complete → probe an uncovered topic (deeper after strong answers).

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

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.content.problems import Problem
from core.content.rubrics import Rubric, Topic
from core.content.text_signals import (
    TECH_TERMS,
    NumericClaim,
    figure_claim,
    figure_distances,
    has_phrase,
    is_bare_list,
    is_buzzword_list,
    is_check_in,
    is_stuck,
    is_vague,
    list_items,
    normalize,
    numeric_claims,
    question_sentences,
    sentences,
    signals,
    topic_positions,
    topics_in,
    word_count,
    words,
)
from core.models import Level, Message, Role, Session, Stage
from core.whiteboard.analysis import BoardAnalysis

STAGE_SHARES: dict[Stage, float] = {
    Stage.REQUIREMENTS: 0.15,
    Stage.ESTIMATION: 0.10,
    Stage.HIGH_LEVEL_DESIGN: 0.30,
    Stage.DEEP_DIVE: 0.30,
    Stage.WRAP_UP: 0.15,
}
"""Share of the interview each stage gets; a stage over its share moves on."""

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

_ACKS: dict[str, str] = {
    "functional_requirements": "the core features are clear",
    "non_functional_requirements": "latency and availability targets will guide the design",
    "scope_clarification": "stating scope and assumptions keeps us focused",
    "traffic_estimate": "that traffic estimate gives us something to design against",
    "storage_estimate": "now we know how much data we're dealing with",
    "bandwidth_estimate": "bandwidth is worth checking",
    "api_design": "a clear API pins down the contract",
    "core_components": "those components give us the skeleton",
    "request_flow": "walking a request through makes the design concrete",
    "load_balancing": "a load balancer over stateless servers lets us scale out",
    "data_model_schema": "the data model is taking shape",
    "database_choice": "the store should follow the access pattern",
    "caching": "a cache in front of the store takes most reads off it",
    "sharding": "partitioning spreads both the data and the load",
    "async_processing": "moving work off the request path keeps it fast",
    "hotspots": "good to think about the outliers, not just the averages",
    "replication": "replicas protect the data and spread the reads",
    "consistency": "being explicit about consistency matters here",
    "failure_handling": "planning for failure is what keeps this up",
    "rate_limiting": "rate limits protect us from abuse and floods",
    "monitoring": "you'll want to see problems before users do",
    "security": "security is easy to forget, so good",
    "tradeoff_analysis": "naming the trade-off is exactly what I want to hear",
    "bottlenecks": "knowing where it breaks first is key",
    "evolution": "good to know where this goes next",
    "design_summary": "that's a clear summary",
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
_ORDER_OF_MAGNITUDE = 1.0  # log10 of the ratio at which a number contradicts a stated figure
_NEAR = math.log10(1.5)  # figures within 1.5x of the closest one are equally good to quote


def stage_minutes(duration_minutes: int) -> dict[Stage, int]:
    """Whole minutes per stage that add up to the interview length (largest remainder first)."""
    exact = {stage: duration_minutes * share for stage, share in STAGE_SHARES.items()}
    minutes = {stage: int(value) for stage, value in exact.items()}
    by_remainder = sorted(exact, key=lambda st: -(exact[st] - minutes[st]))
    for stage in by_remainder[: duration_minutes - sum(minutes.values())]:
        minutes[stage] += 1
    return minutes


@dataclass
class Turn:
    """One interviewer message: what to say, which stage it belongs to, and why (meta)."""

    text: str
    stage: Stage
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class _State:
    """Everything a reply needs, recovered from the session and the chat."""

    stage: Stage
    stage_started: datetime | None
    stage_topics: list[str]
    latest: Message
    stage_answers: list[Message]  # candidate messages in this stage that are not only questions
    covered: set[str]  # stage topics the candidate has shown in this stage
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

    @property
    def previous_kind(self) -> str | None:
        return self.previous.meta.get("kind") if self.previous else None

    @property
    def previous_reason(self) -> str | None:
        return self.previous.meta.get("reason") if self.previous else None

    @property
    def plan(self) -> LevelPlan:
        return LEVEL_PLANS[self.level]


class OfflineInterviewer:
    """Coverage-driven interviewer over one problem and one rubric."""

    name = "offline"

    def __init__(self, problem: Problem, rubric: Rubric) -> None:
        self.problem = problem
        self.rubric = rubric
        self.topics: dict[str, Topic] = {**rubric.topics, **problem.extra_topics}
        self._terms = list(problem.components)  # domain nouns, on top of the built-in technology words
        self._figures: list[tuple[int, str, NumericClaim]] = [
            (i, name, figure_claim(name, value))
            for i, fact in enumerate(problem.facts)
            for name, value in fact.figures.items()
        ]

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
        state = self._state(session, history)
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

        if short and has_phrase(text, _MOVE_ON):
            return self._advance(state, "request")
        if questions:
            facts = self._matching_facts(" ".join(questions))
            if facts:
                return self._answer(state, facts)
        statement = self._statement_part(text, questions)
        if statement and not state.time_up:
            correction = self._misconception(state, statement) or self._numbers_pushback(state, statement)
            if correction:
                return correction
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
            return self._closing(state)
        if is_stuck(text):
            return self._stuck(state)
        if (
            state.stage not in (Stage.REQUIREMENTS, Stage.ESTIMATION)
            and state.previous_reason != "buzzwords"
            and is_buzzword_list(text, self._terms)
        ):
            return self._pushback(state)
        if is_vague(statement):
            if state.previous_reason in ("misconception", "numbers"):
                return self._probe(
                    state, lead=("Thanks for re-checking.", "Okay, noted.", "Good, let's go on.")[state.n % 3]
                )
            if state.plan.hint_after_vague <= 1 or state.previous_kind == "detail":
                return self._hint(state, after="vague")  # vague twice (or a junior): help rather than ask again
            return self._ask_detail(state)

        reason = self._stage_complete(session, state, now)
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

    def _state(self, session: Session, history: list[Message]) -> _State | None:
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
        return _State(
            stage=stage,
            stage_started=self._stage_started(session, stage, history, start),
            stage_topics=stage_topics,
            latest=history[-1],
            stage_answers=answers,
            covered=self._covered(in_stage) & set(stage_topics),
            covered_before=self._covered(in_stage[:-1]) & set(stage_topics),
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

    def _matching_facts(self, question: str) -> list[int]:
        scores = []
        for i, fact in enumerate(self.problem.facts):
            hits = sum(1 for k in fact.keywords if has_phrase(question, [k]))
            if hits:
                scores.append((hits, i))
        if not scores:
            return []
        best = max(h for h, _ in scores)
        return [i for h, i in scores if h == best][:2]

    def _answer(self, state: _State, facts: list[int]) -> Turn:
        parts = []
        for i in facts:
            answer = " ".join(self.problem.facts[i].answer.split())
            parts.append(f"As I mentioned, {answer[0].lower()}{answer[1:]}" if i in state.facts_told else answer)
        lead = ("Good question. ", "", "Sure. ")[state.n % 3] if not set(facts) <= state.facts_told else ""
        tail = ""
        if state.stage is Stage.REQUIREMENTS:
            tail = ("", " What else would you like to know?", " Anything else before you list requirements?")[
                state.n % 3
            ]
        return Turn(f"{lead}{' '.join(parts)}{tail}", state.stage, {"kind": "answer", "facts": facts})

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

    def _misconception(self, state: _State, statement: str) -> Turn | None:
        """Challenge a wrong claim the problem lists as a common mistake — each one at most once."""
        for i, misconception in enumerate(self.problem.misconceptions):
            if i in state.misconceptions_raised or _was_asked(misconception.correction, state.asked):
                continue
            if not misconception.found_in(statement):
                continue
            question = " ".join(misconception.correction.split())
            lead = ("Hold on. ", "Let me push back on that. ", "Wait a moment. ")[state.n % 3]
            meta: dict[str, Any] = {"kind": "pushback", "reason": "misconception", "misconception": i}
            if misconception.topic in self.topics:
                meta["topic"] = misconception.topic
            meta["question"] = question
            return Turn(f"{lead}{question}", state.stage, meta)
        return None

    def _numbers_pushback(self, state: _State, statement: str) -> Turn | None:
        """A number 10x or more away from every stated figure it could mean: quote it, ask for a re-check."""
        if not self._figures:
            return None
        figures = [figure for _, _, figure in self._figures]
        for claim in numeric_claims(statement):
            options = figure_distances(claim, figures)
            if not options:
                continue
            best = min(off for off, _ in options)
            if best < _ORDER_OF_MAGNITUDE:
                continue
            # of figures about as close (one fact often states a rate per month *and* per second),
            # quote the one in the candidate's period, else the one the problem lists first
            near = [i for off, i in options if off <= best + _NEAR]
            index = next((i for i in near if figures[i].period == claim.period), near[0])
            fact, name, figure = self._figures[index]
            if name in state.figures_raised:
                continue
            told = fact in state.facts_told
            if state.n % 2:
                source = "I said" if told else "we're working with"
                text = f"Let's double-check “{claim.text}”: {source} about {figure.text}. How does your number compare?"
            else:
                source = "I gave you" if told else "the problem assumes"
                text = (
                    f"You said “{claim.text}” — {source} about {figure.text}. "
                    "Can you re-check your number against that?"
                )
            meta = {
                "kind": "pushback",
                "reason": "numbers",
                "figure": name,
                "claim": claim.text,
                "stated": figure.value,
                "facts": [fact],
            }
            return Turn(text, state.stage, meta)
        return None

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

    def _stage_complete(self, session: Session, state: _State, now: datetime) -> str | None:
        if state.stage_topics and set(state.stage_topics) <= state.covered:
            return "coverage"
        if len(state.stage_answers) >= MAX_ANSWERS[state.stage]:
            return "turns"
        if state.stage_started is not None and session.duration_minutes > 0:
            budget = STAGE_SHARES[state.stage] * session.duration_minutes * 60
            if (now - state.stage_started).total_seconds() > budget:
                return "time"
        return None

    def _advance(self, state: _State, reason: str) -> Turn:
        nxt = state.stage.next()
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
                f"Good, on to {label}.",
            ),
            "turns": (f"Let's keep moving — {label} next.", f"In the interest of time, let's go to {label}."),
            "time": (f"We're past the time I'd planned for {current}, so let's move on to {label}.",),
            "request": (f"Sure, let's move on to {label}.", f"Okay — {label} next."),
            "exhausted": (f"Let's move on to {label}.",),
        }[reason]
        line = transition[state.n % len(transition)]
        text = " ".join(p for p in (ack, line, self._stage_prompt(nxt)) if p)
        return Turn(text, nxt, {"kind": "stage", "stage": nxt.value, "from": state.stage.value, "reason": reason})

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
        order = {t: i for i, t in enumerate(state.stage_topics)}
        candidates = [
            t
            for t in state.stage_topics
            if t not in state.covered and t not in exclude and self._next_question(t, state)
        ]
        if not candidates:
            angle = self._angle_probe(state)
            if angle:
                return angle
            if state.stage is Stage.WRAP_UP:
                return self._closing(state) if self._summary_asked(state) else self._ask_summary(state)
            return self._advance(state, "coverage" if set(state.stage_topics) <= state.covered else "exhausted")
        topic_key = min(candidates, key=lambda t: (state.probes[t], order[t]))
        planned = self._next_question(topic_key, state)
        assert planned is not None
        question = planned
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
        return next((q for q in pool if q and not _was_asked(q, state.asked)), None)

    def _summary_asked(self, state: _State) -> bool:
        return state.time_up or state.probes["design_summary"] > 0

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

    def _closing(self, state: _State) -> Turn:
        thanks = ("Thank you — that's a clear summary.", "Thanks, that wraps it up nicely.", "Thank you.")[state.n % 3]
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
        """A short, specific nod to what the latest answer covered — or nothing if it covered nothing."""
        text = state.latest.content
        if is_vague(text) or not self._statement_part(text, question_sentences(text)):
            return ""
        if is_buzzword_list(text, self._terms) or is_bare_list(text):
            return ""  # no praise for a list of names
        positions = topic_positions(self._statement_part(text, question_sentences(text)), self.topics)
        shown = set(positions)
        asked_about = state.previous.meta.get("topic") if state.previous else None
        before = state.covered_before
        ordered = (
            [t for t in [asked_about] if t in shown]
            + [t for t in state.stage_topics if t in shown and t not in before]
            + [t for t in state.stage_topics if t in shown and t in before]
            + sorted(shown - set(state.stage_topics), key=positions.__getitem__)
        )
        lead = ("Good", "Okay", "Makes sense", "Nice", "Right", "Got it")[state.n % 6]
        if not ordered:
            return ("Okay.", "Thanks.", "Got it.", "Noted.")[state.n % 4]
        key = ordered[0]
        clause = _ACKS.get(key) or f"that covers {self.topics[key].name.lower()}"
        sig = signals(text)
        extra = ""
        if sig.tradeoff and key != "tradeoff_analysis":
            extra = " Good that you weighed the alternative."
        elif sig.failure and key != "failure_handling":
            extra = " I like that you thought about failure."
        elif sig.causal:
            extra = " Thanks for explaining why."
        elif (sig.arithmetic or len(sig.quantities) >= 2) and state.stage is not Stage.ESTIMATION:
            extra = " The numbers help."
        return f"{lead} — {clause}.{extra}"

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


def _was_asked(question: str, asked: list[str]) -> bool:
    return any(question == a or question in a for a in asked)


def _sentence(lead: str, question: str) -> str:
    return f"{lead} {question}" if lead else question


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"

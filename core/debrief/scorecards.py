"""The interviewer's scorecard for an interviewer-led session: one rating per rubric competency.

Ratings are append-only (ScorecardEntry); the latest per competency is the final score, the rest is
its history. Each row sits beside a suggestion, so the interviewer sees where their judgement and the
evidence-derived score part ways: a customer-discovery session's suggestions come from the synthesis
of its notes (core.debrief.synthesis), a system-design session's from the offline evaluator over
what was said and drawn. The overall and score-group figures are computed here, never typed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core import audit
from core.content.rubrics import Competency, Rubric
from core.content.templates import InterviewTemplate
from core.debrief.synthesis import DiscoverySynthesis, synthesize
from core.errors import ContentError, InvalidInput, NotFound
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.utterances import evaluation_utterances
from core.live.goal_coverage import GoalStatus, goal_coverage
from core.logs import session_context
from core.models import (
    LiveNote,
    LiveSession,
    Message,
    ScorecardEntry,
    Session,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.unit_of_work import UnitOfWork
from core.whiteboard.analysis import read_board
from core.workspace import Workspace

MIN_SCORE, MAX_SCORE, SCORE_STEP = 1.0, 5.0, 0.5
MAX_EVIDENCE_CHARS = 2000
DISCOVERY_KIND = "customer_discovery"  # sessions whose suggestions come from the notes' synthesis
AGREES, CLOSE = 0.5, 1.0  # |final − suggested| at most this: "agrees", "close"; beyond: "differs"


@dataclass(frozen=True)
class Suggestion:
    """A suggested score for one competency, with why and the words it rests on."""

    competency: str
    score: float | None  # None: the evaluator could not judge (e.g. too little was said)
    rationale: str = ""
    evidence: tuple[str, ...] = ()
    source: str = ""  # "synthesis" | "evaluator"


@dataclass(frozen=True)
class ScoreRow:
    key: str
    name: str
    weight: float  # the rubric's weight
    description: str
    descriptors: dict[int, str]
    group: str | None  # the template's score group key, if the competency is in one
    group_title: str | None
    score: float | None  # the final score: the latest entry
    evidence: str
    set_by: str | None
    set_at: datetime | None
    history: list[ScorecardEntry]  # every rating of it, newest first
    suggested_score: float | None
    suggestion_rationale: str
    suggestion_evidence: tuple[str, ...]
    agreement: str  # "agrees" | "close" | "differs" | "" (a score or the suggestion is missing)


@dataclass(frozen=True)
class GroupScore:
    key: str
    title: str
    description: str
    score: float | None  # None while nothing in the group is scored
    weights: dict[str, float]  # competency -> the weight used (settings' score_weights, else the rubric's)
    scored: int
    total: int


@dataclass(frozen=True)
class Scorecard:
    session_id: str
    template_id: str
    rubric_id: str
    rows: list[ScoreRow]
    overall: float | None  # rubric-weighted mean of the final scores given so far
    groups: list[GroupScore]
    agreement_rate: float | None  # share of rows with both scores that agree; None when none has both

    @property
    def scored(self) -> int:
        return sum(r.score is not None for r in self.rows)

    @property
    def scored_fraction(self) -> float:
        return self.scored / len(self.rows) if self.rows else 0.0

    def final_scores(self) -> dict[str, float | None]:
        return {r.key: r.score for r in self.rows}

    def score_names(self) -> dict[str, float | None]:
        """What recommendation thresholds name: "overall" and each score group's key."""
        return {"overall": self.overall, **{g.key: g.score for g in self.groups}}

    def row(self, key: str) -> ScoreRow:
        return next(r for r in self.rows if r.key == key)


@dataclass
class DebriefContext:
    """Everything a debrief reads about one interviewer-led session, loaded in one transaction."""

    session: Session
    live: LiveSession
    template: InterviewTemplate
    rubric: Rubric
    notes: list[LiveNote]
    transcript: list[TranscriptEntry]
    messages: list[Message]
    drawing: WhiteboardSnapshot | None
    entries: list[ScorecardEntry]  # oldest first
    coverage: dict[str, GoalStatus] = field(default_factory=dict)

    @property
    def goal_fraction(self) -> float:
        return sum(g.covered for g in self.coverage.values()) / len(self.coverage) if self.coverage else 0.0


def load_context(uow: UnitOfWork, ws: Workspace, session_id: str) -> DebriefContext:
    """Raises NotFound for an unknown session or one that is not interviewer-led."""
    session = uow.sessions.get(session_id)
    live = uow.live_sessions.for_session(session_id)
    if live is None:
        raise NotFound("This session is not interviewer-led, so it has no scorecard; open its evaluation instead.")
    template = ws.templates.get(live.template_id)
    notes = uow.notes.in_session(session_id)
    transcript = uow.transcripts.in_session(session_id)
    return DebriefContext(
        session=session,
        live=live,
        template=template,
        rubric=ws.rubric(template.rubric_id),
        notes=notes,
        transcript=transcript,
        messages=uow.messages.in_session(session_id),
        drawing=uow.whiteboards.latest(session_id),
        entries=uow.scorecards.in_session(session_id),
        coverage=goal_coverage(template, transcript=transcript, notes=notes, marks=live.goal_marks),
    )


# --- services ----------------------------------------------------------------------------------------


def set_score(
    ws: Workspace, session_id: str, *, competency: str, score: float, evidence: str, actor: Actor
) -> ScorecardEntry:
    """Rate one competency. Earlier ratings stay as history; the suggestion at this moment is kept beside it."""
    value = check_score(score)
    text = evidence.strip()
    if not text:
        raise InvalidInput("Give the evidence for this score: what they said or did that justifies it.")
    if len(text) > MAX_EVIDENCE_CHARS:
        raise InvalidInput(f"Keep the evidence under {MAX_EVIDENCE_CHARS} characters (it has {len(text)}).")
    with session_context(session_id), ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, ctx.session)
        _competency(ctx.rubric, competency)
        suggestion = _suggestions_for(ws, ctx).get(competency)
        previous = [e for e in ctx.entries if e.competency == competency]
        entry = uow.scorecards.add(
            ScorecardEntry(
                session_id=session_id,
                competency=competency,
                score=value,
                evidence=text,
                set_by=actor.name,
                suggested_score=suggestion.score if suggestion else None,
                created_at=ws.clock(),
            )
        )
        detail = {
            "competency": competency,
            "score": value,
            "previous": previous[-1].score if previous else None,
            "suggested": entry.suggested_score,
            "evidence": text,
        }
        audit.record(uow, "score_set", actor=actor.name, session_id=session_id, detail=detail)
        uow.commit()
    return entry


def scorecard(ws: Workspace, session_id: str, *, actor: Actor) -> Scorecard:
    """Every competency of the template's rubric with its final score, history and suggestion."""
    with ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, ctx.session)
    return build_scorecard(ctx, _suggestions_for(ws, ctx), ws.settings.debrief.score_weights)


def suggestions(ws: Workspace, session_id: str, *, actor: Actor) -> dict[str, Suggestion]:
    """The suggested scores alone (competency key -> suggestion), for someone who may see the session."""
    with ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, ctx.session)
    return _suggestions_for(ws, ctx)


def synthesis_for(ws: Workspace, session_id: str, *, actor: Actor) -> DiscoverySynthesis:
    """The customer-discovery synthesis of a session's notes, facts and transcript; InvalidInput for other kinds."""
    with ws.uow_factory() as uow:
        ctx = load_context(uow, ws, session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, ctx.session)
    if ctx.template.kind != DISCOVERY_KIND:
        raise InvalidInput(f"A synthesis is made for customer-discovery sessions; this one is {ctx.template.title}.")
    return _synthesis(ctx)


# --- pure parts ----------------------------------------------------------------------------------------


def check_score(score: float) -> float:
    """1 to 5 in half steps, as a float; InvalidInput otherwise."""
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise InvalidInput(f"A score is a number from 1 to 5 (got {score!r}).")
    value = float(score)
    steps = (value - MIN_SCORE) / SCORE_STEP
    if not MIN_SCORE <= value <= MAX_SCORE or abs(steps - round(steps)) > 1e-9:
        raise InvalidInput(f"A score is 1 to 5 in steps of {SCORE_STEP:g} (got {value:g}).")
    return value


def _suggestions_for(ws: Workspace, ctx: DebriefContext) -> dict[str, Suggestion]:
    """Computed from a context its caller loaded and authorized in its own transaction (no check here).

    Discovery: the synthesis's rules over notes and facts. Otherwise: the offline evaluator, when the
    rubric has topics to look for in what was said and drawn."""
    if ctx.template.kind == DISCOVERY_KIND:
        return {
            key: Suggestion(key, s.score, s.rationale, s.evidence, "synthesis")
            for key, s in _synthesis(ctx).suggestions.items()
        }
    if not ctx.rubric.topics:
        return {}
    try:
        problem = ws.problems.get(ctx.session.problem_id) if ctx.session.problem_id else None
    except ContentError:
        problem = None  # a problem since removed from the bank: judge against the rubric alone
    utterances = evaluation_utterances(ctx.session, ctx.messages, ctx.transcript)
    board = read_board(ctx.drawing.fabric_json) if ctx.drawing else None
    evaluator = OfflineEvaluator(ctx.rubric, problem, bank=ws.problems)
    evaluation = evaluator.evaluate(ctx.session.id, utterances, board=board)
    return {
        c.key: Suggestion(c.key, c.score, c.rationale, tuple(e.quote for e in c.evidence[:3]), "evaluator")
        for c in evaluation.competencies
    }


def build_scorecard(
    ctx: DebriefContext, suggested: Mapping[str, Suggestion], score_weights: Mapping[str, Mapping[str, float]]
) -> Scorecard:
    group_of = {c: g for g in ctx.template.score_groups for c in g.competencies}
    rows = []
    for competency in ctx.rubric.competencies:
        history = [e for e in ctx.entries if e.competency == competency.key]
        final = history[-1] if history else None
        suggestion = suggested.get(competency.key)
        group = group_of.get(competency.key)
        rows.append(
            ScoreRow(
                key=competency.key,
                name=competency.name,
                weight=competency.weight,
                description=competency.description.strip(),
                descriptors=dict(competency.descriptors),
                group=group.key if group else None,
                group_title=group.title if group else None,
                score=final.score if final else None,
                evidence=final.evidence if final else "",
                set_by=final.set_by if final else None,
                set_at=final.created_at if final else None,
                history=history[::-1],
                suggested_score=suggestion.score if suggestion else None,
                suggestion_rationale=suggestion.rationale if suggestion else "",
                suggestion_evidence=suggestion.evidence if suggestion else (),
                agreement=agreement(final.score if final else None, suggestion.score if suggestion else None),
            )
        )
    finals = {r.key: r.score for r in rows}
    compared = [r for r in rows if r.agreement]
    return Scorecard(
        session_id=ctx.session.id,
        template_id=ctx.template.id,
        rubric_id=ctx.rubric.id,
        rows=rows,
        overall=weighted_mean(finals, {c.key: c.weight for c in ctx.rubric.competencies}),
        groups=group_scores(ctx.template, ctx.rubric, finals, score_weights),
        agreement_rate=sum(r.agreement == "agrees" for r in compared) / len(compared) if compared else None,
    )


def agreement(final: float | None, suggested: float | None) -> str:
    if final is None or suggested is None:
        return ""
    gap = abs(final - suggested)
    return "agrees" if gap <= AGREES else "close" if gap <= CLOSE else "differs"


def weighted_mean(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """The weighted mean of the scores given so far (two decimals); None when none is."""
    given = [(float(score), w) for k, w in weights.items() if (score := scores.get(k)) is not None and w > 0]
    total = sum(w for _, w in given)
    if not given or total <= 0:
        return None
    return round(sum(s * w for s, w in given) / total, 2)


def group_scores(
    template: InterviewTemplate,
    rubric: Rubric,
    scores: Mapping[str, float | None],
    score_weights: Mapping[str, Mapping[str, float]],
) -> list[GroupScore]:
    """Each score group's weighted mean. The settings' weights for a group apply when they name every
    competency in it; otherwise the rubric's weights do (two scales are never mixed)."""
    groups = []
    for group in template.score_groups:
        configured = score_weights.get(group.key, {})
        if all(c in configured for c in group.competencies):
            weights = {c: float(configured[c]) for c in group.competencies}
        else:
            weights = {c: _competency(rubric, c).weight for c in group.competencies}
        groups.append(
            GroupScore(
                key=group.key,
                title=group.title,
                description=group.description,
                score=weighted_mean(scores, weights),
                weights=weights,
                scored=sum(scores.get(c) is not None for c in group.competencies),
                total=len(group.competencies),
            )
        )
    return groups


def _synthesis(ctx: DebriefContext) -> DiscoverySynthesis:
    return synthesize(ctx.template, ctx.notes, ctx.live.facts, ctx.coverage, transcript=ctx.transcript)


def _competency(rubric: Rubric, key: str) -> Competency:
    try:
        return rubric.competency(key)
    except KeyError:
        known = ", ".join(c.key for c in rubric.competencies)
        raise NotFound(f"Rubric {rubric.id!r} has no competency {key!r}; its competencies are {known}.") from None

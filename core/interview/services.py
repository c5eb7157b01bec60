"""Interview services: what pages and the CLI call to run an interview.

Plain functions over a Workspace (its unit of work, content and clock). Each action is one
transaction; the candidate's message is committed before the interviewer is asked to reply,
so nothing typed is lost if the reply fails.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from core import audit
from core.ai_budget.guard import EVALUATOR, INTERVIEWER, budget_stop
from core.content.problems import Problem
from core.content.prompts import load_prompt
from core.correctness.reader import read_transcript
from core.errors import SessionClosed, WorkspaceError
from core.evaluation.chunked_evaluation import PART_PROMPT
from core.evaluation.llm_evaluator import EvaluationOutcome, LLMEvaluator
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.release import announce_release, approval_required
from core.evaluation.utterances import evaluation_utterances, transcript_lines
from core.interview import incremental_reads
from core.interview.llm_interviewer import LLMInterviewer
from core.interview.offline_interviewer import OfflineInterviewer, Turn
from core.interview.voicing import check_voicing
from core.lifecycle import change_status, transition
from core.llm.answer_cache import StoredAnswers
from core.llm.chat_models import ChatError, ChatStream, Usage
from core.llm.pricing import usage_entry
from core.llm.providers import LLMChoice, base_url_of, chat_model_for, provider, vision_capable
from core.logs import session_context
from core.models import (
    MAX_PAGE_SIZE,
    Candidate,
    Evaluation,
    HistoryQuery,
    Level,
    Message,
    OutgoingEvent,
    Role,
    Session,
    SessionScope,
    SessionStatus,
    SessionSummary,
    Stage,
    TokenUsage,
    TranscriptEntry,
    Utterance,
)
from core.outgoing_webhooks import deliveries
from core.outgoing_webhooks.event_payloads import interview_data
from core.permissions.access import authorize, authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action, SessionAction
from core.provider_ids import OFFLINE
from core.whiteboard.analysis import BoardGraph, read_board
from core.whiteboard.snapshots import board_analysis, picture_path, read_picture
from core.workspace import Workspace

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 8000


@dataclass
class InterviewView:
    """Everything a page shows about one interview, read in one transaction."""

    session: Session
    problem: Problem
    messages: list[Message]
    candidate: Candidate | None
    evaluation: Evaluation | None


def create_interview(
    ws: Workspace,
    *,
    problem_id: str,
    candidate_id: str | None = None,
    level: Level = Level.MID,
    modes: list[str] | None = None,
    duration_minutes: int | None = None,
    provider: str = OFFLINE,
    model: str | None = None,
    actor: Actor,
) -> Session:
    """A person's interview is theirs: they and their team's reviewers see it (core.permissions.policy)."""
    authorize_action(ws.settings, actor, Action.PRACTISE)
    owner = actor.account
    problem = ws.problems.get(problem_id)
    now = ws.clock()
    session = Session(
        id=uuid.uuid4().hex,
        problem_id=problem.id,
        problem_title=problem.title,
        candidate_id=candidate_id,
        interviewer_provider=provider,
        interviewer_model=model if provider != OFFLINE else None,
        level=level,
        modes=modes or ["chat"],
        status=SessionStatus.READY,
        duration_minutes=duration_minutes or ws.settings.interview_minutes,
        created_at=now,
        updated_at=now,
        owner_id=owner.id if owner else None,
        team=owner.team if owner else "",
    )
    with session_context(session.id), ws.uow_factory() as uow:
        if candidate_id is not None:
            uow.candidates.get(candidate_id)  # NotFound for an unknown candidate
        uow.sessions.add(session)
        audit.record(
            uow,
            "session_created",
            actor=actor.name,
            session_id=session.id,
            detail={"problem_id": problem.id, "level": level.value, "provider": provider, "model": model},
            logger=log,
        )
        uow.commit()
    return session


def start_interview(ws: Workspace, session_id: str, *, actor: Actor) -> Message:
    """ready → active, and the interviewer's opening message."""
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        now = ws.clock()
        transition(session, SessionStatus.ACTIVE, now)
        turn = _planner(ws, session).opening(session)
        session.stage = turn.stage
        opening = uow.messages.add(
            Message(session.id, Role.INTERVIEWER, turn.text, stage=turn.stage, meta=turn.meta, created_at=now)
        )
        uow.sessions.update(session)
        audit.record(uow, "session_started", actor=actor.name, session_id=session.id, logger=log)
        uow.commit()
    return opening


def submit_answer(ws: Workspace, session_id: str, text: str, *, actor: Actor, source: str = "typed") -> Message:
    """Store the candidate's answer on its own, before anyone is asked to reply to it.

    `source` is "typed", or "mic" for a spoken answer (whose words are also transcript lines).
    """
    text = text.strip()
    if not text:
        raise WorkspaceError("Type an answer before sending.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WorkspaceError(f"That message is too long ({len(text)} characters; at most {MAX_MESSAGE_CHARS}).")
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        _require_active(session)
        meta = {} if source == "typed" else {"source": source}
        message = Message(session.id, Role.CANDIDATE, text, stage=session.stage, meta=meta, created_at=ws.clock())
        stored = uow.messages.add(message)
        audit.record(
            uow,
            "message_sent",
            actor=actor.name,
            session_id=session.id,
            detail={"seq": stored.seq, "chars": len(text), "source": source},
            logger=log,
        )
        uow.commit()
    return stored


def send_message(ws: Workspace, session_id: str, text: str, *, actor: Actor, llm: LLMChoice | None = None) -> Message:
    """Store the candidate's message, then the interviewer's reply; returns the reply."""
    submit_answer(ws, session_id, text, actor=actor)
    return reply_to_candidate(ws, session_id, llm=llm)


def reply_to_candidate(ws: Workspace, session_id: str, *, llm: LLMChoice | None = None) -> Message:
    """The next interviewer turn, waited for; also answers a message a crash left unanswered."""
    reply = stream_reply(ws, session_id, llm=llm)
    for _ in reply:
        pass
    assert reply.message is not None
    return reply.message


@dataclass
class ReplyStream:
    """The interviewer's reply as it arrives (for st.write_stream). Iterate it to the end: then
    `message` is the stored reply, and `fallback` says why the offline interviewer answered."""

    chunks: Iterator[str]
    stage: Stage = Stage.REQUIREMENTS  # the stage the reply belongs to, known before it streams
    message: Message | None = None
    fallback: str | None = None
    usage: TokenUsage | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[str]:
        return self.chunks

    def close(self) -> None:
        """Stop the reply where it is (the person left, or stopped it): the model's HTTP response is closed, so
        its server stops generating, and nothing is stored; the answer waits for a reply as after a crash.
        Closing a reply read to its end changes nothing."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


def stream_reply(ws: Workspace, session_id: str, *, llm: LLMChoice | None = None) -> ReplyStream:
    """Plan the next turn with the offline engine and, for an LLM session, let the model voice it.

    Nothing is held open while the model talks: the state is read first, the reply is stored
    when the stream ends. A provider that fails (after its retries) leaves the offline text.
    """
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        _require_active(session)
        history = uow.messages.in_session(session_id)
        drawing = uow.whiteboards.latest(session_id)
    now = ws.clock()
    board = board_analysis(ws, session.problem_id, drawing) if drawing else None
    turn = _planner(ws, session).reply(session, history, now, board=board)
    reply = ReplyStream(chunks=iter(()), stage=turn.stage)
    reply.chunks = _voiced_reply(ws, reply, session, history, turn, llm, now)
    return reply


def _voiced_reply(
    ws: Workspace,
    reply: ReplyStream,
    session: Session,
    history: list[Message],
    turn: Turn,
    llm: LLMChoice | None,
    now: datetime,
) -> Iterator[str]:
    text = turn.text
    info = provider(session.interviewer_provider)
    if not info.is_llm:
        yield text
    elif llm is None or llm.provider != info.key:
        reply.fallback = (
            f"No {info.label} key in this browser session, so the offline interviewer answered. "
            "Enter the key on the Setup page to continue with the model."
        )
        yield text
    elif (spent := budget_stop(ws, session.id, instead=INTERVIEWER)) is not None:
        reply.fallback = spent  # the month's AI budget: the planned words, and the page says why
        yield text
    else:
        started, parts = time.perf_counter(), []
        endpoint = f"{llm.provider}:{base_url_of(ws.settings, llm) or 'default'}"
        chat = None
        stream: ChatStream | None = None
        try:
            if wait := ws.provider_health.wait_left(endpoint):
                raise ChatError("network", f"it failed a moment ago; trying it again in {wait:.0f} s.")
            chat = chat_model_for(ws.settings, llm)
            prompt = load_prompt(ws.settings.resolve(ws.settings.prompts_dir), "interviewer")
            stream = LLMInterviewer(chat, ws.problems.get(session.problem_id), prompt).phrase(
                session, history, turn, now
            )
            for chunk in stream:
                parts.append(chunk)
                yield chunk
            if not "".join(parts).strip():  # llama.cpp so answers a prompt that overflows the model's context
                raise ChatError("server", "it sent an empty reply, as some servers do for a prompt too long for it.")
            ws.provider_health.succeeded(endpoint)
            text = "".join(parts).strip() or turn.text
            duration_ms = int((time.perf_counter() - started) * 1000)
            reply.usage = usage_record(ws, session.id, llm, "question_generation", stream.usage, duration_ms)
            if breaches := check_voicing(turn, ws.problems.get(session.problem_id), text):
                # the engine decides the move: wording that breaks it is replaced by the planned words
                log.warning("voiced reply left the plan, planned text stored", extra={"breaches": breaches})
                reply.fallback = (
                    f"{info.label}'s wording left the interview plan ({'; '.join(breaches)}), so the planned "
                    "reply is shown instead."
                )
                text = turn.text
        except ChatError as exc:
            if exc.transient and chat is not None:
                ws.provider_health.failed(endpoint)
            log.warning("provider failed, offline reply used", extra={"provider": info.key, "kind": exc.kind})
            reply.fallback = f"{info.label} did not answer ({exc}) The offline interviewer answered instead."
            if parts:
                yield "\n\n"
            yield turn.text
            text = turn.text
        finally:
            if stream is not None:
                stream.close()  # a reply closed early (GeneratorExit at a yield) closes the model's response
            if chat is not None:
                chat.close()
    reply.message = _store_reply(ws, session.id, turn, text, reply, llm)


def _store_reply(
    ws: Workspace, session_id: str, turn: Turn, text: str, reply: ReplyStream, llm: LLMChoice | None
) -> Message:
    now = ws.clock()
    meta = dict(turn.meta)
    if reply.fallback:
        meta["fallback"] = True
    elif llm is not None and reply.usage is not None:
        meta.update(provider=llm.provider, model=llm.model)
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        stored = uow.messages.add(
            Message(session.id, Role.INTERVIEWER, text, stage=turn.stage, meta=meta, created_at=now)
        )
        if turn.stage is not session.stage:
            audit.record(
                uow,
                "stage_changed",
                actor="interviewer",
                session_id=session.id,
                detail={"old": session.stage.value, "new": turn.stage.value},
                logger=log,
            )
            session.stage = turn.stage
            session.stage_started_at = now
        if reply.usage is not None:
            uow.token_usage.add(reply.usage)
        if reply.fallback:
            audit.record(
                uow,
                "provider_fallback",
                actor="interviewer",
                session_id=session.id,
                detail={"reason": reply.fallback},
                logger=log,
            )
        session.updated_at = now
        uow.sessions.update(session)
        uow.commit()
    return stored


def usage_record(
    ws: Workspace, session_id: str, llm: LLMChoice, operation: str, usage: Usage | None, duration_ms: int
) -> TokenUsage:
    """What one model call cost, priced from the settings and dated by the workspace's clock."""
    entry = usage_entry(
        ws.settings.prices,
        session_id=session_id,
        provider=llm.provider,
        model=llm.model,
        operation=operation,
        usage=usage,
        duration_ms=duration_ms,
    )
    entry.created_at = ws.clock()  # the month it counts against (core.ai_budget) is the workspace clock's
    return entry


def needs_reply(messages: list[Message]) -> bool:
    return bool(messages) and messages[-1].role is Role.CANDIDATE


def pause_interview(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    change_status(ws, session_id, SessionStatus.PAUSED, "session_paused", actor=actor, logger=log)


def resume_interview(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    change_status(ws, session_id, SessionStatus.ACTIVE, "session_resumed", actor=actor, logger=log)


def cancel_interview(ws: Workspace, session_id: str, *, actor: Actor) -> None:
    change_status(ws, session_id, SessionStatus.CANCELLED, "session_cancelled", actor=actor, logger=log)


def end_interview(
    ws: Workspace,
    session_id: str,
    *,
    actor: Actor,
    llm: LLMChoice | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> Evaluation:
    """Evaluate, then complete the session with its evaluation, usage and audit entry in one commit.

    The evaluation (which may take an LLM some seconds) runs outside any transaction. It reads the
    latest whiteboard drawing too, and a provider that reads images gets its picture. `progress` hears
    each step (a worker shows it on the page that waits).
    """
    step = progress or (lambda done, note: None)
    step(0.05, "Reading the interview")
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.EDIT, session)
        transition(session, SessionStatus.COMPLETED, ws.clock())  # refuses early; not committed here
        messages = uow.messages.in_session(session_id)
        transcript = uow.transcripts.in_session(session_id)
        drawing = uow.whiteboards.latest(session_id)
        picture = picture_path(uow, session_id)  # its bytes are read only for a model that reads pictures
    board = read_board(drawing.fabric_json) if drawing else None
    info = provider(session.interviewer_provider)
    step(0.15, f"Evaluating with {info.label}" if info.is_llm and llm is not None else "Evaluating")
    utterances = evaluation_utterances(session, messages, transcript)
    outcome = evaluation_outcome(
        ws, session, utterances, llm, board, picture, progress=lambda done, note: step(0.15 + 0.8 * done, note)
    )
    step(0.95, "Saving the evaluation")
    with session_context(session_id), ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        transition(session, SessionStatus.COMPLETED, ws.clock())
        evaluation = uow.evaluations.add(outcome.evaluation)
        if outcome.usage is not None and llm is not None:
            usage = usage_record(ws, session.id, llm, "evaluation", outcome.usage, outcome.duration_ms)
            usage.answers, usage.cached_answers = outcome.answers, outcome.cached_answers
            uow.token_usage.add(usage)
        if outcome.picture_usage is not None and llm is not None:
            usage = usage_record(ws, session.id, llm, "whiteboard_analysis", outcome.picture_usage, outcome.picture_ms)
            usage.answers, usage.cached_answers = 1, int(outcome.picture_cached)
            uow.token_usage.add(usage)
        uow.sessions.update(session)
        audit.record(
            uow,
            "session_completed",
            actor=actor.name,
            session_id=session.id,
            detail={"overall_score": evaluation.overall_score, "engine": evaluation.engine},
            logger=log,
        )
        data = partial(interview_data, uow, session)
        hooks = deliveries.emit(uow, ws, OutgoingEvent.INTERVIEW_COMPLETED, data, actor=actor, session_id=session.id)
        if not approval_required(ws):  # the candidate sees it at once: released as it is stored
            hooks += announce_release(ws, uow, session.id, evaluation, released_at=ws.clock(), actor=actor)
        uow.commit()
    deliveries.wake(ws, hooks)
    return evaluation


def evaluation_outcome(
    ws: Workspace,
    session: Session,
    utterances: list[Utterance],
    llm: LLMChoice | None,
    board: BoardGraph | None,
    picture_file: str | None,
    *,
    progress: Callable[[float, str], None] | None = None,
) -> EvaluationOutcome:
    """The session's evaluation by its engine (the model when `llm` can reach it, else the offline evaluator with
    a note why), outside any transaction: ending an interview and evaluating it again both store it."""
    problem = ws.problems.get(session.problem_id)
    rubric = ws.rubric(session.rubric_id)
    info = provider(session.interviewer_provider)
    offline = OfflineEvaluator(rubric, problem, bank=ws.problems)
    if not info.is_llm:
        return EvaluationOutcome(offline.evaluate(session.id, utterances, board=board), None)
    if llm is None or llm.provider != info.key:
        evaluation = offline.evaluate(session.id, utterances, board=board)
        evaluation.notes.insert(0, f"No {info.label} key in this browser session; this is the offline evaluator's.")
        return EvaluationOutcome(evaluation, None)
    if (spent := budget_stop(ws, session.id, instead=EVALUATOR)) is not None:
        evaluation = offline.evaluate(session.id, utterances, board=board)
        evaluation.notes.insert(0, spent)
        return EvaluationOutcome(evaluation, None)
    started = time.perf_counter()
    try:
        chat = chat_model_for(ws.settings, llm)
    except ChatError as exc:
        evaluation = offline.evaluate(session.id, utterances, board=board)
        evaluation.notes.insert(
            0, f"The {info.label} evaluator could not be used ({exc}); this is the offline evaluator's."
        )
        return EvaluationOutcome(evaluation, None)
    prompts = ws.settings.resolve(ws.settings.prompts_dir)
    picture = read_picture(ws, picture_file) if vision_capable(ws.settings, info.key) else None
    evaluator = LLMEvaluator(
        chat,
        rubric,
        problem,
        load_prompt(prompts, "evaluator"),
        label=info.label,
        picture_prompt=load_prompt(prompts, "whiteboard") if picture is not None else None,
        part_prompt=load_prompt(prompts, PART_PROMPT),
        samples=ws.settings.evaluation_samples,
        bank=ws.problems,
        cache=StoredAnswers(ws.uow_factory, session_id=session.id),  # a re-run or a second look costs nothing
    )
    findings = read_transcript(utterances, problem, rubric, ws.problems).findings  # the model weighs them
    try:
        outcome = evaluator.evaluate(
            session.id,
            utterances,
            level=session.level,
            board=board,
            picture=picture,
            findings=findings,
            progress=progress,
        )
    finally:
        chat.close()
    outcome.duration_ms = int((time.perf_counter() - started) * 1000) - outcome.picture_ms  # the evaluation's own
    return outcome


@dataclass
class UsageSummary:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    by_operation: dict[str, dict[str, float]] = field(default_factory=dict)
    unpriced_models: list[str] = field(default_factory=list)
    answers: int = 0  # model answers counted (an LLM evaluation's samples and parts)
    cached_answers: int = 0  # of which came from the answer cache, at no cost
    cache_read_tokens: int = 0  # of input_tokens, read from the provider's prompt cache (billed at a discount)
    cache_write_tokens: int = 0  # of input_tokens, written to it (Anthropic bills them at a premium)

    def cache_text(self) -> str | None:
        """ "3 of 3 model answers from the cache" (or "none of 21 …"), where answers were counted."""
        return cache_text(self.answers, self.cached_answers)

    def prompt_cache_text(self) -> str | None:
        """ "62% of input from the prompt cache", where the provider's prompt cache served any."""
        return prompt_cache_text(self.input_tokens, self.cache_read_tokens)


def cache_text(answers: float, cached: float) -> str | None:
    """How many of the counted model answers the answer cache gave, in words; None when none were counted."""
    if not answers:
        return None
    given = "none" if not cached else f"{int(cached):,}"
    noun = "model answer" if answers == 1 else "model answers"
    return f"{given} of {int(answers):,} {noun} from the cache"


def prompt_cache_text(input_tokens: float, cache_read: float) -> str | None:
    """The share of the input the provider's prompt cache served, in words; None when it served none."""
    if not input_tokens or not cache_read:
        return None
    return f"{cache_read / input_tokens:.0%} of input from the prompt cache"


def usage_summary(ws: Workspace, session_id: str, *, actor: Actor) -> UsageSummary:
    """Tokens and cost so far, in total and per operation (question generation, evaluation…), with how many
    model answers the answer cache gave and how much input the provider's prompt cache served."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        records = uow.token_usage.in_session(session_id)
    summary = UsageSummary()
    counted = (
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "answers",
        "cached_answers",
        "cache_read_tokens",
        "cache_write_tokens",
    )
    for r in records:
        summary.calls += 1
        row = summary.by_operation.setdefault(r.operation, dict.fromkeys(("calls", *counted), 0))
        row["calls"] += 1
        for name in counted:
            setattr(summary, name, getattr(summary, name) + getattr(r, name))
            row[name] += getattr(r, name)
        if r.model not in ws.settings.prices and r.model not in summary.unpriced_models:
            summary.unpriced_models.append(r.model)
    return summary


def message_count(ws: Workspace, session_id: str, *, actor: Actor) -> int:
    """How many chat messages the interview has: a cheap "is there something new?" for the page, for someone
    who may see the session (even a count tells whether another person's interview is going on)."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.messages.count_in_session(session_id)


def get_interview(
    ws: Workspace, session_id: str, *, actor: Actor, reads: incremental_reads.Reads | None = None
) -> InterviewView:
    """What the Interview page shows; AccessDenied (worded as not found) for someone who may not see it.

    With `reads` (the tab's state), only the messages after those read before are read."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        return InterviewView(
            session=session,
            problem=ws.problems.get(session.problem_id),
            messages=incremental_reads.messages(uow, session_id, reads),
            candidate=candidate,
            evaluation=uow.evaluations.for_session(session_id),
        )


def list_history(
    ws: Workspace,
    *,
    limit: int = 50,
    offset: int = 0,
    statuses: list[SessionStatus] | None = None,
    scope: SessionScope | None = None,
) -> tuple[list[SessionSummary], int]:
    """One page of sessions, most recent first, and the total count for paging.

    `scope` (core.permissions.policy.scope of the signed-in person) narrows it to what they may see."""
    with ws.uow_factory() as uow:
        if scope is None:
            return (
                uow.sessions.list_summaries(limit=limit, offset=offset, statuses=statuses),
                uow.sessions.count(statuses=statuses),
            )
        page = max(1, limit)
        query = HistoryQuery(statuses=tuple(statuses or ()), scope=scope, page_size=min(page, MAX_PAGE_SIZE))
        return uow.sessions.search(query)[:limit], uow.sessions.count_matching(query)


def open_sessions(ws: Workspace, *, scope: SessionScope | None = None) -> list[SessionSummary]:
    """Interviews that can be resumed (after a reload, a closed tab or a server restart)."""
    summaries, _ = list_history(
        ws, limit=20, statuses=[SessionStatus.READY, SessionStatus.ACTIVE, SessionStatus.PAUSED], scope=scope
    )
    return summaries


def _planner(ws: Workspace, session: Session) -> OfflineInterviewer:
    """The deterministic engine that decides every move, whichever provider voices it."""
    return OfflineInterviewer(ws.problems.get(session.problem_id), ws.rubric(session.rubric_id), bank=ws.problems)


def _require_active(session: Session) -> None:
    if session.status is SessionStatus.ACTIVE:
        return
    if session.status is SessionStatus.PAUSED:
        raise SessionClosed("The interview is paused: resume it to continue.")
    if session.status is SessionStatus.READY:
        raise SessionClosed("The interview has not started yet.")
    raise SessionClosed(f"This interview is {session.status.value} and accepts no new input.")


def list_transcript(ws: Workspace, session_id: str, *, actor: Actor) -> list[TranscriptEntry]:
    """The session's transcript so far, in speaking order (empty until someone speaks), for someone who may
    see the session."""
    with ws.uow_factory() as uow:
        authorize(uow, ws.settings, actor, SessionAction.VIEW, uow.sessions.get(session_id))
        return uow.transcripts.in_session(session_id)


def transcript_with_chat(
    ws: Workspace,
    session_id: str,
    *,
    actor: Actor,
    messages: list[Message] | None = None,
    reads: incremental_reads.Reads | None = None,
) -> list[TranscriptEntry]:
    """The transcript panel's lines: what was said, and each chat message as a "typed" line, in time order,
    for someone who may see the session.

    `messages`: the chat as the page already read it in this run, so it is not read twice. `reads` (the tab's
    state): only what was said and typed after what was read before is read."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW, session)
        if messages is None:
            messages = incremental_reads.messages(uow, session_id, reads)
        transcript = incremental_reads.transcript(uow, session_id, reads)
    return transcript_lines(session, messages, transcript)

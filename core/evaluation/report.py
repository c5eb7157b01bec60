"""The evaluation report of one interview: evaluation, effective scores, modes used and the transcript.

Read in one transaction, so the Evaluation page, the Markdown/PDF export and the session zip
all show the same thing. The modes are counted from what was stored (typed vs spoken answers,
whiteboard snapshots, screen frames, camera and microphone recordings), which also works for
evaluations made before the evaluator knew about modes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from core.content.problems import Problem
from core.content.rubrics import Rubric
from core.content.text_signals import topics_in, word_count
from core.errors import NotFound
from core.evaluation.reviews import EffectiveScores, effective_scores
from core.evaluation.utterances import transcript_lines
from core.models import (
    Candidate,
    Evaluation,
    EvaluationRelease,
    MediaFile,
    Message,
    Role,
    ScoreOverride,
    Session,
    TranscriptEntry,
    WhiteboardSnapshot,
)
from core.permissions.access import authorize
from core.permissions.actor import Actor
from core.permissions.policy import SessionAction
from core.whiteboard.analysis import analyse, read_board
from core.whiteboard.vision import WhiteboardReading
from core.workspace import Workspace

TRANSCRIPT_WINDOW_SECONDS = 60.0
"""An evidence link shows the transcript this far either side of the quote."""


@dataclass(frozen=True)
class TranscriptLine:
    """One line of what was said or typed, on the interview's clock (seconds, pauses excluded)."""

    start: float
    speaker: str
    text: str
    source: str  # "typed" (chat), "mic", "upload"


@dataclass(frozen=True)
class ModesUsed:
    typed_answers: int
    typed_words: int
    spoken_answers: int
    spoken_words: int
    whiteboard_snapshots: int
    screen_frames: int
    camera_recordings: int
    audio_recordings: int

    @property
    def spoken_share(self) -> float:
        total = self.typed_words + self.spoken_words
        return round(self.spoken_words / total, 2) if total else 0.0

    def labels(self) -> list[str]:
        """The modes that were actually used, for a one-line summary."""
        used = []
        if self.typed_answers:
            used.append("chat")
        if self.spoken_answers or self.audio_recordings:
            used.append("speech")
        if self.whiteboard_snapshots:
            used.append("whiteboard")
        if self.screen_frames:
            used.append("screen share")
        if self.camera_recordings:
            used.append("camera")
        return used


@dataclass
class EvaluationReport:
    session: Session
    problem: Problem
    candidate: Candidate | None
    evaluation: Evaluation
    scores: EffectiveScores
    overrides: list[ScoreOverride]
    modes: ModesUsed
    messages: list[Message]
    transcript: list[TranscriptEntry]
    whiteboards: list[WhiteboardSnapshot]
    media: list[MediaFile] = field(default_factory=list)
    whiteboard_summary: list[str] = field(default_factory=list)  # what the latest drawing shows
    # competency key -> board labels, for evaluations made before the evaluator cited the board itself
    whiteboard_evidence: dict[str, list[str]] = field(default_factory=dict)
    release: EvaluationRelease | None = None  # a reviewer's approval for the candidate (core.evaluation.release)
    approval_required: bool = False  # privacy.evaluation_approval when the report was read

    @property
    def released(self) -> bool:
        """The candidate may see this evaluation: a reviewer approved it, or no approval is asked for."""
        return self.release is not None or not self.approval_required

    @property
    def whiteboard_reading(self) -> WhiteboardReading | None:
        """What a vision-capable model saw in the whiteboard picture at evaluation (core.whiteboard.vision)."""
        return WhiteboardReading.from_dict(self.evaluation.communication.get("whiteboard", {}).get("model_reading"))

    @property
    def scored(self) -> bool:
        return self.evaluation.overall_score is not None

    @property
    def candidate_name(self) -> str:
        return self.candidate.name if self.candidate else "Candidate"

    def lines(self) -> list[TranscriptLine]:
        """What was said and what was typed in the chat, in time order (core.evaluation.utterances.transcript_lines)."""
        return [
            TranscriptLine(e.start, e.speaker, e.text, e.source)
            for e in transcript_lines(self.session, self.messages, self.transcript)
        ]

    def lines_near(self, at_seconds: float, window: float = TRANSCRIPT_WINDOW_SECONDS) -> list[TranscriptLine]:
        return [line for line in self.lines() if abs(line.start - at_seconds) <= window]


def load_report(ws: Workspace, session_id: str, *, actor: Actor) -> EvaluationReport:
    """Everything the report shows; NotFound when the interview has no evaluation yet, AccessDenied for
    someone who may not see it (a candidate before a reviewer released it)."""
    with ws.uow_factory() as uow:
        session = uow.sessions.get(session_id)
        authorize(uow, ws.settings, actor, SessionAction.VIEW_EVALUATION, session)
        evaluation = uow.evaluations.for_session(session_id)
        if evaluation is None:
            raise NotFound(f"The interview {session_id} has no evaluation yet.")
        candidate = uow.candidates.get(session.candidate_id) if session.candidate_id else None
        messages = uow.messages.in_session(session_id)
        transcript = uow.transcripts.in_session(session_id)
        whiteboards = uow.whiteboards.in_session(session_id)
        media = uow.media.in_session(session_id)
        overrides = uow.score_overrides.in_session(session_id)
        release = uow.evaluations.release_of(session_id)
        # Reviewers are recorded by account ("account:<id>"): the report names them as they are called now
        names = {a.audit_name: a.name for a in uow.accounts.all()} if overrides or release else {}
    overrides = [replace(o, reviewer=names.get(o.reviewer, o.reviewer)) for o in overrides]
    if release is not None:
        release = replace(release, approved_by=names.get(release.approved_by, release.approved_by))
    rubric = ws.rubric(session.rubric_id)
    problem = ws.problems.get(session.problem_id)
    summary, board_evidence = whiteboard_evidence(whiteboards, rubric, problem)
    if any(e.source == "whiteboard" for c in evaluation.competencies for e in c.evidence):
        board_evidence = {}  # the evaluator scored the board and cited it: no second, label-only list
    return EvaluationReport(
        session=session,
        problem=problem,
        candidate=candidate,
        evaluation=evaluation,
        scores=effective_scores(rubric, evaluation, overrides),
        overrides=overrides,
        modes=modes_used(messages, transcript, whiteboards, media),
        messages=messages,
        transcript=transcript,
        whiteboards=whiteboards,
        media=media,
        whiteboard_summary=summary,
        whiteboard_evidence=board_evidence,
        release=release,
        approval_required=ws.settings.privacy.evaluation_approval,
    )


def whiteboard_evidence(
    whiteboards: list[WhiteboardSnapshot], rubric: Rubric, problem: Problem
) -> tuple[list[str], dict[str, list[str]]]:
    """The latest drawing's summary, and its labels sorted under the competencies whose topics they show."""
    if not whiteboards:
        return [], {}
    board = read_board(whiteboards[-1].fabric_json)
    analysis = analyse(board, problem.reference_components)
    topics = {**rubric.topics, **problem.extra_topics}
    evidence: dict[str, list[str]] = {}
    labels = [b.label for b in board.boxes if b.label] + [t.text for t in board.free_text if t.text.strip()]
    for label in labels:
        for competency in sorted({topics[t].competency for t in topics_in(label, topics)}):
            if label not in evidence.setdefault(competency, []):
                evidence[competency].append(label)
    if analysis.edges and any(c.key == "high_level_design" for c in rubric.competencies):
        flow = "; ".join(f"{a} → {b}" for a, b in analysis.edges)
        evidence.setdefault("high_level_design", []).append(f"connections drawn: {flow}")
    return analysis.summary, {k: v for k, v in evidence.items() if v}


def modes_used(
    messages: list[Message],
    transcript: list[TranscriptEntry],
    whiteboards: list[WhiteboardSnapshot],
    media: list[MediaFile],
) -> ModesUsed:
    """How the candidate answered: typed chat vs speech (the transcript's candidate lines), and the extras."""
    typed = [m for m in messages if m.role is Role.CANDIDATE and m.meta.get("source") != "mic"]
    spoken_lines = [e for e in transcript if e.speaker == "candidate" and e.source != "typed" and e.text.strip()]
    spoken_chat = [m for m in messages if m.role is Role.CANDIDATE and m.meta.get("source") == "mic"]
    if spoken_lines:
        spoken_answers, spoken_words = len(spoken_lines), sum(word_count(e.text) for e in spoken_lines)
    else:
        spoken_answers, spoken_words = len(spoken_chat), sum(word_count(m.content) for m in spoken_chat)
    return ModesUsed(
        typed_answers=len(typed),
        typed_words=sum(word_count(m.content) for m in typed),
        spoken_answers=spoken_answers,
        spoken_words=spoken_words,
        whiteboard_snapshots=len(whiteboards),
        screen_frames=sum(1 for m in media if m.kind == "screen"),
        camera_recordings=sum(1 for m in media if m.kind == "video"),
        audio_recordings=sum(1 for m in media if m.kind == "audio"),
    )


def _whiteboard_use(modes: ModesUsed, board: object) -> str:
    text = f"{modes.whiteboard_snapshots} snapshot(s)"
    if isinstance(board, dict) and "components" in board:
        components, connections = len(board["components"]), board.get("connections", 0)
        text += f"; the last one shows {components} component(s), {connections} connection(s)"
    return text


def clock(seconds: float | None) -> str:
    """`mm:ss` (or `h:mm:ss`) on the interview's clock; "—" when the time is unknown."""
    if seconds is None:
        return "—"
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def score_text(score: float | None) -> str:
    return f"{score:.1f}" if score is not None else "not scored"


def correctness_text(checked: dict[str, Any]) -> str:
    """What the correctness reader found, in one line: mistakes, corrections, off-topic, repeats, refusals."""
    parts = [f"{checked.get('mistakes', 0)} mistake(s) left standing, {checked.get('corrected', 0)} corrected"]
    if checked.get("off_topic"):
        parts.append("answers about another problem")
    elif checked.get("off_topic_share"):
        parts.append(f"{checked['off_topic_share']:.0%} off-topic")
    if checked.get("repeated_share"):
        parts.append(f"{checked['repeated_share']:.0%} repeated text")
    if checked.get("refusals"):
        parts.append(f"{checked['refusals']} refusal(s)")
    if checked.get("junk"):
        parts.append(f"{checked['junk']} answer(s) with markup or junk (never quoted)")
    return "; ".join(parts)


def communication_rows(report: EvaluationReport) -> list[tuple[str, str]]:
    """The communication analysis as (measure, value) rows: pace, fillers, talk ratio, answers, modes."""
    stats = report.evaluation.communication
    modes = report.modes
    wpm = stats.get("words_per_minute")
    rows = [
        ("Speaking pace", f"{wpm:.0f} words per minute" if wpm else "— (no timed speech)"),
        (
            "Filler words",
            f"{stats.get('filler_count', 0)} ({stats.get('fillers_per_100_words', 0.0):.1f} per 100 words)",
        ),
        ("Talk ratio (candidate share of words)", f"{stats.get('talk_ratio', 0.0):.0%}"),
        (
            "Answer length",
            f"{stats.get('answers', 0)} answers, {stats.get('avg_words_per_answer', 0.0):.0f} words on average; "
            f"{stats.get('one_line_answers', 0)} one-liners, {stats.get('long_answers', 0)} over 250 words",
        ),
        ("Clarifying questions", str(stats.get("questions_asked", 0))),
        ("Signposts (first/then/finally)", str(stats.get("structure_markers", 0))),
        ("Summary at the end", "yes" if stats.get("summary_at_end") else "no"),
        ("Modes used", ", ".join(modes.labels()) or "none"),
        (
            "Typed vs spoken",
            f"{modes.typed_answers} typed ({modes.typed_words} words), {modes.spoken_answers} spoken "
            f"({modes.spoken_words} words): {modes.spoken_share:.0%} spoken",
        ),
        ("Whiteboard", _whiteboard_use(modes, stats.get("whiteboard"))),
        ("Screen share", f"{modes.screen_frames} frame(s)"),
        ("Camera", f"{modes.camera_recordings} recording(s)" if modes.camera_recordings else "not used"),
        ("Microphone recordings", str(modes.audio_recordings)),
    ]
    checked = stats.get("correctness")
    if checked:
        rows.append(("Correctness", correctness_text(checked)))
    quality = stats.get("transcript_quality")
    if quality:
        rows.append(
            (
                "Transcript quality",
                f"{quality['candidate_words']} candidate words, {quality['garbled_share']:.0%} garbled, "
                f"{quality['fragment_share']:.0%} fragments",
            )
        )
    return rows

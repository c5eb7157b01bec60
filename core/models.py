"""Domain types shared by services, engines and storage.

Plain dataclasses, detached from any database session, so pages can hold them across a
Streamlit rerun without lazy-loading surprises and unit tests can build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core.errors import WorkspaceError
from core.provider_ids import OFFLINE


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    READY = "ready"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Stage(StrEnum):
    """Stages of a system-design interview, in order."""

    REQUIREMENTS = "requirements"
    ESTIMATION = "estimation"
    HIGH_LEVEL_DESIGN = "high_level_design"
    DEEP_DIVE = "deep_dive"
    WRAP_UP = "wrap_up"

    @property
    def label(self) -> str:
        return {
            "requirements": "Requirements",
            "estimation": "Estimation",
            "high_level_design": "High-level design",
            "deep_dive": "Deep dive",
            "wrap_up": "Wrap-up",
        }[self.value]

    def next(self) -> Stage | None:
        order = list(Stage)
        i = order.index(self)
        return order[i + 1] if i + 1 < len(order) else None


class Level(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    STAFF = "staff"


class Role(StrEnum):
    """Who wrote a chat message."""

    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"
    SYSTEM = "system"


def email_key(email: str | None) -> str | None:
    """The one spelling of an email that identifies a person: surrounding space and letter case
    never make a second candidate. None for no (or a blank) email; storage keeps it unique."""
    key = (email or "").strip().casefold()
    return key or None


@dataclass
class Candidate:
    id: str
    name: str
    email: str | None = None
    created_at: datetime | None = None

    @property
    def email_key(self) -> str | None:
        return email_key(self.email)


@dataclass
class ResumeProfile:
    """What we extract from a resume without any LLM."""

    name: str | None = None
    email: str | None = None
    years_experience: float | None = None
    level: Level = Level.MID
    domains: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)


@dataclass
class Resume:
    id: str
    candidate_id: str
    filename: str
    content_type: str  # "application/pdf" or "text/plain"
    size_bytes: int
    text: str
    profile: ResumeProfile
    file_path: str | None = None  # relative to the file store root
    created_at: datetime | None = None


@dataclass
class Session:
    """One interview. Everything else (messages, evaluation, media…) hangs off its id."""

    id: str
    problem_id: str
    problem_title: str = ""  # copied at creation so History survives problem-bank edits
    kind: str = "system_design"
    candidate_id: str | None = None
    interviewer_provider: str = OFFLINE
    interviewer_model: str | None = None  # None for the offline engine
    rubric_id: str = "system_design"
    level: Level = Level.MID
    modes: list[str] = field(default_factory=lambda: ["chat"])
    status: SessionStatus = SessionStatus.READY
    stage: Stage = Stage.REQUIREMENTS
    duration_minutes: int = 45
    created_at: datetime | None = None
    started_at: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    stage_started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None
    owner_id: str | None = None  # the account that started it: the candidate practising, or the interviewer
    team: str = ""  # the owner's team when it started: reviewers of that team see it

    def elapsed_seconds(self, now: datetime) -> float:
        """Interview time spent so far, not counting pauses."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at or self.paused_at or now
        return max(0.0, (end - self.started_at).total_seconds() - self.paused_seconds)

    @property
    def is_open(self) -> bool:
        return self.status in (SessionStatus.READY, SessionStatus.ACTIVE, SessionStatus.PAUSED)


@dataclass
class Message:
    session_id: str
    role: Role
    content: str
    stage: Stage = Stage.REQUIREMENTS
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"kind": "probe", "topic": "caching"}
    seq: int | None = None  # position in the chat, set by storage
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class TranscriptEntry:
    session_id: str
    speaker: str  # "interviewer" | "candidate"
    text: str
    start: float
    end: float
    source: str = "typed"  # "mic" | "upload" | "typed"
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class WhiteboardSnapshot:
    session_id: str
    png_path: str | None
    fabric_json: dict[str, Any]
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class MediaFile:
    session_id: str
    kind: str  # "audio" | "video" | "screen" | "whiteboard" | "resume"
    path: str  # relative to the file store root
    size_bytes: int
    content_type: str
    # Where the file starts on the interview's clock (seconds, pauses excluded), for recordings
    # made during the interview; None for uploads and other files.
    offset_seconds: float | None = None
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class SessionConsent:
    """Agreement to be recorded in one session: who gave it, when, to which capture kinds and which notice.

    Kept like a log: a withdrawal is a row of its own (`withdrawn`), so what was agreed, when, and when it was
    taken back all stay on record; the latest row naming a kind says whether that kind may be recorded."""

    session_id: str
    actor: str  # who agreed (or withdrew), as the audit log names them
    kinds: list[str]  # "audio" | "camera" | "screen"
    notice_version: str  # the wording (and retention periods) the person was shown
    given_at: datetime  # when it was given, or withdrawn
    confirmed_for: str | None = None  # "candidate": the interviewer confirms that the candidate agreed
    id: int | None = None
    withdrawn: bool = False  # True: this row takes consent to `kinds` back


@dataclass
class Evidence:
    quote: str
    message_seq: int | None = None
    at_seconds: float | None = None
    source: str = "transcript"  # "transcript" (the candidate's words) | "whiteboard" ("Whiteboard: LB → API")


@dataclass
class CompetencyScore:
    key: str
    name: str
    score: float | None  # 1.0 – 5.0; None when the transcript was too thin or garbled to judge
    confidence: float  # 0.0 – 1.0
    rationale: str = ""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class PlanStep:
    title: str
    detail: str
    resources: list[str] = field(default_factory=list)


@dataclass
class Evaluation:
    session_id: str
    overall_score: float | None  # 1.0 – 5.0, weighted by the rubric; None when not scored
    competencies: list[CompetencyScore]
    went_well: list[str] = field(default_factory=list)
    went_okay: list[str] = field(default_factory=list)
    needs_improvement: list[str] = field(default_factory=list)
    improvement_plan: list[PlanStep] = field(default_factory=list)
    communication: dict[str, Any] = field(default_factory=dict)
    rubric_id: str = "system_design"
    rubric_version: str = "1"
    engine: str = "offline"  # which evaluator produced it: "offline" or a provider key
    model: str | None = None  # the LLM model, when an LLM produced it
    prompt_version: str | None = None  # e.g. "evaluator/v1", when an LLM produced it
    notes: list[str] = field(default_factory=list)  # e.g. "LLM output invalid, offline used"
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class EarlierEvaluation:
    """An evaluation that an "Evaluate again" replaced, kept as it was, with the approval it had and who replaced
    it when (core.interview.reevaluation): a re-run never makes an earlier result vanish."""

    session_id: str
    evaluation: Evaluation  # as it was stored; its id is the replaced evaluation's
    replaced_at: datetime
    replaced_by: str
    approved_at: datetime | None = None
    approved_by: str | None = None
    id: int | None = None


@dataclass
class EvaluationRelease:
    """A reviewer's approval that releases one AI evaluation to its candidate (core.evaluation.release).

    It belongs to that evaluation: a new evaluation of the session starts unapproved.
    """

    session_id: str
    evaluation_id: int
    approved_at: datetime
    approved_by: str


@dataclass
class ScoreOverride:
    """A reviewer's adjustment of one competency score; the evaluation itself is never rewritten."""

    session_id: str
    competency: str  # the rubric competency key
    original_score: float | None  # the evaluator's score (None when it did not score)
    new_score: float
    justification: str
    reviewer: str
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class TokenUsage:
    session_id: str
    provider: str
    model: str
    operation: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    duration_ms: int
    id: int | None = None
    created_at: datetime | None = None
    # the model answers this record stands for (an LLM evaluation: one per sample and transcript part; 0: not
    # counted) and how many of them came from the answer cache (core.llm.answer_cache) at no cost
    answers: int = 0
    cached_answers: int = 0
    # of input_tokens, what the provider's prompt cache served (billed at a discount) and wrote (Anthropic bills
    # writes at a premium): core.llm.pricing
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


@dataclass
class CachedAnswer:
    """A model's answer kept under the SHA-256 of what was asked (core.llm.answer_cache), so that asking the
    same again (an evaluation re-run, a reviewer's second look) costs nothing. `session_id` is the interview
    that asked first: erasing it erases the answer, which may quote the candidate."""

    key: str  # 64 hex digits
    provider: str
    model: str
    prompt_version: str  # e.g. "evaluator_part/v1"
    text: str  # the answer as the model gave it
    input_tokens: int  # what it cost when it was asked
    output_tokens: int
    session_id: str | None = None
    created_at: datetime | None = None


@dataclass
class AuditEntry:
    action: str
    actor: str = "system"
    session_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ActivityQuery:
    """Which audit entries a listing of activity holds: who acted, which actions, when ([since, until), UTC).

    Every part narrows: an empty query is the whole log. `actions` keeps only those actions, `other_than`
    leaves those out (the "other" kind is every action no kind names)."""

    actor: str | None = None  # as the audit log names them ("account:<id>"); None: anyone
    actions: tuple[str, ...] | None = None
    other_than: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class SessionSummary:
    """One History row: what the list needs without loading the whole session."""

    id: str
    problem_id: str
    problem_title: str
    level: Level
    candidate_name: str | None
    status: SessionStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: float
    overall_score: float | None
    candidate_id: str | None = None
    interviewer_provider: str = OFFLINE
    interviewer_model: str | None = None


@dataclass
class Utterance:
    """One thing said or typed, from chat or transcript: what the evaluator reads."""

    speaker: str  # "interviewer" | "candidate"
    text: str
    start: float | None = None  # seconds from the interview start
    end: float | None = None
    seq: int | None = None  # chat position, when it came from the chat


class MemberRole(StrEnum):
    INTERVIEWER = "interviewer"
    REVIEWER = "reviewer"
    RECRUITER = "recruiter"
    ADMIN = "admin"


@dataclass
class TeamMember:
    """Working hours are local to `timezone`: {"0": [["09:00", "17:00"]], …} with 0 = Monday."""

    id: str
    name: str
    email: str
    role: MemberRole = MemberRole.INTERVIEWER
    timezone: str = "UTC"
    working_hours: dict[str, list[list[str]]] = field(default_factory=dict)
    calcom_username: str | None = None
    active: bool = True
    created_at: datetime | None = None


@dataclass
class EventType:
    """An interview kind as it is booked; calcom_event_type_id links it to Cal.com when a key is set."""

    id: str
    title: str
    kind: str = "system_design"
    length_minutes: int = 60
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 10
    problem_id: str | None = None
    calcom_event_type_id: int | None = None
    created_at: datetime | None = None


class BookingStatus(StrEnum):
    PENDING = "pending"  # requested, waiting for the host to confirm
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass
class Booking:
    """How a scheduled session was booked.

    external_uid is Cal.com's booking uid, which changes on every reschedule (the old ones are kept
    in previous_uids); ical_uid is ours and never changes, so calendar invitations update in place.
    """

    id: str
    session_id: str
    source: str  # "local" | "calcom"
    ical_uid: str
    start_at: datetime
    end_at: datetime
    attendee_name: str
    attendee_email: str
    timezone: str = "UTC"
    status: BookingStatus = BookingStatus.CONFIRMED
    ical_sequence: int = 0
    external_uid: str | None = None
    previous_uids: list[str] = field(default_factory=list)
    event_type_id: str | None = None
    meeting_url: str | None = None
    meeting_provider: str | None = None
    guests: list[str] = field(default_factory=list)
    cancellation_reason: str | None = None
    meeting_started_at: datetime | None = None
    meeting_ended_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class WebhookEvent:
    """One webhook delivery as received; status says what became of it."""

    source: str  # "calcom"
    body_sha256: str
    status: str  # received | retry | processed | duplicate | ignored | failed | rejected
    trigger: str | None = None
    booking_uid: str | None = None
    dedupe_key: str | None = None
    payload: dict[str, Any] | None = None
    outcome: str = ""
    session_id: str | None = None
    id: int | None = None
    received_at: datetime | None = None
    processed_at: datetime | None = None
    attempts: int = 0  # tries that met a locked or unreachable database
    next_attempt_at: datetime | None = None  # status "retry": not before this time


@dataclass
class WebhookRefusal:
    """Refused requests of one kind (source, HTTP status, reason) within one UTC hour, counted."""

    source: str
    status_code: int
    reason: str
    hour: str  # "2030-06-04T10"
    count: int
    first_at: datetime
    last_at: datetime
    id: int | None = None


# --- interviewer-led sessions (templates in data/templates) ------------------------------------------


@dataclass
class LiveSession:
    """The interviewer's cockpit state for one session: which template, which stage, what was ticked.

    Times are on the session's clock (seconds since start, pauses excluded), so a stage timer survives
    a reload or a restart. stage_log holds the finished stages: [{"stage", "start", "end"}].
    """

    session_id: str
    template_id: str
    template_version: str
    stage: str  # a stage key of the template
    stage_started_seconds: float = 0.0
    stage_log: list[dict[str, Any]] = field(default_factory=list)
    goal_marks: dict[str, bool] = field(default_factory=dict)  # the interviewer's ticks, over the signals
    facts: dict[str, str] = field(default_factory=dict)  # the template's session-scope fields (budget, …)
    meeting_url: str | None = None  # for sessions not booked through the Schedule page
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class LiveNote:
    """A note taken during a session. A draft is the note being typed: saved on every keystroke pause,
    stamped when typing began (the moment the thing was said), turned into a note on Enter."""

    session_id: str
    text: str
    at_seconds: float  # session clock when the interviewer started typing it
    stage: str = ""
    tag: str | None = None  # a notes.tags key of the template: pain, outcome, feature, objection …
    jtbd_type: str | None = None  # functional | social | emotional (the template's jtbd_types)
    importance: int | None = None
    fields: dict[str, str] = field(default_factory=dict)  # the template's note-scope fields (quote, …)
    transcript_entry_id: int | None = None  # the transcript line being spoken when the note was begun
    author: str = "interviewer"
    draft: bool = False
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class ScorecardEntry:
    """One rating of one competency; the latest per competency is the final score. Never rewritten."""

    session_id: str
    competency: str
    score: float  # 1 – 5
    evidence: str
    set_by: str
    suggested_score: float | None = None  # the evaluator's suggestion when this was set
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class RecommendationRecord:
    """A recommendation as computed or overridden; the latest one stands, the rest is history."""

    session_id: str
    key: str  # a recommendations key of the template
    confidence: float  # 0 – 1
    source: str  # "computed" | "override"
    actor: str
    justification: str = ""
    basis: dict[str, Any] = field(default_factory=dict)  # scores and thresholds it was computed from
    id: int | None = None
    created_at: datetime | None = None


@dataclass
class FollowUpTask:
    id: str
    session_id: str
    title: str
    owner: str
    due_on: date
    status: str = "open"  # open | done
    source: str = "recommendation"  # recommendation | manual
    recommendation: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class PipelineChange:
    """A person's pipeline status over time; the latest is where they stand."""

    candidate_id: str
    status: str  # e.g. activation, follow_up, not_a_fit, next_round, offer, rejected
    source: str  # "recommendation" | "manual"
    actor: str
    reason: str = ""
    session_id: str | None = None
    id: int | None = None
    created_at: datetime | None = None


# History search: what the History list asks the session repository for.

MAX_PAGE_SIZE = 200


class SortKey(StrEnum):
    DATE = "date"
    SCORE = "score"
    CANDIDATE = "candidate"
    PROBLEM = "problem"

    @property
    def label(self) -> str:
        return {"date": "Date", "score": "Overall score", "candidate": "Candidate", "problem": "Problem"}[self.value]


@dataclass(frozen=True)
class HistoryQuery:
    """What the History list shows. Empty filters mean "any"; pages count from 1.

    `candidate` matches a candidate id exactly or any part of a name (case-insensitive);
    `candidate_id` matches only that candidate. Dates bound `created_at`: from inclusive, to
    exclusive. A score bound leaves out unscored interviews. `interviewer_model` narrows
    `interviewer_provider` to one model.
    """

    candidate: str = ""
    candidate_id: str | None = None
    problem_ids: tuple[str, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    score_min: float | None = None
    score_max: float | None = None
    interviewer_provider: str | None = None
    interviewer_model: str | None = None
    statuses: tuple[SessionStatus, ...] = ()
    sort: SortKey = SortKey.DATE
    descending: bool = True
    page: int = 1
    page_size: int = 25
    scope: SessionScope | None = None  # whose sessions; None: everyone's (the policy narrows it for a person)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sort", SortKey(self.sort))  # "score" from a URL or a CLI works too
        object.__setattr__(self, "statuses", tuple(SessionStatus(s) for s in self.statuses))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise WorkspaceError(f"A page holds 1 to {MAX_PAGE_SIZE} interviews, not {self.page_size}.")
        if self.page < 1:
            raise WorkspaceError(f"Pages count from 1, not {self.page}.")
        if self.score_min is not None and self.score_max is not None and self.score_min > self.score_max:
            raise WorkspaceError(f"The lowest score ({self.score_min}) is above the highest ({self.score_max}).")
        if self.created_from and self.created_to and self.created_from > self.created_to:
            raise WorkspaceError("The date range ends before it starts.")
        for moment in (self.created_from, self.created_to):
            if moment is not None and moment.tzinfo is None:
                raise WorkspaceError("Date bounds need a timezone.")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class AccountRole(StrEnum):
    CANDIDATE = "candidate"
    INTERVIEWER = "interviewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass
class Account:
    """A person who can sign in; one person may hold several roles. `team` groups interviewers and reviewers."""

    id: str
    email: str  # as typed; matched through email_key
    name: str
    roles: list[AccountRole] = field(default_factory=list)
    team: str = ""
    password_hash: str | None = None  # None: signs in only through the identity provider (an invitation)
    active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    last_sign_in_at: datetime | None = None
    # What they are told, and how (core.notifications.preferences): event kind -> channels ("email", "slack",
    # "sms"); an event not named gets the defaults. phone is E.164 ("+447700900123"), "" for none; timezone ""
    # for the team's or the booking's; quiet_hours "21:00-08:00" in that zone, "" for none.
    notify: dict[str, list[str]] = field(default_factory=dict)
    phone: str = ""
    timezone: str = ""
    quiet_hours: str = ""

    def has(self, role: AccountRole) -> bool:
        return role in self.roles

    @property
    def audit_name(self) -> str:
        """How the audit log names this person: by id, so no name or email reaches a log line and a
        rename cannot hide who acted (pages show the name beside it)."""
        return f"account:{self.id}"


@dataclass
class SignInFailures:
    """Failed password sign-ins in a row for one typed address, whether or not an account has it.

    `key` is a keyed hash of the address (core.accounts.failed_sign_ins.failure_key), never the address: an
    address nobody has must count and lock exactly like an account's, without being stored in clear. The
    record may be deleted once `expires_at` has passed (and it counts as none from then on)."""

    key: str
    failures: int
    last_failed_at: datetime
    expires_at: datetime
    locked_until: datetime | None = None


@dataclass
class SignInSession:
    """One browser's sign-in; only the SHA-256 of its token is stored, so a database copy signs nobody in."""

    token_hash: str
    account_id: str
    expires_at: datetime
    created_at: datetime | None = None
    last_seen_at: datetime | None = None
    method: str = "password"  # or "oidc"


@dataclass(frozen=True)
class SessionScope:
    """Which sessions a person may see, as the policy (core.permissions.policy) decides it; storage applies it.

    `everything` for admins; otherwise a session is visible when any one of the set conditions holds.
    """

    everything: bool = False
    owner_id: str | None = None  # sessions this account started
    team: str | None = None  # sessions of this team
    candidate_email_key: str | None = None  # sessions whose candidate has this email
    interviewer_email_key: str | None = None  # sessions with this team member assigned


@dataclass(frozen=True)
class CandidateScope:
    """Which candidate records (names, emails) a person may see, as the policy decides it; storage applies it.

    `everything` for admins; otherwise their own record (`email_key`) and the candidates of the sessions
    `sessions` lets them see, so a picker never names a person whose interviews they could not open.
    """

    everything: bool = False
    email_key: str | None = None  # the person's own record
    sessions: SessionScope = SessionScope()  # the candidates of these sessions


class DataRequestKind(StrEnum):
    EXPORT = "export"
    ERASE = "erase"
    RETENTION = "retention"


@dataclass
class DataRequest:
    """A person's data exported or erased on request, or a retention run (core.privacy).

    subject is the candidate's id, never a name or email: the record must outlive the person's data.
    counts says how much was exported or deleted, per kind of record ("sessions", "files", …).
    """

    kind: DataRequestKind
    actor: str
    subject: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    id: int | None = None
    created_at: datetime | None = None


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """Work done in the background by a worker (core.jobs): a webhook to apply, a cleanup, an accurate pass.

    key makes a job idempotent: one job per key, however often it is submitted. A worker claims a job for a
    lease; a job still running when its lease ends was lost with its worker and is claimed again.
    """

    kind: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)
    status: JobStatus = JobStatus.QUEUED
    attempts: int = 0
    max_attempts: int = 5
    reason: str = ""  # why it failed, or why it waits to try again; a sentence for a person
    progress: float | None = None  # 0..1 while a long job runs
    progress_note: str = ""
    session_id: str | None = None
    actor: str = ""  # who asked for it ("system" for timers, "calcom" for webhooks)
    run_after: datetime | None = None  # a retry waits until then
    lease_until: datetime | None = None  # a running job not finished by then is claimed again
    sent_at: datetime | None = None  # last handed to the queue
    finished_at: datetime | None = None
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Channel(StrEnum):
    """How a message reaches a person: an email, a post to the workspace's Slack channel, a text message."""

    EMAIL = "email"
    SLACK = "slack"
    SMS = "sms"


class OutboxStatus(StrEnum):
    QUEUED = "queued"  # a worker sends it (or is trying again after a passing failure)
    WAITING = "waiting"  # for SMTP: no mail server is configured; sent once one is
    SENT = "sent"  # the mail server accepted it
    FAILED = "failed"  # refused for good, or still failing after every try; last_error says why
    WITHDRAWN = "withdrawn"  # no longer owed, never sent: a reminder of an interview cancelled, moved or begun


@dataclass
class OutboxMessage:
    """One email to one person, kept from the moment it is written until the mail server took it (and after).

    The message is stored whole (bodies, the calendar invitation) when the booking or the person's Send
    happens, so sending later, retrying or sending once SMTP is configured sends exactly what was written.
    message_id is its Message-ID header, the same on every try. A reminder is written when its interview is
    booked but is due later: send_after is when its send job may run, send_before when it is of no more use
    (the interview begins), and job_key names its send job (one per booking, recipient, offset and revision).
    """

    kind: str  # booking_confirmation | booking_update | booking_cancellation | booking_reminder | follow_up
    recipient: str  # "Name <address>"
    subject: str
    text_body: str
    html_body: str = ""
    sender: str = ""  # "Name <address>"
    reply_to: str = ""  # "Name <address>" replies go to, when not the sender
    attachment: bytes | None = None  # the calendar invitation (.ics), when there is one
    attachment_name: str = ""
    attachment_type: str = ""  # e.g. "text/calendar; method=REQUEST; charset=UTF-8"
    message_id: str = ""
    session_id: str | None = None
    booking_id: str | None = None
    actor: str = ""  # who caused it (a person's audit name, "calcom" for a webhook)
    status: OutboxStatus = OutboxStatus.QUEUED
    attempts: int = 0  # times the mail server was tried
    last_error: str = ""  # why the last try did not send it, in a sentence; "" once sent
    sent_at: datetime | None = None
    send_after: datetime | None = None  # not sent before (a reminder's due time); None: at once
    send_before: datetime | None = None  # not sent from then on (withdrawn instead); None: whenever
    job_key: str = ""  # its send job's key; "" for the usual one, core.notifications.outbox.job_key(id)
    channel: Channel = Channel.EMAIL  # slack: recipient names the person; sms: recipient is the E.164 number
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class OutgoingEvent(StrEnum):
    """What other systems (an ATS, a CRM) can subscribe to; the value is the payload's "type"."""

    BOOKING_CREATED = "booking.created"  # a booking is confirmed (made here, on Cal.com, or a request accepted)
    BOOKING_RESCHEDULED = "booking.rescheduled"  # a confirmed booking moved to another time
    BOOKING_CANCELLED = "booking.cancelled"
    INTERVIEW_COMPLETED = "interview.completed"
    EVALUATION_RELEASED = "evaluation.released"  # the candidate may now see the evaluation
    RECOMMENDATION_MADE = "recommendation.made"  # computed from the scorecard, or a person's override


@dataclass
class WebhookSubscription:
    """A receiver of outgoing webhooks: where to POST, which events, and the secret that signs them.

    The secret ("whsec_" + base64, Standard Webhooks) is shown once when the subscription is made and kept
    to sign every delivery; repr=False keeps it out of any log line or error that prints the record.
    """

    id: str
    url: str
    events: list[str]  # OutgoingEvent values
    secret: str = field(repr=False)
    description: str = ""
    enabled: bool = True
    created_by: str = ""  # the audit name of whoever made it
    created_at: datetime | None = None
    updated_at: datetime | None = None


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # written with the change that caused it; a worker sends it
    RETRYING = "retrying"  # tried, not answered with 2xx; tried again with backoff until retry_until
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # still failing at retry_until, or its subscription was disabled; last_error says why


@dataclass
class WebhookDelivery:
    """One event for one subscription: the exact body sent, and what became of it.

    message_id is the webhook-id header, the same on every try and every replay, so a receiver that has
    seen it can drop the repeat. The body is stored as the bytes' text, so a replay sends it unchanged.
    """

    subscription_id: str
    message_id: str  # "msg_…": one per event, shared by the event's deliveries to each subscription
    event: str  # an OutgoingEvent value
    body: str  # the JSON sent, exactly
    session_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = 0  # tries, replays included
    last_error: str = ""  # why the last try did not deliver, in a sentence; "" once delivered
    retry_until: datetime | None = None  # tries stop after this; set when queued (written or replayed)
    next_attempt_at: datetime | None = None  # status retrying: the next try is not before this
    delivered_at: datetime | None = None
    id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class DeliveryAttempt:
    """One POST of a delivery: when, how it was answered (or why it was not), how long it took."""

    delivery_id: int
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = None  # None when no answer came (no connection, a timeout)
    error: str = ""  # "" for a 2xx answer; otherwise why it does not count as delivered
    response_excerpt: str = ""  # the start of the answer's body
    id: int | None = None

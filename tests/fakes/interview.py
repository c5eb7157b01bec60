"""Fakes of the interview repositories: sessions, chat, candidates, resumes, evaluations and per-session logs."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from core.errors import NotFound
from core.models import (
    ActivityQuery,
    AuditEntry,
    Candidate,
    CandidateScope,
    EarlierEvaluation,
    Evaluation,
    EvaluationRelease,
    HistoryQuery,
    MediaFile,
    Message,
    Resume,
    ScoreOverride,
    Session,
    SessionScope,
    SessionStatus,
    SessionSummary,
    SortKey,
    TokenUsage,
    TranscriptEntry,
    WhiteboardSnapshot,
    email_key,
)
from tests.fakes.base import FakeDatabaseError, FakeIntegrityError, Repo, now, visible_in

Logged = TypeVar(
    "Logged",
    Message,
    Evaluation,
    TranscriptEntry,
    WhiteboardSnapshot,
    MediaFile,
    TokenUsage,
    ScoreOverride,
    AuditEntry,
)
Item = TypeVar("Item", TranscriptEntry, WhiteboardSnapshot, MediaFile, TokenUsage, ScoreOverride)


def _stamp(item: Logged, item_id: int) -> Logged:
    """A stored copy with its new id and created_at (storage ignores an id the caller set)."""
    return replace(copy.deepcopy(item), id=item_id, created_at=item.created_at or now())


class FakeSessionRepository(Repo):
    def add(self, session: Session) -> None:
        if session.id in self._state.sessions:
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: sessions.id"))
        self._require("sessions", {"candidate_id": "candidates"}, {"candidate_id": session.candidate_id})
        session.created_at = session.created_at or now()
        session.updated_at = session.updated_at or session.created_at
        self._state.sessions[session.id] = copy.deepcopy(session)

    def get(self, session_id: str) -> Session:
        if session_id not in self._state.sessions:
            raise NotFound(f"No interview with id {session_id}.")
        return copy.deepcopy(self._state.sessions[session_id])

    def update(self, session: Session) -> None:
        self.get(session.id)
        self._require("sessions", {"candidate_id": "candidates"}, {"candidate_id": session.candidate_id})
        session.updated_at = session.updated_at or now()
        self._state.sessions[session.id] = copy.deepcopy(session)

    def list_summaries(
        self, *, limit: int = 50, offset: int = 0, statuses: list[SessionStatus] | None = None
    ) -> list[SessionSummary]:
        moment = now()
        chosen = [s for s in self._state.sessions.values() if statuses is None or s.status in statuses]
        chosen.sort(key=lambda s: (s.created_at or moment, s.id), reverse=True)
        scores = {e.session_id: e.overall_score for e in self._state.evaluations}
        names = {c.id: c.name for c in self._state.candidates.values()}
        return [
            SessionSummary(
                id=s.id,
                problem_id=s.problem_id,
                problem_title=s.problem_title,
                level=s.level,
                candidate_name=names.get(s.candidate_id or ""),
                status=s.status,
                created_at=s.created_at or moment,
                started_at=s.started_at,
                ended_at=s.ended_at,
                duration_seconds=s.elapsed_seconds(moment),
                overall_score=scores.get(s.id),
                candidate_id=s.candidate_id,
                interviewer_provider=s.interviewer_provider,
                interviewer_model=s.interviewer_model,
            )
            for s in chosen[offset : offset + limit]
        ]

    def count(self, *, statuses: list[SessionStatus] | None = None) -> int:
        return sum(1 for s in self._state.sessions.values() if statuses is None or s.status in statuses)

    def search(self, query: HistoryQuery) -> list[SessionSummary]:
        """Same filters and order as the SQL one: missing sort values last, then newest first."""
        every = self.list_summaries(limit=len(self._state.sessions))
        chosen = [
            s for s in every if _matches(s, query) and self._visible(s.id, query.scope)
        ]  # already newest first: the tie-break
        present = [s for s in chosen if _sort_value(s, query) is not None]
        present.sort(key=lambda s: _sort_value(s, query), reverse=query.descending)
        if query.sort is SortKey.DATE and not query.descending:
            present.sort(key=lambda s: (s.created_at, s.id))
        ordered = present + [s for s in chosen if _sort_value(s, query) is None]
        return ordered[query.offset : query.offset + query.page_size]

    def search_counted(self, query: HistoryQuery) -> tuple[list[SessionSummary], int]:
        return self.search(query), self.count_matching(query)

    def count_matching(self, query: HistoryQuery) -> int:
        every = self.list_summaries(limit=len(self._state.sessions))
        return sum(1 for s in every if _matches(s, query) and self._visible(s.id, query.scope))

    def _visible(self, session_id: str, scope: SessionScope | None) -> bool:
        return visible_in(self._state, session_id, scope)

    def ids_for_candidate(self, candidate_id: str) -> list[str]:
        found = [s for s in self._state.sessions.values() if s.candidate_id == candidate_id]
        return [s.id for s in sorted(found, key=lambda s: (s.created_at or now(), s.id))]

    def ids_created_before(self, cutoff: datetime, *, limit: int = 500) -> list[str]:
        found = [s for s in self._state.sessions.values() if s.created_at is not None and s.created_at < cutoff]
        return [s.id for s in sorted(found, key=lambda s: (s.created_at or now(), s.id))][: max(limit, 0)]

    def delete(self, session_id: str) -> dict[str, int]:
        """Like the foreign keys onto sessions.id: every table holding the session's rows loses them, a
        pipeline change only its link; the audit log and webhook events (no foreign key) keep theirs."""
        self.get(session_id)
        state = self._state
        deleted: dict[str, int] = {}
        for change in state.pipeline.values():
            if change.session_id == session_id:
                change.session_id = None
        pairs = [p for p in state.session_interviewers if p[0] != session_id]
        if len(pairs) != len(state.session_interviewers):
            deleted["session_interviewers"] = len(state.session_interviewers) - len(pairs)
            state.session_interviewers[:] = pairs
        for name in vars(state):
            if name in _NOT_CASCADED:
                continue
            rows = getattr(state, name)
            values = list(rows.values()) if isinstance(rows, dict) else rows
            if not values or not hasattr(values[0], "session_id"):
                continue
            if isinstance(rows, dict):
                kept: Any = {k: r for k, r in rows.items() if r.session_id != session_id}
            else:
                kept = [r for r in rows if r.session_id != session_id]
            if len(kept) != len(rows):
                deleted[_TABLE_NAMES.get(name, name)] = len(rows) - len(kept)
                setattr(state, name, kept)
        if "webhook_deliveries" in deleted:  # their attempts go with them, as the foreign key says
            left = set(state.webhook_deliveries)
            state.delivery_attempts = {k: a for k, a in state.delivery_attempts.items() if a.delivery_id in left}
        del state.sessions[session_id]
        deleted["sessions"] = 1
        return deleted

    def team_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for session in self._state.sessions.values():
            if session.team:
                counts[session.team] = counts.get(session.team, 0) + 1
        return counts

    def rename_team(self, old: str, new: str) -> int:
        renamed = [s for s in self._state.sessions.values() if s.team == old]
        for session in renamed:
            session.team = new
        return len(renamed)

    def interviewers(self, scope: SessionScope | None = None) -> list[tuple[str, str | None]]:
        pairs = {
            (s.interviewer_provider, s.interviewer_model)
            for s in self._state.sessions.values()
            if self._visible(s.id, scope)
        }
        return sorted(pairs, key=lambda pair: (pair[0], pair[1] or ""))

    def awaiting_release(self, *, limit: int = 200) -> list[SessionSummary]:
        waiting = [e for e in self._state.evaluations if e.id not in self._state.releases]
        waiting.sort(key=lambda e: (e.created_at, e.session_id))
        summaries = {s.id: s for s in self.list_summaries(limit=len(self._state.sessions))}
        return [summaries[e.session_id] for e in waiting[:limit]]


def _matches(s: SessionSummary, q: HistoryQuery) -> bool:
    text = q.candidate.strip()
    score = s.overall_score
    return all(
        (
            not text or s.candidate_id == text or text.casefold() in (s.candidate_name or "").casefold(),
            q.candidate_id is None or s.candidate_id == q.candidate_id,
            not q.problem_ids or s.problem_id in q.problem_ids,
            q.created_from is None or s.created_at >= q.created_from,
            q.created_to is None or s.created_at < q.created_to,
            q.score_min is None or (score is not None and score >= q.score_min),
            q.score_max is None or (score is not None and score <= q.score_max),
            q.interviewer_provider is None or s.interviewer_provider == q.interviewer_provider,
            q.interviewer_model is None or q.interviewer_provider is None or s.interviewer_model == q.interviewer_model,
            not q.statuses or s.status in q.statuses,
        )
    )


def _sort_value(s: SessionSummary, q: HistoryQuery) -> Any:
    value: str | float | datetime | None = {
        SortKey.DATE: s.created_at,
        SortKey.SCORE: s.overall_score,
        SortKey.CANDIDATE: s.candidate_name,
        SortKey.PROBLEM: s.problem_title,
    }[q.sort]
    return value


class FakeMessageRepository(Repo):
    def add(self, message: Message) -> Message:
        if message.session_id not in self._state.sessions:
            raise NotFound(f"No interview with id {message.session_id}.")
        seq = 1 + max((m.seq or 0 for m in self._state.messages if m.session_id == message.session_id), default=0)
        stored = replace(_stamp(message, next(self._uow.ids)), seq=seq)
        self._state.messages.append(stored)
        return copy.deepcopy(stored)

    def in_session(self, session_id: str, *, after_seq: int | None = None) -> list[Message]:
        found = [
            m
            for m in self._state.messages
            if m.session_id == session_id and (after_seq is None or (m.seq or 0) > after_seq)
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.seq or 0))

    def count_in_session(self, session_id: str) -> int:
        return sum(1 for m in self._state.messages if m.session_id == session_id)


class FakeCandidateRepository(Repo):
    def add(self, candidate: Candidate) -> None:
        if candidate.id in self._state.candidates:
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: candidates.id"))
        self._require_unique_email(candidate)
        candidate.created_at = candidate.created_at or now()
        self._state.candidates[candidate.id] = copy.deepcopy(candidate)

    def get(self, candidate_id: str, *, scope: CandidateScope | None = None) -> Candidate:
        found = self._state.candidates.get(candidate_id)
        if found is None or not self._visible(found, scope):
            raise NotFound(f"No candidate with id {candidate_id}.")
        return copy.deepcopy(found)

    def by_email(self, email: str) -> Candidate | None:
        """The candidate with this email (any case, any surrounding space): a returning person is one candidate."""
        wanted = email_key(email)
        found = [c for c in self._state.candidates.values() if wanted is not None and c.email_key == wanted]
        return copy.deepcopy(found[0]) if found else None

    def update(self, candidate: Candidate) -> Candidate:
        stored = self.get(candidate.id)
        self._require_unique_email(candidate)
        stored.name, stored.email = candidate.name, candidate.email
        self._state.candidates[candidate.id] = stored
        return copy.deepcopy(stored)

    def reassign(self, from_id: str, *, to_id: str) -> dict[str, int]:
        self._require("candidates", {"to_id": "candidates"}, {"to_id": to_id})
        moved: dict[str, int] = {}
        for table, rows in (
            ("pipeline_changes", self._state.pipeline.values()),
            ("resumes", self._state.resumes.values()),
            ("sessions", self._state.sessions.values()),
        ):
            for row in rows:
                if row.candidate_id == from_id:
                    row.candidate_id = to_id
                    moved[table] = moved.get(table, 0) + 1
        return moved

    def delete(self, candidate_id: str) -> None:
        """Like the foreign keys: sessions forget the candidate, resumes and pipeline changes go with it."""
        self.get(candidate_id)
        del self._state.candidates[candidate_id]
        for session in self._state.sessions.values():
            if session.candidate_id == candidate_id:
                session.candidate_id = None
        self._state.resumes = {k: r for k, r in self._state.resumes.items() if r.candidate_id != candidate_id}
        self._state.pipeline = {k: p for k, p in self._state.pipeline.items() if p.candidate_id != candidate_id}

    def _require_unique_email(self, candidate: Candidate) -> None:
        key = candidate.email_key
        if key is not None and any(
            c.email_key == key and c.id != candidate.id for c in self._state.candidates.values()
        ):
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: candidates.email_key"))

    def all(self, *, limit: int = 500, scope: CandidateScope | None = None) -> list[Candidate]:
        shown = [c for c in self._state.candidates.values() if self._visible(c, scope)]
        return copy.deepcopy(sorted(shown, key=lambda c: (c.name, c.id))[:limit])

    def _visible(self, candidate: Candidate, scope: CandidateScope | None) -> bool:
        """storage's WHERE: their own record, or the candidate of a session the scope lets them see."""
        if scope is None or scope.everything:
            return True
        if scope.email_key is not None and candidate.email_key == scope.email_key:
            return True
        return any(
            s.candidate_id == candidate.id and visible_in(self._state, s.id, scope.sessions)
            for s in self._state.sessions.values()
        )


class FakeResumeRepository(Repo):
    def add(self, resume: Resume) -> None:
        if resume.id in self._state.resumes:
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: resumes.id"))
        self._require("resumes", {"candidate_id": "candidates"}, {"candidate_id": resume.candidate_id})
        resume.created_at = resume.created_at or now()
        self._state.resumes[resume.id] = copy.deepcopy(resume)

    def get(self, resume_id: str) -> Resume:
        if resume_id not in self._state.resumes:
            raise NotFound(f"No resume with id {resume_id}.")
        return copy.deepcopy(self._state.resumes[resume_id])

    def latest_for_candidate(self, candidate_id: str) -> Resume | None:
        found = [r for r in self._state.resumes.values() if r.candidate_id == candidate_id]
        return copy.deepcopy(max(found, key=lambda r: (r.created_at or now(), r.id))) if found else None

    def for_candidate(self, candidate_id: str) -> list[Resume]:
        found = [r for r in self._state.resumes.values() if r.candidate_id == candidate_id]
        return copy.deepcopy(sorted(found, key=lambda r: (r.created_at or now(), r.id)))


class FakeEvaluationRepository(Repo):
    def add(self, evaluation: Evaluation) -> Evaluation:
        """One per session: a second one breaks a unique constraint, as in the databases."""
        if self.for_session(evaluation.session_id) is not None:
            raise self._fail(FakeIntegrityError("UNIQUE constraint failed: evaluations.session_id"))
        self._require("evaluations", {"session_id": "sessions"}, {"session_id": evaluation.session_id})
        stored = _stamp(evaluation, next(self._uow.ids))
        self._state.evaluations.append(stored)
        return copy.deepcopy(stored)

    def for_session(self, session_id: str) -> Evaluation | None:
        found = [e for e in self._state.evaluations if e.session_id == session_id]
        return copy.deepcopy(found[0]) if found else None

    def replace(self, evaluation: Evaluation, *, replaced_at: datetime, replaced_by: str) -> Evaluation:
        old = self._evaluation(evaluation.session_id)
        if replaced_at.tzinfo is None:
            raise self._fail(FakeDatabaseError("Refusing to store a naive datetime; use a tz-aware one."))
        release = self._state.releases.pop(old.id or 0, None)
        self._state.earlier_evaluations.append(
            EarlierEvaluation(
                session_id=old.session_id,
                evaluation=old,
                replaced_at=replaced_at.astimezone(UTC),
                replaced_by=replaced_by,
                approved_at=release.approved_at if release else None,
                approved_by=release.approved_by if release else None,
                id=next(self._uow.ids),
            )
        )
        self._state.evaluations = [e for e in self._state.evaluations if e.id != old.id]
        return self.add(evaluation)

    def earlier(self, session_id: str) -> list[EarlierEvaluation]:
        found = [e for e in self._state.earlier_evaluations if e.session_id == session_id]
        return copy.deepcopy(sorted(found, key=lambda e: (e.replaced_at, e.id or 0), reverse=True))

    def release(self, session_id: str, *, approved_at: datetime, approved_by: str) -> EvaluationRelease:
        evaluation = self._evaluation(session_id)
        if approved_at.tzinfo is None:
            raise self._fail(FakeDatabaseError("Refusing to store a naive datetime; use a tz-aware one."))
        release = EvaluationRelease(session_id, evaluation.id or 0, approved_at.astimezone(UTC), approved_by)
        self._state.releases[release.evaluation_id] = release
        return copy.deepcopy(release)

    def withdraw_release(self, session_id: str) -> None:
        self._state.releases.pop(self._evaluation(session_id).id or 0, None)

    def release_of(self, session_id: str) -> EvaluationRelease | None:
        evaluation = self.for_session(session_id)
        release = self._state.releases.get(evaluation.id or 0) if evaluation else None
        return copy.deepcopy(release)

    def _evaluation(self, session_id: str) -> Evaluation:
        evaluation = self.for_session(session_id)
        if evaluation is None:
            raise NotFound(f"The interview {session_id} has no evaluation.")
        return evaluation


class _SessionLog(Repo, Generic[Item]):
    """A per-session list kept in insertion order; each entry must name a stored session."""

    attribute: str

    def add(self, item: Item) -> Item:
        self._require(self.attribute, {"session_id": "sessions"}, {"session_id": item.session_id})
        stored = _stamp(item, next(self._uow.ids))
        getattr(self._state, self.attribute).append(stored)
        return copy.deepcopy(stored)

    def in_session(self, session_id: str) -> list[Item]:
        return copy.deepcopy([i for i in getattr(self._state, self.attribute) if i.session_id == session_id])


class FakeTranscriptRepository(_SessionLog[TranscriptEntry]):
    attribute = "transcripts"

    def in_session(self, session_id: str, *, after_id: int | None = None) -> list[TranscriptEntry]:
        found = [e for e in super().in_session(session_id) if after_id is None or (e.id or 0) > after_id]
        return sorted(found, key=lambda e: (e.start, e.id or 0))

    def count_in_session(self, session_id: str) -> int:
        return sum(1 for e in self._state.transcripts if e.session_id == session_id)

    def remove_source(self, session_id: str, source: str) -> int:
        kept = [e for e in self._state.transcripts if not (e.session_id == session_id and e.source == source)]
        removed = len(self._state.transcripts) - len(kept)
        self._state.transcripts[:] = kept
        return removed


class FakeWhiteboardRepository(_SessionLog[WhiteboardSnapshot]):
    attribute = "whiteboards"

    def latest(self, session_id: str) -> WhiteboardSnapshot | None:
        snapshots = self.in_session(session_id)
        return snapshots[-1] if snapshots else None

    def pictures_before(self, cutoff: datetime, *, limit: int = 500) -> list[WhiteboardSnapshot]:
        found = [w for w in self._state.whiteboards if w.png_path and w.created_at and w.created_at < cutoff]
        return copy.deepcopy(sorted(found, key=lambda w: (w.created_at or now(), w.id or 0))[: max(limit, 0)])

    def drop_picture(self, snapshot_id: int) -> None:
        for snapshot in self._state.whiteboards:
            if snapshot.id == snapshot_id:
                snapshot.png_path = None


class FakeMediaRepository(_SessionLog[MediaFile]):
    attribute = "media"

    def set_size(self, media_id: int, size_bytes: int) -> None:
        for media in self._state.media:
            if media.id == media_id:
                media.size_bytes = size_bytes
                return
        raise NotFound(f"No media file {media_id}.")

    def created_before(self, cutoff: datetime, *, limit: int = 500) -> list[MediaFile]:
        found = [m for m in self._state.media if m.created_at is not None and m.created_at < cutoff]
        return copy.deepcopy(sorted(found, key=lambda m: (m.created_at or now(), m.id or 0))[: max(limit, 0)])

    def delete(self, media_id: int) -> None:
        if not any(m.id == media_id for m in self._state.media):
            raise NotFound(f"No media file {media_id}.")
        self._state.media[:] = [m for m in self._state.media if m.id != media_id]


class FakeTokenUsageRepository(_SessionLog[TokenUsage]):
    attribute = "token_usage"

    def cost_between(self, since: datetime, until: datetime, *, owner_id: str | None = None) -> float:
        return sum(
            u.cost_usd
            for u in self._in_month(since, until)
            if owner_id is None or self._state.sessions[u.session_id].owner_id == owner_id
        )

    def cost_by_owner(self, since: datetime, until: datetime) -> dict[str | None, float]:
        found: dict[str | None, float] = {}
        for usage in self._in_month(since, until):
            owner = self._state.sessions[usage.session_id].owner_id
            found[owner] = found.get(owner, 0.0) + usage.cost_usd
        return found

    def _in_month(self, since: datetime, until: datetime) -> list[TokenUsage]:
        return [u for u in self._state.token_usage if since <= (u.created_at or now()) < until]


class FakeScoreOverrideRepository(_SessionLog[ScoreOverride]):
    attribute = "score_overrides"

    def in_session(self, session_id: str) -> list[ScoreOverride]:
        return sorted(super().in_session(session_id), key=lambda o: (o.created_at or now(), o.id or 0))

    def all(self) -> list[ScoreOverride]:
        return sorted(copy.deepcopy(self._state.score_overrides), key=lambda o: (o.created_at or now(), o.id or 0))


class FakeAuditRepository(Repo):
    """No foreign key: the record that a session was deleted must outlive it."""

    def add(self, entry: AuditEntry) -> AuditEntry:
        stored = _stamp(entry, next(self._uow.ids))
        self._state.audit.append(stored)
        return copy.deepcopy(stored)

    def latest(self, *, session_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        found = [a for a in self._state.audit if session_id is None or a.session_id == session_id]
        found.sort(key=lambda a: (a.created_at or now(), a.id or 0))
        return copy.deepcopy(found[-limit:] if limit > 0 else [])

    def forget(self, *, session_ids: list[str], mentioning: str) -> int:
        if not mentioning:
            raise ValueError("forget() needs the id the entries mention.")
        kept = [
            a
            for a in self._state.audit
            if a.session_id not in session_ids and mentioning not in json.dumps(a.detail, default=str)
        ]
        forgotten = len(self._state.audit) - len(kept)
        self._state.audit[:] = kept
        return forgotten

    def search(self, query: ActivityQuery, *, limit: int, offset: int = 0) -> list[AuditEntry]:
        found = self._matching(query)
        found.sort(key=lambda a: (a.created_at or now(), a.id or 0), reverse=True)
        return copy.deepcopy(found[max(offset, 0) : max(offset, 0) + max(limit, 0)])

    def count(self, query: ActivityQuery) -> int:
        return len(self._matching(query))

    def delete_before(self, cutoff: datetime, *, limit: int) -> int:
        old = sorted(
            (a for a in self._state.audit if (a.created_at or now()) < cutoff), key=lambda a: (a.created_at, a.id)
        )
        doomed = {id(a) for a in old[: max(limit, 0)]}
        self._state.audit[:] = [a for a in self._state.audit if id(a) not in doomed]
        return len(doomed)

    def _matching(self, query: ActivityQuery) -> list[AuditEntry]:
        def holds(entry: AuditEntry) -> bool:
            at = entry.created_at or now()
            return (
                (query.actor is None or entry.actor == query.actor)
                and (query.actions is None or entry.action in query.actions)
                and entry.action not in query.other_than
                and (query.since is None or at >= query.since)
                and (query.until is None or at < query.until)
            )

        return [a for a in self._state.audit if holds(a)]


# State attributes whose rows name a session without its foreign key cascading (SET NULL, or no key).
_NOT_CASCADED = frozenset({"sessions", "pipeline", "audit", "webhook_events", "session_interviewers"})
# State attribute -> its table's name, where they differ.
_TABLE_NAMES = {
    "transcripts": "transcript_entries",
    "whiteboards": "whiteboard_snapshots",
    "media": "media_files",
    "consents": "session_consents",
    "notes": "live_notes",
    "scorecards": "scorecard_entries",
    "follow_ups": "follow_up_tasks",
    "outbox": "outbox_messages",
}

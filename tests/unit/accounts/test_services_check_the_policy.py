"""The services themselves refuse what the policy refuses: a page that forgot to check, a crafted form or a
stale tab cannot change another person's interview. Each refusal leaves the records as they were and reads
like a missing session; each allowed call is audited under the person's account."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.accounts.services import new_account
from core.candidates.merge import merge_candidates
from core.candidates.services import every_candidate, list_candidates
from core.debrief.follow_ups import tasks_for
from core.debrief.pipeline import for_session
from core.debrief.recommendations import recommendation_view
from core.debrief.scorecards import scorecard, set_score, suggestions
from core.errors import AccessDenied, NotFound
from core.evaluation.release import ReleaseStatus, approve, is_released, release_status, withdraw
from core.evaluation.report import load_report
from core.evaluation.reviews import list_overrides, override_score, session_scores
from core.history.services import compare_sessions, session_detail
from core.history.session_export import session_zip, zip_name
from core.interview.services import (
    create_interview,
    end_interview,
    get_interview,
    list_transcript,
    message_count,
    pause_interview,
    send_message,
    start_interview,
    submit_answer,
    transcript_with_chat,
    usage_summary,
)
from core.live.notes import commit_note, delete_note, notes_for
from core.live.sessions import change_stage, cockpit, create_live_session, end_live, log_speech, set_fact, start_live
from core.media.capture import list_media, save_screen_frame
from core.media.consent import (
    CONFIRMED_FOR_CANDIDATE,
    consent_for,
    consented_kinds,
    give_consent,
    withdraw_consent,
)
from core.models import Account, AccountRole, Candidate, EventType, WhiteboardSnapshot
from core.permissions.access import NOT_ALLOWED, NOT_YOUR_CONSENT, NOT_YOURS
from core.permissions.actor import Actor
from core.privacy.person_erasure import erase_person
from core.privacy.records import recent_requests
from core.privacy.retention import apply_retention
from core.scheduling.bookings import (
    BookingRequest,
    book_interview,
    booking_stats,
    invitation,
    reschedule_slots,
    scheduled_interview,
    upcoming,
)
from core.scheduling.team import add_member, event_types, list_members, save_event_type
from core.speech import live_transcription
from core.speech.session_audio import session_recordings
from core.whiteboard.snapshots import latest_analysis, latest_snapshot, save_snapshot
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.fakes import FakeUnitOfWork
from tests.unit.media.test_capture import png

R = AccountRole


def person(email: str, *roles: AccountRole, team: str = "") -> Account:
    return new_account(email, email.split("@")[0].title(), list(roles), team)


ANA = person("ana@example.com", R.CANDIDATE)
BO = person("bo@example.com", R.CANDIDATE)
IVAN = person("ivan@example.com", R.INTERVIEWER, team="core")
IRIS = person("iris@example.com", R.INTERVIEWER, team="growth")
RITA = person("rita@example.com", R.REVIEWER, team="core")
REX = person("rex@example.com", R.REVIEWER, team="growth")
ADA = person("ada@example.com", R.ADMIN)


def as_(account: Account) -> Actor:
    return Actor.person(account)


def practice(ws: Workspace, owner: Account, *, finish: bool = False) -> str:
    session = create_interview(ws, problem_id="url_shortener", actor=as_(owner))
    start_interview(ws, session.id, actor=as_(owner))
    send_message(ws, session.id, "Start with 100 million links a month and a 100:1 read ratio.", actor=as_(owner))
    if finish:
        end_interview(ws, session.id, actor=as_(owner))
    return session.id


def live(ws: Workspace, interviewer: Account) -> str:
    sid = create_live_session(
        ws, template_id="customer_discovery", candidate_name="Dana Ruiz", actor=as_(interviewer)
    ).id
    start_live(ws, sid, actor=as_(interviewer))
    return sid


def records(uow: FakeUnitOfWork, session_id: str) -> tuple[object, ...]:
    """Everything a refused call could have changed in one session."""
    session = uow.sessions.get(session_id)
    return (
        session.status,
        len(uow.messages.in_session(session_id)),
        len(uow.notes.in_session(session_id, include_drafts=True)),
        len(uow.audit.latest(session_id=session_id)),
        uow.live_sessions.for_session(session_id),
        uow.evaluations.release_of(session_id),
        len(uow.score_overrides.in_session(session_id)),
        len(uow.consents.in_session(session_id)),
        len(uow.transcripts.in_session(session_id)),
    )


def refused(uow: FakeUnitOfWork, session_id: str, call: Callable[[], object]) -> None:
    before = records(uow, session_id)
    with pytest.raises(AccessDenied) as refusal:
        call()
    assert str(refusal.value) == NOT_YOURS  # the same words as for an id that does not exist
    assert records(uow, session_id) == before


def test_a_candidate_cannot_answer_pause_or_end_another_persons_interview(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = practice(ws, ANA)
    refused(uow, sid, lambda: submit_answer(ws, sid, "Bo writes into Ana's interview", actor=as_(BO)))
    refused(uow, sid, lambda: pause_interview(ws, sid, actor=as_(BO)))
    refused(uow, sid, lambda: end_interview(ws, sid, actor=as_(BO)))
    # a reviewer may read the team's interviews, but answering is the candidate's
    refused(uow, sid, lambda: submit_answer(ws, sid, "A reviewer's words", actor=as_(RITA)))

    submit_answer(ws, sid, "Ana goes on with her own interview", actor=as_(ANA))
    sent = [e for e in uow.audit.latest(session_id=sid) if e.action == "message_sent"]
    assert {e.actor for e in sent} == {ANA.audit_name}  # the real person, never "candidate"


def test_consent_is_given_only_by_someone_who_may_see_the_interview(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = practice(ws, ANA)
    refused(uow, sid, lambda: give_consent(ws, sid, ["audio"], actor=as_(BO)))
    consent = give_consent(ws, sid, ["audio"], actor=as_(ANA))
    assert consent.actor == ANA.audit_name


def test_consent_is_withdrawn_only_by_whoever_gave_it_or_an_admin(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = practice(ws, IVAN)  # Ivan's own practice: Rita reviews his team and may read it, but did not agree
    give_consent(ws, sid, ["audio", "camera"], actor=as_(IVAN))
    refused(uow, sid, lambda: withdraw_consent(ws, sid, ["audio"], actor=as_(BO)))  # may not even see it
    before = records(uow, sid)
    with pytest.raises(AccessDenied) as refusal:
        withdraw_consent(ws, sid, ["audio"], actor=as_(RITA))
    assert str(refusal.value) == NOT_YOUR_CONSENT  # she may see the session: no need to hide that it exists
    assert records(uow, sid) == before and consented_kinds(ws, sid, actor=as_(RITA)) == {"audio", "camera"}

    withdrawal = withdraw_consent(ws, sid, ["audio"], actor=as_(IVAN))
    assert withdrawal is not None and withdrawal.actor == IVAN.audit_name
    assert withdraw_consent(ws, sid, ["camera"], actor=as_(ADA)) is not None  # an admin may, for anyone
    assert consented_kinds(ws, sid, actor=as_(IVAN)) == set()
    withdrawn = [e for e in uow.audit.latest(session_id=sid) if e.action == "consent_withdrawn"]
    assert [(e.actor, e.detail["kinds"], e.detail["given_by"]) for e in withdrawn] == [
        (IVAN.audit_name, ["audio"], [IVAN.audit_name]),
        (ADA.audit_name, ["camera"], [IVAN.audit_name]),
    ]


def test_only_the_interviewer_running_a_live_session_changes_it(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = live(ws, IVAN)
    for other in (IRIS, RITA, ANA):
        refused(uow, sid, lambda other=other: change_stage(ws, sid, "current_workflow_and_pains", actor=as_(other)))
        refused(uow, sid, lambda other=other: set_fact(ws, sid, "budget", "none", actor=as_(other)))
        refused(uow, sid, lambda other=other: end_live(ws, sid, actor=as_(other)))
    template = ws.templates.get("customer_discovery")
    refused(uow, sid, lambda: commit_note(ws, sid, template, text="Iris was here", actor=as_(IRIS)))
    for other in (IRIS, RITA, ANA):  # the team's reviewer reads the transcript, but does not write it
        refused(uow, sid, lambda other=other: log_speech(ws, sid, text="Words never said", actor=as_(other)))
    said = log_speech(ws, sid, text="We close the books by hand.", speaker="candidate", actor=as_(IVAN))
    assert [e.text for e in list_transcript(ws, sid, actor=as_(RITA))] == [said.text]

    note = commit_note(ws, sid, template, text="Spends two days a month on the close #pain", actor=as_(IVAN))
    assert note.author == IVAN.audit_name
    refused(uow, sid, lambda: delete_note(ws, note.id or 0, actor=as_(IRIS)))
    change_stage(ws, sid, "current_workflow_and_pains", actor=as_(IVAN))
    end_live(ws, sid, actor=as_(IVAN))
    refused(uow, sid, lambda: set_score(ws, sid, competency="budget", score=3, evidence="x", actor=as_(IRIS)))


def test_releasing_and_adjusting_an_evaluation_is_for_the_teams_reviewers(ws: Workspace, uow: FakeUnitOfWork) -> None:
    sid = practice(ws, IVAN, finish=True)  # Ivan's own practice: his team, "core", reviews it
    for outsider in (REX, IVAN, ANA):
        refused(uow, sid, lambda outsider=outsider: approve(ws, sid, actor=as_(outsider)))
        refused(
            uow,
            sid,
            lambda outsider=outsider: override_score(ws, sid, "estimation", 2.0, "Off by 10x.", actor=as_(outsider)),
        )

    release = approve(ws, sid, actor=as_(RITA))
    assert release.approved_by == RITA.audit_name
    override = override_score(ws, sid, "estimation", 2.0, "The traffic estimate was off by 10x.", actor=as_(ADA))
    assert override.reviewer == ADA.audit_name
    refused(uow, sid, lambda: withdraw(ws, sid, actor=as_(REX)))
    withdraw(ws, sid, actor=as_(RITA))


def test_roles_decide_what_is_not_about_one_interview(ws: Workspace, uow: FakeUnitOfWork) -> None:
    uow.candidates.add(
        Candidate(id="c1", name="Ana", email="ana@example.com", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    )
    uow.candidates.add(Candidate(id="c2", name="Ana B", email="ana.b@example.com"))
    audit_before = len(uow.audit.latest())
    request = BookingRequest(event_type_id="x", problem_id="url_shortener", start=datetime.now(UTC), interviewer_ids=())
    refusals: list[Callable[[], object]] = [
        lambda: create_live_session(ws, template_id="customer_discovery", candidate_name="Dana", actor=as_(RITA)),
        lambda: book_interview(ws, request, actor=as_(ANA)),
        lambda: merge_candidates(ws, "c1", "c2", actor=as_(IVAN)),
        lambda: erase_person(ws, "c1", actor=as_(RITA)),
        lambda: apply_retention(ws, actor=as_(IVAN)),
    ]
    for call in refusals:
        with pytest.raises(AccessDenied, match=NOT_ALLOWED):
            call()
    assert uow.candidates.get("c2").email == "ana.b@example.com"
    assert len(uow.audit.latest()) == audit_before

    merge_candidates(ws, "c1", "c2", actor=as_(ADA))
    assert [e.actor for e in uow.audit.latest() if e.action == "candidates_merged"] == [ADA.audit_name]


def test_a_disabled_account_can_do_nothing_even_to_its_own_interview(ws: Workspace, uow: FakeUnitOfWork) -> None:
    ana = person("ana2@example.com", R.CANDIDATE)
    sid = practice(ws, ana)
    ana.active = False
    refused(uow, sid, lambda: submit_answer(ws, sid, "After being disabled", actor=as_(ana)))
    with pytest.raises(AccessDenied):
        create_interview(ws, problem_id="url_shortener", actor=as_(ana))


def test_reading_a_session_is_for_those_who_may_see_it(ws: Workspace) -> None:
    anas = practice(ws, ANA, finish=True)
    ivans = live(ws, IVAN)
    for call in (
        lambda: get_interview(ws, anas, actor=as_(BO)),
        lambda: session_detail(ws, anas, actor=as_(BO)),
        lambda: session_zip(ws, anas, actor=as_(BO)),
        lambda: load_report(ws, anas, actor=as_(BO)),
        lambda: cockpit(ws, ivans, actor=as_(ANA)),
        lambda: cockpit(ws, ivans, actor=as_(IRIS)),
        lambda: scorecard(ws, ivans, actor=as_(ANA)),
        lambda: recommendation_view(ws, ivans, actor=as_(IRIS)),
        lambda: tasks_for(ws, ivans, actor=as_(ANA)),
        lambda: list_media(ws, anas, actor=as_(BO)),
        lambda: usage_summary(ws, anas, actor=as_(BO)),
    ):
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            call()
    assert get_interview(ws, anas, actor=as_(ANA)).session.id == anas
    assert cockpit(ws, ivans, actor=as_(RITA)).session.id == ivans  # the team's reviewer reads it

    # Ana's own evaluation waits for a reviewer: not in her report, nor in her export, until it is released
    with pytest.raises(AccessDenied):
        load_report(ws, anas, actor=as_(ANA))
    assert "evaluation.json" not in zipfile.ZipFile(io.BytesIO(session_zip(ws, anas, actor=as_(ANA)))).namelist()
    approve(ws, anas, actor=as_(ADA))
    assert load_report(ws, anas, actor=as_(ANA)).session.id == anas
    assert "evaluation.json" in zipfile.ZipFile(io.BytesIO(session_zip(ws, anas, actor=as_(ANA)))).namelist()


def test_reads_the_pages_alone_used_to_guard_refuse_another_person_too(ws: Workspace) -> None:
    anas = practice(ws, ANA)
    bos = practice(ws, BO)
    give_consent(ws, anas, ["audio"], actor=as_(ANA))
    ivans = live(ws, IVAN)
    commit_note(ws, ivans, ws.templates.get("customer_discovery"), text="Closes by hand #pain", actor=as_(IVAN))
    log_speech(ws, ivans, text="We close the books by hand every month.", actor=as_(IVAN))
    for call in (
        # Ivan's live session: another interviewer, and a candidate who is not its candidate
        lambda: notes_for(ws, ivans, actor=as_(IRIS)),
        lambda: notes_for(ws, ivans, actor=as_(ANA)),
        lambda: suggestions(ws, ivans, actor=as_(IRIS)),
        lambda: suggestions(ws, ivans, actor=as_(ANA)),
        lambda: for_session(ws, ivans, actor=as_(IRIS)),
        lambda: for_session(ws, ivans, actor=as_(ANA)),
        lambda: list_transcript(ws, ivans, actor=as_(IRIS)),
        lambda: list_transcript(ws, ivans, actor=as_(ANA)),
        # Ana's practice: another candidate, and an interviewer not on it
        lambda: consent_for(ws, anas, actor=as_(BO)),
        lambda: consent_for(ws, anas, actor=as_(IVAN)),
        lambda: consented_kinds(ws, anas, actor=as_(BO)),
        lambda: compare_sessions(ws, bos, anas, actor=as_(BO)),
    ):
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            call()

    assert [n.text for n in notes_for(ws, ivans, actor=as_(IVAN))] == ["Closes by hand"]
    assert [n.text for n in notes_for(ws, ivans, actor=as_(RITA))] == ["Closes by hand"]  # his team's reviewer
    assert set(suggestions(ws, ivans, actor=as_(IVAN))) == {c.key for c in ws.rubric("customer_discovery").competencies}
    pipeline = for_session(ws, ivans, actor=as_(IVAN))
    assert pipeline is not None and pipeline.candidate.name == "Dana Ruiz"
    assert [e.text for e in list_transcript(ws, ivans, actor=as_(IVAN))] == ["We close the books by hand every month."]
    assert [c.actor for c in consent_for(ws, anas, actor=as_(ANA))] == [ANA.audit_name]
    assert consented_kinds(ws, anas, actor=as_(ANA)) == {"audio"}


def test_score_adjustments_are_read_only_by_whoever_may_see_the_evaluation(ws: Workspace) -> None:
    anas = practice(ws, ANA, finish=True)
    ivans = practice(ws, IVAN, finish=True)  # his team, "core", reviews it
    override_score(ws, anas, "estimation", 2.0, "The traffic estimate was off by 10x.", actor=as_(ADA))
    override_score(ws, ivans, "estimation", 3.0, "Rounded generously.", actor=as_(RITA))
    # Ana herself too, while no reviewer has released her evaluation
    for reader, sid in ((BO, anas), (IVAN, anas), (RITA, anas), (ANA, anas), (REX, ivans), (ANA, ivans)):
        for call in (session_scores, list_overrides):
            with pytest.raises(AccessDenied, match=NOT_YOURS):
                call(ws, sid, actor=as_(reader))

    assert [o.reviewer for o in list_overrides(ws, ivans, actor=as_(RITA))] == [RITA.audit_name]
    scores = session_scores(ws, ivans, actor=as_(IVAN))  # staff see their own at once
    assert scores is not None and scores.get("estimation").score == 3.0
    approve(ws, anas, actor=as_(ADA))
    scores = session_scores(ws, anas, actor=as_(ANA))
    assert scores is not None and scores.get("estimation").score == 2.0
    assert [o.new_score for o in list_overrides(ws, anas, actor=as_(ANA))] == [2.0]


def test_a_candidates_history_detail_carries_the_evaluation_only_once_released(ws: Workspace) -> None:
    anas = practice(ws, ANA, finish=True)
    first = practice(ws, ANA, finish=True)
    held = session_detail(ws, anas, actor=as_(ANA))
    assert held.evaluation is None and held.evaluation_withheld
    assert held.messages and held.session.id == anas  # the rest of the interview is hers to read
    staff = session_detail(ws, anas, actor=as_(ADA))
    assert staff.evaluation is not None and not staff.evaluation_withheld
    comparison = compare_sessions(ws, first, anas, actor=as_(ANA))
    assert (comparison.overall.a, comparison.overall.b, comparison.competencies) == (None, None, [])

    approve(ws, anas, actor=as_(ADA))
    released = session_detail(ws, anas, actor=as_(ANA))
    assert released.evaluation == staff.evaluation and not released.evaluation_withheld
    comparison = compare_sessions(ws, first, anas, actor=as_(ANA))  # the first still waits for a reviewer
    assert [(c.key, c.a) for c in comparison.competencies] == [(c.key, None) for c in staff.evaluation.competencies]
    assert comparison.competencies and comparison.overall.b == staff.evaluation.overall_score


def test_what_the_interview_page_reads_is_refused_to_another_person(ws: Workspace, uow: FakeUnitOfWork) -> None:
    anas = practice(ws, ANA)
    uow.whiteboards.add(
        WhiteboardSnapshot(
            session_id=anas,
            png_path=None,
            fabric_json={"objects": [], "background": "#ffffff"},
            created_at=datetime(2030, 6, 4, 14, 5, tzinfo=UTC),
        )
    )
    for reader in (BO, IVAN):  # another candidate, and an interviewer not on it
        for call in (
            message_count,
            transcript_with_chat,
            session_recordings,
            latest_snapshot,
            latest_analysis,
            release_status,
            is_released,
            zip_name,
        ):
            with pytest.raises(AccessDenied, match=NOT_YOURS):
                call(ws, anas, actor=as_(reader))

    assert message_count(ws, anas, actor=as_(ANA)) == len(uow.messages.in_session(anas))
    lines = [e.text for e in transcript_with_chat(ws, anas, actor=as_(ANA))]
    assert "Start with 100 million links a month and a 100:1 read ratio." in lines
    assert session_recordings(ws, anas, actor=as_(ANA)) == []
    snapshot = latest_snapshot(ws, anas, actor=as_(ANA))
    assert snapshot is not None and latest_analysis(ws, anas, actor=as_(ADA)) is not None
    assert zip_name(ws, anas, actor=as_(ANA)).startswith("interview-url_shortener-")


def test_the_candidate_learns_their_evaluation_waits_for_a_reviewer_before_reading_it(ws: Workspace) -> None:
    anas = practice(ws, ANA, finish=True)
    # the status says nothing of the scores: Ana may know hers is being reviewed, though not read it yet
    assert release_status(ws, anas, actor=as_(ANA)) is ReleaseStatus.AWAITING
    assert not is_released(ws, anas, actor=as_(ANA))
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        load_report(ws, anas, actor=as_(ANA))
    with pytest.raises(AccessDenied, match=NOT_YOURS):
        release_status(ws, anas, actor=as_(BO))
    approve(ws, anas, actor=as_(ADA))
    assert is_released(ws, anas, actor=as_(ANA))


def book(ws: Workspace, interviewer: Account, candidate: Account, start: datetime, *, by: Account = ADA) -> str:
    """`by` books `interviewer` (made a team member on first use) to interview `candidate` at `start`."""
    member = next((m for m in list_members(ws) if m.email == interviewer.email), None)
    if member is None:
        member = add_member(ws, name=interviewer.name, email=interviewer.email, timezone="UTC", actor=as_(ADA))
    kinds = event_types(ws) or [
        save_event_type(ws, EventType(id="", title="Pairing interview", length_minutes=30), actor=as_(ADA))
    ]
    request = BookingRequest(
        event_type_id=kinds[0].id,
        problem_id="url_shortener",
        start=start,
        interviewer_ids=(member.id,),
        candidate_name=candidate.name,
        candidate_email=candidate.email,
    )
    return book_interview(ws, request, actor=as_(by)).session.id


def test_a_booked_interview_and_its_invitation_are_for_whoever_may_see_it(ws: Workspace) -> None:
    sid = book(ws, IVAN, ANA, datetime(2030, 6, 6, 10, 0, tzinfo=UTC))
    for outsider in (IRIS, BO, REX):  # an interviewer not on it, another candidate, another team's reviewer
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            scheduled_interview(ws, sid, actor=as_(outsider))
        with pytest.raises(AccessDenied, match=NOT_YOURS):
            invitation(ws, sid, actor=as_(outsider))
        with pytest.raises(AccessDenied, match=NOT_YOURS):  # the times it could move to are its interviewer's
            reschedule_slots(ws, sid, day=datetime(2030, 6, 7).date(), viewer_timezone="UTC", actor=as_(outsider))

    for reader in (IVAN, ANA, ADA):  # its interviewer, its candidate, and the admin who booked it
        assert scheduled_interview(ws, sid, actor=as_(reader)).session.id == sid
        filename, ics, _ = invitation(ws, sid, actor=as_(reader))
        assert filename.endswith(".ics") and b"BEGIN:VCALENDAR" in ics


def test_the_schedule_lists_and_counts_only_the_bookings_a_person_may_see(ws: Workspace) -> None:
    """Each card names the candidate, the time and the problem: nobody is shown another person's bookings."""
    ivan_with_ana = book(ws, IVAN, ANA, datetime(2030, 6, 6, 10, 0, tzinfo=UTC))
    iris_with_bo = book(ws, IRIS, BO, datetime(2030, 6, 6, 14, 0, tzinfo=UTC))
    booked_by_ivan = book(ws, IRIS, BO, datetime(2030, 6, 7, 11, 0, tzinfo=UTC), by=IVAN)  # his, and team core's
    shown = [
        (IVAN, [ivan_with_ana, booked_by_ivan]),  # the one he runs, and the one he booked
        (IRIS, [iris_with_bo, booked_by_ivan]),  # the ones she runs, not Ivan's
        (ANA, [ivan_with_ana]),  # her own interview
        (BO, [iris_with_bo, booked_by_ivan]),
        (RITA, [booked_by_ivan]),  # her team's
        (REX, []),
        (ADA, [ivan_with_ana, iris_with_bo, booked_by_ivan]),
    ]
    for account, sessions in shown:
        assert [v.session.id for v in upcoming(ws, actor=as_(account), include_cancelled=True)] == sessions
        stats = booking_stats(ws, actor=as_(account))
        assert (stats.total, stats.upcoming) == (len(sessions), len(sessions)), account.email
    everything = upcoming(ws, actor=Actor.workspace("test"))  # the workspace itself: every booking
    assert [v.session.id for v in everything] == [ivan_with_ana, iris_with_bo, booked_by_ivan]


def test_the_book_tab_offers_only_the_candidates_a_person_may_see(ws: Workspace, uow: FakeUnitOfWork) -> None:
    """The Book tab's picker shows names and emails: a person is offered the candidates of the interviews they
    may see (and their own record), an admin every one; a candidate id they are not offered books nothing."""
    book(ws, IVAN, ANA, datetime(2030, 6, 6, 10, 0, tzinfo=UTC))
    book(ws, IRIS, BO, datetime(2030, 6, 6, 14, 0, tzinfo=UTC))
    cleo = person("cleo@example.com", R.CANDIDATE)
    book(ws, IRIS, cleo, datetime(2030, 6, 7, 11, 0, tzinfo=UTC), by=IVAN)  # his booking: his team's, Iris runs it
    uow.candidates.add(Candidate(id="c-cy", name="Cy", email="cy@example.com"))  # nobody's interviews yet
    uow.candidates.add(Candidate(id="c-rita", name="Rita", email="RITA@example.com"))  # her own record

    def offered(account: Account) -> list[str]:
        return [c.name for c in list_candidates(ws, actor=as_(account))]

    assert offered(IVAN) == ["Ana", "Cleo"]  # the one he runs, the one he booked
    assert offered(IRIS) == ["Bo", "Cleo"]  # the ones she runs
    assert offered(ANA) == ["Ana"]  # herself
    assert offered(RITA) == ["Cleo", "Rita"]  # her team's interview, and her own record
    assert offered(REX) == []
    assert offered(ADA) == ["Ana", "Bo", "Cleo", "Cy", "Rita"]
    assert [c.name for c in list_candidates(ws, actor=Actor.workspace("test"))] == offered(ADA)
    disabled = replace(IVAN, active=False)
    assert offered(disabled) == []

    bo = next(c for c in list_candidates(ws, actor=as_(ADA)) if c.name == "Bo")
    kind, ivan = event_types(ws)[0], next(m for m in list_members(ws) if m.email == IVAN.email)
    crafted = BookingRequest(
        event_type_id=kind.id,
        problem_id="url_shortener",
        start=datetime(2030, 6, 8, 10, 0, tzinfo=UTC),
        interviewer_ids=(ivan.id,),
        candidate_id=bo.id,  # a form that names someone the picker never offered Ivan
    )
    before = uow.bookings.all()
    with pytest.raises(NotFound, match=f"No candidate with id {bo.id}"):  # as for an id that does not exist
        book_interview(ws, crafted, actor=as_(IVAN))
    assert uow.bookings.all() == before


def test_the_admins_candidate_tools_list_people_only_for_an_admin(ws: Workspace, uow: FakeUnitOfWork) -> None:
    """Merging duplicates and a person's data on request list every candidate and every request: the services
    refuse anyone but an admin, whichever page asks."""
    uow.candidates.add(Candidate(id="c1", name="Ana", email="ana@example.com"))
    uow.candidates.add(Candidate(id="c2", name="Ana B", email="ana.b@example.com"))
    erase_person(ws, "c2", actor=as_(ADA))
    for account in (ANA, IVAN, RITA, replace(ADA, active=False)):
        with pytest.raises(AccessDenied, match=NOT_ALLOWED):
            every_candidate(ws, actor=as_(account))
        with pytest.raises(AccessDenied, match=NOT_ALLOWED):
            recent_requests(ws, actor=as_(account))
    assert [c.id for c in every_candidate(ws, actor=as_(ADA))] == ["c1"]
    assert [(r.kind.value, r.subject) for r in recent_requests(ws, actor=as_(ADA))] == [("erase", "c2")]


def test_drawing_and_screen_frames_are_written_only_by_who_may_change_the_interview(
    ws: Workspace, uow: FakeUnitOfWork, tmp_path: Path
) -> None:
    ws = replace(ws, files=LocalFileStore(tmp_path / "runtime"))  # these writes keep files
    anas, ivans = practice(ws, ANA), practice(ws, IVAN)  # Ivan's own practice: Rita reviews it, may read it
    give_consent(ws, anas, ["screen"], actor=as_(ANA))
    board = {"objects": [{"type": "Rect", "left": 10, "top": 10, "width": 80, "height": 40}], "background": "#fff"}
    for sid, other in ((anas, BO), (anas, IVAN), (ivans, RITA), (ivans, IRIS)):
        refused(uow, sid, lambda sid=sid, other=other: save_snapshot(ws, sid, board, None, actor=as_(other)))
        refused(uow, sid, lambda sid=sid, other=other: save_screen_frame(ws, sid, png(), actor=as_(other)))
    assert (uow.whiteboards.in_session(anas), uow.media.in_session(anas), uow.whiteboards.in_session(ivans)) == (
        [],
        [],
        [],
    )
    assert not (tmp_path / "runtime").exists()  # nothing was written for the refused person either

    assert save_snapshot(ws, anas, board, None, actor=as_(ANA)).fabric_json == board  # her own interview
    assert save_screen_frame(ws, anas, png(), actor=as_(ANA)).kind == "screen"
    assert save_snapshot(ws, ivans, board, None, actor=as_(IVAN)).session_id == ivans


def test_the_microphone_is_transcribed_only_for_who_may_change_the_interview(ws: Workspace) -> None:
    sid = live(ws, IVAN)
    give_consent(ws, sid, ["audio"], actor=as_(IVAN), confirmed_for=CONFIRMED_FOR_CANDIDATE)
    try:
        for other in (IRIS, RITA, ANA):  # another interviewer, his team's reviewer, a candidate
            with pytest.raises(AccessDenied, match=NOT_YOURS):
                live_transcription.get_or_create(ws, sid, actor=as_(other))
            assert live_transcription.get(sid) is None  # no transcription was started for them

        started = live_transcription.get_or_create(ws, sid, actor=as_(IVAN))
        assert started is not None and started.running
        assert live_transcription.get_or_create(ws, sid, actor=as_(IVAN)) is started
        with pytest.raises(AccessDenied, match=NOT_YOURS):  # nor may they feed the one he is running
            live_transcription.get_or_create(ws, sid, actor=as_(IRIS))
        assert live_transcription.get_or_create(ws, sid, actor=as_(ADA)) is started  # an admin may
    finally:
        live_transcription.stop(sid, hold=False)

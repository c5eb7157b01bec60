"""Consent to recording over the in-memory unit of work: the notice, giving and withdrawing consent, and the refusal
of a screen frame (the capture service the unit tests can reach without audio or video codecs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import PrivacySettings, Settings
from core.content.problems import load_problem_bank
from core.errors import ConsentRequired, InvalidInput, NotFound
from core.media.capture import list_media, save_screen_frame
from core.media.consent import (
    consent_for,
    consented_kinds,
    consents_in_force,
    give_consent,
    in_force,
    withdraw_consent,
)
from core.models import Session, SessionConsent, SessionStatus
from core.permissions.actor import Actor
from core.recording_notice import capture_kinds, notice_version, recording_notice
from core.workspace import Workspace
from storage.files import LocalFileStore
from tests.actors import CANDIDATE
from tests.fakes import FakeUnitOfWork
from tests.unit.media.test_capture import NOW, ROOT, png


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """One open session, "bare", that nobody has agreed to record yet."""
    uow = FakeUnitOfWork()
    uow.sessions.add(Session(id="bare", problem_id="rate_limiter", status=SessionStatus.ACTIVE, started_at=NOW))
    uow.commit()
    return uow


@pytest.fixture
def ws(uow: FakeUnitOfWork, tmp_path: Path) -> Workspace:
    return Workspace(
        settings=Settings(),
        uow_factory=lambda: uow,
        files=LocalFileStore(tmp_path / "runtime"),
        problems=load_problem_bank(ROOT / "data" / "problems"),
        rubrics={},
        clock=lambda: NOW,
    )


@pytest.fixture
def bare() -> str:
    return "bare"


def test_the_notice_says_what_why_and_how_long_from_the_settings() -> None:
    settings = Settings(privacy=PrivacySettings(media_days=30, records_days=365))
    notice = recording_notice(settings)
    text = notice.as_text()
    assert [line.split(":")[0] for line in notice.what] == ["Your voice", "Your camera", "Your shared screen"]
    assert "deleted after 30 days" in text and "notes and scores after 1 year." in text
    assert "Why: So the interview can be transcribed, reviewed and evaluated" in text
    assert "Nothing is recorded before you agree" in text
    assert notice.version == notice_version(settings) == "2/media-30d/records-365d"
    only_screen = recording_notice(settings, ["screen"])
    assert only_screen.what == ("Your shared screen: a picture of it (PNG) every 5 seconds while you share.",)
    assert "**What is recorded**" in only_screen.as_markdown()


def test_capture_kinds_are_checked_and_put_in_order() -> None:
    assert capture_kinds(["screen", "audio", "screen"]) == ("audio", "screen")
    assert capture_kinds("camera") == ("camera",)
    with pytest.raises(InvalidInput, match="Unknown kind of recording: microwave"):
        capture_kinds(["audio", "microwave"])
    with pytest.raises(InvalidInput, match="Say what may be recorded"):
        capture_kinds([])


def test_consent_is_stored_with_the_session_and_audited(ws: Workspace, uow: FakeUnitOfWork, bare: str) -> None:
    assert consented_kinds(ws, bare, actor=CANDIDATE) == set()
    consent = give_consent(
        ws, bare, ["screen", "audio"], confirmed_for="candidate", actor=Actor.workspace("interviewer")
    )
    assert (consent.session_id, consent.actor, consent.kinds, consent.confirmed_for) == (
        bare,
        "interviewer",
        ["audio", "screen"],
        "candidate",
    )
    assert consent.given_at == NOW and consent.notice_version == "2/media-90d/records-730d"
    give_consent(ws, bare, ["camera"], actor=Actor.workspace("candidate"))
    assert [c.kinds for c in consent_for(ws, bare, actor=CANDIDATE)] == [["audio", "screen"], ["camera"]]
    assert consented_kinds(ws, bare, actor=CANDIDATE) == {"audio", "camera", "screen"}
    entries = [e for e in uow.audit.latest(session_id=bare) if e.action == "consent_given"]
    assert [(e.actor, e.detail["kinds"], e.detail["confirmed_for"]) for e in entries] == [
        ("interviewer", ["audio", "screen"], "candidate"),
        ("candidate", ["camera"], None),
    ]


def test_consent_needs_a_known_session_and_known_kinds(ws: Workspace, bare: str) -> None:
    with pytest.raises(NotFound):
        give_consent(ws, "missing", ["audio"], actor=Actor.workspace("candidate"))
    with pytest.raises(InvalidInput, match="only for the candidate"):
        give_consent(ws, bare, ["audio"], confirmed_for="reviewer", actor=Actor.workspace("interviewer"))
    with pytest.raises(InvalidInput, match="Unknown kind"):
        give_consent(ws, bare, ["smell"], actor=Actor.workspace("candidate"))
    assert consent_for(ws, bare, actor=CANDIDATE) == []


def test_no_screen_frame_is_stored_without_consent_to_the_screen(ws: Workspace, bare: str) -> None:
    give_consent(ws, bare, ["audio", "camera"], actor=Actor.workspace("candidate"))  # everything but the screen
    with pytest.raises(ConsentRequired, match="nobody has agreed to the screen share being recorded"):
        save_screen_frame(ws, bare, png(), actor=CANDIDATE)
    assert list_media(ws, bare, actor=CANDIDATE) == []
    assert not Path(ws.files.session_dir(bare)).exists()
    give_consent(ws, bare, ["screen"], actor=Actor.workspace("candidate"))
    assert save_screen_frame(ws, bare, png(), actor=CANDIDATE).kind == "screen"


def test_withdrawn_consent_stops_that_kind_being_recorded_until_given_again(
    ws: Workspace, uow: FakeUnitOfWork, bare: str
) -> None:
    give_consent(ws, bare, ["audio", "screen"], actor=CANDIDATE)
    save_screen_frame(ws, bare, png(), actor=CANDIDATE)  # recorded while the consent stands: kept afterwards
    withdrawal = withdraw_consent(ws, bare, ["screen"], actor=CANDIDATE)
    assert withdrawal is not None
    assert (withdrawal.actor, withdrawal.kinds, withdrawal.withdrawn, withdrawal.given_at) == (
        "candidate",
        ["screen"],
        True,
        NOW,
    )
    assert consented_kinds(ws, bare, actor=CANDIDATE) == {"audio"}  # the microphone's consent stands
    with pytest.raises(
        ConsentRequired, match="consent to the screen share being recorded in this interview was withdrawn"
    ):
        save_screen_frame(ws, bare, png(), actor=CANDIDATE)
    assert [m.kind for m in list_media(ws, bare, actor=CANDIDATE)] == ["screen"]  # the earlier frame stays
    # the log keeps both: what was agreed, and when it was taken back
    assert [(c.kinds, c.withdrawn) for c in consent_for(ws, bare, actor=CANDIDATE)] == [
        (["audio", "screen"], False),
        (["screen"], True),
    ]
    [entry] = [e for e in uow.audit.latest(session_id=bare) if e.action == "consent_withdrawn"]
    assert (entry.actor, entry.detail) == ("candidate", {"kinds": ["screen"], "given_by": ["candidate"]})

    give_consent(ws, bare, ["screen"], actor=CANDIDATE)  # agreed again: recorded again
    assert save_screen_frame(ws, bare, png(), actor=CANDIDATE).kind == "screen"
    assert set(consents_in_force(ws, bare, actor=CANDIDATE)) == {"audio", "screen"}


def test_withdrawing_what_was_never_given_or_is_already_withdrawn_stores_nothing(
    ws: Workspace, uow: FakeUnitOfWork, bare: str
) -> None:
    assert withdraw_consent(ws, bare, ["camera"], actor=CANDIDATE) is None
    give_consent(ws, bare, ["camera"], actor=CANDIDATE)
    assert withdraw_consent(ws, bare, ["camera", "audio"], actor=CANDIDATE) is not None  # only the camera stood
    assert withdraw_consent(ws, bare, ["camera"], actor=CANDIDATE) is None  # a second tab's click
    assert [c.kinds for c in consent_for(ws, bare, actor=CANDIDATE) if c.withdrawn] == [["camera"]]
    assert [e.action for e in uow.audit.latest(session_id=bare)].count("consent_withdrawn") == 1
    with pytest.raises(InvalidInput, match="Unknown kind"):
        withdraw_consent(ws, bare, ["smell"], actor=CANDIDATE)
    with pytest.raises(NotFound):
        withdraw_consent(ws, "missing", ["camera"], actor=CANDIDATE)


def test_the_kinds_in_force_follow_the_log() -> None:
    def row(kinds: list[str], *, withdrawn: bool = False, actor: str = "candidate") -> SessionConsent:
        return SessionConsent("s", actor, kinds, "2", NOW, withdrawn=withdrawn)

    first, second = row(["audio", "camera"]), row(["audio"], actor="interviewer")
    assert in_force([first, second]) == {"audio": [first, second], "camera": [first]}
    assert in_force([first, second, row(["audio"], withdrawn=True)]) == {"camera": [first]}
    again = row(["audio"])
    assert in_force([first, row(["audio"], withdrawn=True), again]) == {"audio": [again], "camera": [first]}
    assert in_force([]) == {}

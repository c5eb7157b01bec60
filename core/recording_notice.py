"""What a person is told before anything of them is recorded: what, why and for how long.

The same notice appears above every capture control (microphone, camera, screen share) before it
starts, and in the booking invitation, so nobody meets it for the first time mid-interview. The
retention periods come from the privacy settings, and the version names them: a consent stored
with a session says which wording, with which periods, the person agreed to.

A top-level module, not part of core.media: scheduling puts the notice in invitations and must not
depend on the capture services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.config import Settings
from core.errors import InvalidInput

CAPTURE_KINDS = ("audio", "camera", "screen")
SCREEN_INTERVAL_SECONDS = 5  # DESIGN.md: screen share captured every 5 s as PNG; the notice promises it
NOTICE_VERSION = "2"  # raise when the wording below changes in substance (2: consent can be withdrawn)

_WHAT = {
    "audio": "Your voice: the microphone is saved as a sound file (WAV) and transcribed into text, "
    "and so is a recording of the interview you upload.",
    "camera": "Your camera: its picture is saved as a video (MP4) while the camera is on.",
    "screen": f"Your shared screen: a picture of it (PNG) every {SCREEN_INTERVAL_SECONDS} seconds while you share.",
}
_WHY = (
    "So the interview can be transcribed, reviewed and evaluated fairly: the interviewers and reviewers of "
    "this interview see the recordings next to the transcript, and the evaluation quotes what was said."
)
_CONTROL = "Nothing is recorded before you agree, and you can stop any recording at any time or withdraw your consent."
KIND_LABELS = {"audio": "microphone", "camera": "camera", "screen": "screen share"}


@dataclass(frozen=True)
class RecordingNotice:
    version: str
    what: tuple[str, ...]
    why: str
    how_long: str

    def as_text(self) -> str:
        """Plain text, e.g. for a calendar invitation's description."""
        lines = ["Recording notice. If you agree when the interview starts, it records:"]
        lines += [f"- {item}" for item in self.what]
        lines += [f"Why: {self.why}", f"For how long: {self.how_long}", _CONTROL]
        return "\n".join(lines)

    def as_markdown(self) -> str:
        """For the page, above the "I agree" button."""
        what = "\n".join(f"- {item}" for item in self.what)
        return f"**What is recorded**\n{what}\n\n**Why:** {self.why}\n\n**For how long:** {self.how_long}\n\n{_CONTROL}"


def recording_notice(settings: Settings, kinds: Iterable[str] = CAPTURE_KINDS) -> RecordingNotice:
    """The notice for these capture kinds ("audio", "camera", "screen"), with the configured retention."""
    wanted = capture_kinds(kinds)
    privacy = settings.privacy
    return RecordingNotice(
        version=notice_version(settings),
        what=tuple(_WHAT[kind] for kind in wanted),
        why=_WHY,
        how_long=(
            f"Recordings and screen pictures are deleted after {_span(privacy.media_days)}; "
            f"transcripts, notes and scores after {_span(privacy.records_days)}."
        ),
    )


def withdrawal_note(settings: Settings, kind: str, *, for_candidate: bool = False) -> str:
    """What withdrawing consent to `kind` does, said beside the button before anyone presses it.

    `for_candidate`: said to the interviewer who confirmed the candidate's consent."""
    whose, ask = ("the candidate's", "they ask") if for_candidate else ("your", "you ask")
    return (
        f"Withdrawing {whose} consent stops the {KIND_LABELS[kind]} being recorded from now on. What was already "
        f"recorded stays with the interview until it is deleted after {_span(settings.privacy.media_days)}, "
        f"or sooner if {ask} for it to be deleted."
    )


def notice_version(settings: Settings) -> str:
    """Names the wording and the retention periods shown, e.g. "2/media-90d/records-730d"."""
    privacy = settings.privacy
    return f"{NOTICE_VERSION}/media-{privacy.media_days}d/records-{privacy.records_days}d"


def capture_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds in their usual order, once each; InvalidInput for none or an unknown one."""
    given = {kinds} if isinstance(kinds, str) else set(kinds)
    unknown = sorted(given - set(CAPTURE_KINDS))
    if unknown:
        raise InvalidInput(f"Unknown kind of recording: {', '.join(unknown)} (use audio, camera or screen).")
    if not given:
        raise InvalidInput("Say what may be recorded: audio, camera or screen.")
    return tuple(kind for kind in CAPTURE_KINDS if kind in given)


def _span(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"

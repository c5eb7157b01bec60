"""The Debrief page under AppTest shows session facts stated in a note or the transcript, each beside
where it was stated, and never calls a fact "not recorded" when a note holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Settings
from core.live.notes import commit_note
from core.live.sessions import create_live_session, end_live, live_template, log_speech, start_live
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import INTERVIEWER
from tests.ui.conftest import AppFactory, assert_clean, rendered_text

EXAMPLE = "Decision-maker is VP Ops (Karen); budget approx 50k EUR/yr; wants pilot in Q1"


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def captions(at: object) -> list[str]:
    return [c.value for c in at.caption]  # type: ignore[attr-defined]


def test_the_synthesis_shows_facts_from_a_note_with_their_source(new_app: AppFactory, ws: Workspace) -> None:
    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Ola Nord", actor=INTERVIEWER).id
    start_live(ws, sid, actor=INTERVIEWER)
    commit_note(ws, sid, live_template(ws, sid), text=f"{EXAMPLE} #outcome", actor=INTERVIEWER)
    log_speech(ws, sid, text="Today we use spreadsheets for this.", speaker="candidate", actor=INTERVIEWER)
    end_live(ws, sid, actor=INTERVIEWER)
    at = new_app()
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/debrief.py").run()
    assert_clean(at)

    synthesis = next(t for t in at.tabs if t.label == "Synthesis")
    assert [s.value for s in synthesis.subheader][-2:] == ["Session facts", "Gaps"]
    lines = [m.value for m in synthesis.markdown]
    facts = [text for text in lines if text.startswith("- ") and " — *from " in text]
    assert facts == [
        "- VP Ops (Karen) — *from note at 0:00*",
        "- approx. 50,000 EUR per year — *from note at 0:00*",
        "- pilot in Q1 — *from note at 0:00*",
        "- spreadsheets (used today) — *from transcript at 0:00, customer*",
    ]
    notes = [c.value for c in synthesis.caption]
    assert f"note at 0:00: “{EXAMPLE}”" in notes
    assert "transcript at 0:00, customer: “Today we use spreadsheets for this.”" in notes
    assert any(
        c.startswith("Filed as facts (decision-makers and approvers, budget, timeline), not as outcome") for c in notes
    )
    assert "No desired outcomes were noted." in notes  # the note is not filed as a desired outcome
    assert not any(text.startswith("Not recorded:") for text in lines)  # every fact was stated somewhere

    page = rendered_text(at)
    assert "No budget was recorded" not in page
    assert "nobody was recorded as deciding" not in page
    assert "Unknown who decides." not in page  # the rationale; the rubric's level 1 says "Unknown who decides;"

    notes_tab = next(t for t in at.tabs if t.label == "Notes")
    assert "- **Budget:** approx. 50,000 EUR per year — *from note at 0:00*" in [m.value for m in notes_tab.markdown]


def test_the_cockpit_shows_what_the_notes_said_under_an_empty_field(new_app: AppFactory, ws: Workspace) -> None:
    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Ola Nord", actor=INTERVIEWER).id
    start_live(ws, sid, actor=INTERVIEWER)
    commit_note(ws, sid, live_template(ws, sid), text="The CFO signs off", actor=INTERVIEWER)
    at = new_app()
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/live.py").run()
    assert_clean(at)
    assert "Heard: The CFO (from note at 0:00)" in captions(at)  # the session clock stands still: 0:00

"""The Live session page under AppTest: open a discovery session, run it through a stage, take
tagged notes, tick a goal, record session facts, and find everything again after a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.live.notes import notes_for, save_draft
from core.live.sessions import cockpit, create_live_session
from core.media.consent import consent_for
from core.models import SessionStatus
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import INTERVIEWER
from tests.ui.conftest import AppFactory, assert_clean, button, clocks, page_title, rendered_text


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def open_live(new_app: AppFactory, session_id: str | None = None) -> AppTest:
    at = new_app()
    if session_id:
        at.query_params["session"] = session_id
    at.run()
    at.switch_page("pages/live.py").run()
    assert_clean(at)
    return at


def test_an_interviewer_opens_and_starts_a_discovery_session(new_app: AppFactory, ws: Workspace) -> None:
    at = open_live(new_app)
    assert page_title(at) == "Live session"
    at.selectbox(key="live_new_template").set_value(ws.templates.get("customer_discovery")).run()
    at.text_input(key="live_new_name").set_value("Dana Ruiz")
    at.text_input(key="live_new_url").set_value("https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc")
    button(at, "Open the session").click().run()
    assert_clean(at)
    assert page_title(at) == "Customer discovery (jobs to be done)"
    assert [lb.label for lb in at.get("link_button")] == ["Join on Microsoft Teams", "Candidate view"]
    assert "Start the session" in [b.label for b in at.button]

    button(at, "Start the session").click().run()
    assert_clean(at)
    sid = at.query_params["session"][0] if isinstance(at.query_params["session"], list) else at.query_params["session"]
    assert cockpit(ws, sid, actor=INTERVIEWER).session.status is SessionStatus.ACTIVE
    assert [(c["label"], c["running"]) for c in clocks(at)] == [("Session", True), ("Context and role", True)]
    assert "Stage 1 of 5" in rendered_text(at)


def test_notes_goals_stages_and_facts_are_saved_and_come_back_after_a_reload(
    new_app: AppFactory, ws: Workspace
) -> None:
    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Dana Ruiz", actor=INTERVIEWER).id
    at = open_live(new_app, sid)
    button(at, "Start the session").click().run()

    pills = {p.label: p for p in at.pills}
    pills["Tag"].set_value("pain")
    pills["Job type"].set_value("functional")
    pills["Importance"].set_value(4)
    at.text_input(key=f"live_field_quote_{sid}").set_value("we copy it by hand every Friday")
    at.text_area(key=f"live_form_text_{sid}").set_value("Weekly export is re-keyed by hand")
    button(at, "Add note").click().run()
    assert_clean(at)
    [note] = notes_for(ws, sid, actor=INTERVIEWER)
    assert (note.text, note.tag, note.jtbd_type, note.importance) == (
        "Weekly export is re-keyed by hand",
        "pain",
        "functional",
        4,
    )
    assert note.fields == {"quote": "we copy it by hand every Friday"}
    assert "Weekly export is re-keyed by hand" in rendered_text(at)
    assert "1 note" in [c.value for c in at.caption]

    goal = next(c for c in at.checkbox if c.label.startswith("Their role, what they are measured on"))
    goal.check().run()
    assert cockpit(ws, sid, actor=INTERVIEWER).coverage["role_and_responsibilities"].how == "ticked"

    button(at, "Next: Current workflow and pains").click().run()
    assert_clean(at)
    assert cockpit(ws, sid, actor=INTERVIEWER).live.stage == "current_workflow_and_pains"
    assert any(s.value == "Current workflow and pains" for s in at.subheader)

    at.text_area(key=f"live_fact_budget_{sid}").set_value("Ops budget, ~20k").run()
    assert cockpit(ws, sid, actor=INTERVIEWER).live.facts == {"budget": "Ops budget, ~20k"}

    at.text_input(key=f"live_said_text_{sid}").set_value("We do it in a spreadsheet and it takes forever")
    button(at, "Add to transcript").click().run()
    assert_clean(at)
    assert [e.text for e in cockpit(ws, sid, actor=INTERVIEWER).transcript] == [
        "We do it in a spreadsheet and it takes forever"
    ]

    save_draft(
        ws, sid, text="half-typed when the tab closed", actor=INTERVIEWER
    )  # what the quick box saves while typing
    again = open_live(new_app, sid)  # a reload: a new browser session on the same URL
    text = rendered_text(again)
    assert "Weekly export is re-keyed by hand" in text and "Draft saved, stamped" in text
    assert again.text_area(key=f"live_fact_budget_{sid}").value == "Ops budget, ~20k"
    assert any(s.value == "Current workflow and pains" for s in again.subheader)
    assert "Put a number on it" in text or "walk through the workaround" in text  # the copilot heard them


def test_the_interviewer_confirms_the_candidate_agreed_before_the_microphone_appears(
    new_app: AppFactory, ws: Workspace
) -> None:
    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Dana Ruiz", actor=INTERVIEWER).id
    at = open_live(new_app, sid)
    button(at, "Start the session").click().run()
    at.toggle(key=f"live_mic_{sid}").set_value(True).run()
    assert_clean(at)
    assert "Tell the candidate before you record" in rendered_text(at)
    assert not any("Microphone unavailable" in c.value for c in at.caption)  # no microphone before consent

    button(at, "The candidate agreed: record audio").click().run()
    assert_clean(at)
    [consent] = consent_for(ws, sid, actor=INTERVIEWER)
    assert (consent.kinds, consent.confirmed_for) == (["audio"], "candidate")
    assert consent.actor not in ("", "candidate")  # named after the interviewer who confirmed it
    assert "Tell the candidate before you record" not in rendered_text(at)
    assert any("Microphone unavailable" in c.value for c in at.caption)  # the control's place (AppTest seam)

    # the candidate changes their mind: the interviewer who confirmed it takes the consent back
    assert any(c.value.startswith("Withdrawing the candidate's consent stops the microphone") for c in at.caption)
    button(at, "Withdraw consent").click().run()
    assert_clean(at)
    assert "Tell the candidate before you record" in rendered_text(at)
    assert not any("Microphone unavailable" in c.value for c in at.caption)
    assert [(c.kinds, c.withdrawn) for c in consent_for(ws, sid, actor=INTERVIEWER)] == [
        (["audio"], False),
        (["audio"], True),
    ]


def test_search_and_filters_narrow_the_notes(new_app: AppFactory, ws: Workspace) -> None:
    from core.live.notes import commit_note

    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Ola", actor=INTERVIEWER).id
    template = cockpit(ws, sid, actor=INTERVIEWER).template
    commit_note(ws, sid, template, text="Closing the books takes two days #pain", actor=INTERVIEWER)
    commit_note(ws, sid, template, text="Wants approvals in one place #outcome #emotional", actor=INTERVIEWER)
    at = open_live(new_app, sid)
    at.text_input(key=f"live_note_search_{sid}").set_value("books").run()
    assert "1 of 2 notes" in [c.value for c in at.caption]
    at.text_input(key=f"live_note_search_{sid}").set_value("").run()
    at.multiselect(key=f"live_note_types_{sid}").select("emotional").run()
    assert "1 of 2 notes" in [c.value for c in at.caption]
    assert "Wants approvals in one place" in rendered_text(at)


def test_a_human_led_session_opened_on_the_interview_page_goes_to_the_cockpit(
    new_app: AppFactory, ws: Workspace
) -> None:
    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Ola", actor=INTERVIEWER).id
    at = new_app()
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/interview.py").run()
    assert_clean(at)
    assert page_title(at) == "Customer discovery (jobs to be done)"


def test_an_empty_debrief_points_to_the_live_page(new_app: AppFactory) -> None:
    at = new_app()
    at.run()
    at.switch_page("pages/debrief.py").run()
    assert_clean(at)
    assert page_title(at) == "Debrief"
    assert at.info[0].value == "No interviewer-led sessions yet. Run one on the Live session page."


def test_the_debrief_scores_recommends_and_refuses_an_override_without_a_reason(
    new_app: AppFactory, ws: Workspace
) -> None:
    from core.debrief.recommendations import recommendation_view
    from core.live.notes import commit_note
    from core.live.sessions import end_live, start_live

    sid = create_live_session(ws, template_id="customer_discovery", candidate_name="Ola Nord", actor=INTERVIEWER).id
    start_live(ws, sid, actor=INTERVIEWER)
    commit_note(
        ws,
        sid,
        cockpit(ws, sid, actor=INTERVIEWER).template,
        text="Reconciliation takes two days #pain #functional !5",
        actor=INTERVIEWER,
    )
    end_live(ws, sid, actor=INTERVIEWER)
    at = new_app()
    at.query_params["session"] = sid
    at.run()
    at.switch_page("pages/debrief.py").run()
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Scorecard", "Synthesis", "Recommendation", "Follow-ups", "Notes"]
    at.text_area(key=f"{sid}_score_problem_solution_mapping_evidence").set_value("Two days a month, by hand")
    next(b for b in at.button if b.label == "Save score").click().run()  # the first competency's form
    assert_clean(at)
    button(at, "Compute recommendation").click().run()
    assert_clean(at)
    view = recommendation_view(ws, sid, actor=INTERVIEWER)
    assert view.current is not None and view.current.source == "computed"

    at.selectbox(key=f"{sid}_override_key").set_value("activation_candidate")
    button(at, "Override").click().run()
    assert [e.value for e in at.error if "justification" in e.value]
    assert recommendation_view(ws, sid, actor=INTERVIEWER).current.source == "computed"  # type: ignore[union-attr]
    at.text_area(key=f"{sid}_override_justification").set_value("Their CFO asked for a pilot after the call.")
    button(at, "Override").click().run()
    assert_clean(at)
    current = recommendation_view(ws, sid, actor=INTERVIEWER).current
    assert current is not None and (current.key, current.source) == ("activation_candidate", "override")

"""A short customer-discovery interview in the browser, from the interviewer's cockpit to a recommendation:
open and start the session, log what the prospect says, take tagged notes with the keyboard alone,
fill the session's facts, survive a reload, end, score every competency and compute the recommendation."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from playwright.sync_api import Locator, Page, expect

from core.config import Settings
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.e2e.conftest import screenshot, until_shown, wait_for_app

SAID = [
    "Last month closing the books took us two full days in a spreadsheet, every single month.",
    "It is so frustrating, and I'm responsible for getting it right before the CFO sees it.",
]
NOTES = [
    "Month-end close takes two days of manual reconciliation #pain #functional !5",
    "Wants to close the books in one day #outcome #functional !5",
    "Worried about looking unprepared in front of the CFO #pain #emotional !4",
    "Would pay to drop the spreadsheet workaround #outcome #functional !4",
]
# The scorecard has one form per competency of the template's rubric.
COMPETENCIES = len(
    yaml.safe_load((Path(__file__).resolve().parents[2] / "data" / "rubrics" / "customer_discovery.yaml").read_text())[
        "competencies"
    ]
)
FACTS = {
    "Decision-makers and approvers": "CFO decides; the controller runs the pilot",
    "Budget": "Finance tools budget, about 30k a year, approved",
    "Timeline": "Must be live before the Q3 audit next quarter",
    "Alternatives and competitors": "Evaluated BlackLine, too heavy; otherwise the spreadsheet",
}


def _saved_facts(ws: Workspace, session_id: str) -> set[str]:
    """The session facts the server stored (what a reload will show)."""
    with ws.uow_factory() as uow:
        live = uow.live_sessions.for_session(session_id)
    return set(live.facts.values()) if live else set()


def _tab(page: Page, name: str) -> Locator:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)
    return page.get_by_role("tabpanel", name=name)


def test_a_short_discovery_interview_ends_on_a_recommendation(
    page: Page, server_url: str, server_runtime: Path
) -> None:
    page.goto(f"{server_url}/live")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Live session")).to_be_visible()
    page.get_by_label("Name of the person you are interviewing").fill("Dana Discovery")
    page.get_by_label("Their email (optional)").fill("dana.discovery@example.com")
    page.get_by_label("Meeting link (optional)").fill("https://us02web.zoom.us/j/123456789")
    page.get_by_role("button", name="Open the session").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Customer discovery (jobs to be done)")).to_be_visible()
    expect(page.get_by_role("link", name="Join on Zoom")).to_have_attribute(
        "href", "https://us02web.zoom.us/j/123456789"
    )
    page.get_by_role("button", name="Start the session").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/live\?session=[0-9a-f]{32}"))
    session_url = page.url

    # What the prospect says goes into the transcript; the copilot and the goal checks listen to it.
    transcript = page.get_by_role("tabpanel", name="Transcript")
    # the cockpit's first drawing, on a machine that is starting the whole suite, can outlast the usual 20 s
    expect(transcript.get_by_label("What was just said")).to_be_visible(timeout=60_000)
    for line in SAID:

        def add(line: str = line) -> None:
            transcript.get_by_label("What was just said").fill(line)
            transcript.get_by_role("button", name="Add to transcript").click()
            wait_for_app(page)

        until_shown(page, add, transcript.get_by_text(line[:40]))
    expect(page.get_by_text("Heard:").first).to_be_visible()  # "I'm responsible" covered the role goal

    # Notes by keyboard alone: "n" jumps to the box, Enter adds the note with its shorthand metadata.
    page.evaluate("document.activeElement && document.activeElement.blur()")  # focus on the page, in no field
    for count, text in enumerate(NOTES, start=1):

        def add_note(text: str = text) -> None:
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.keyboard.press("n")
            page.keyboard.press("ControlOrMeta+A")  # a try a rerun swallowed may have left its words
            page.keyboard.press("Delete")
            page.keyboard.type(text, delay=5)
            page.keyboard.press("Enter")
            wait_for_app(page)

        until_shown(page, add_note, page.get_by_text(f"{count} notes" if count > 1 else "1 note", exact=True))
    expect(page.get_by_text(f"{len(NOTES)} notes", exact=True)).to_be_visible()
    expect(page.get_by_text("Month-end close takes two days of manual reconciliation")).to_be_visible()
    search = page.get_by_placeholder("Search notes")
    search.fill("CFO")
    search.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(f"1 of {len(NOTES)} notes")).to_be_visible()
    search.fill("")
    search.press("Enter")
    wait_for_app(page)

    # Half a note typed when the tab closes is still there after a reload.
    box = page.get_by_test_id("iw-note-box")
    box.click()
    page.keyboard.type("Controller asked for a pilot with real data", delay=5)
    page.wait_for_timeout(1500)  # a pause in typing saves the draft
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Draft saved, stamped"))).to_be_visible()

    facts = _tab(page, "Session facts")
    session_id = session_url.split("session=")[1].split("&")[0]
    server = build_workspace(Settings(runtime_dir=server_runtime), migrate=False)
    for label, value in FACTS.items():
        field = facts.get_by_role("textbox", name=label)
        for _ in range(3):  # on a loaded machine a rerun can swallow a field's change: type it again, as a person would
            field.fill(value)
            field.press("Tab")
            wait_for_app(page)
            if value in _saved_facts(server, session_id):
                break
        assert value in _saved_facts(server, session_id), f"{label} was never saved"
    page.get_by_role("button", name="Next: Current workflow and pains").click()
    wait_for_app(page)
    screenshot(page, "live-discovery")

    page.goto(session_url)
    wait_for_app(page)
    expect(page.get_by_test_id("iw-note-box")).to_have_value("Controller asked for a pilot with real data")
    expect(page.get_by_role("heading", name="Current workflow and pains")).to_be_visible()
    expect(_tab(page, "Session facts").get_by_role("textbox", name="Budget")).to_have_value(FACTS["Budget"])

    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Yes, end it").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/debrief\?session=[0-9a-f]{32}"))
    expect(page.get_by_role("heading", name="Debrief")).to_be_visible(timeout=20_000)  # a loaded machine
    expect(page.get_by_text(f"{len(NOTES) + 1} notes")).to_be_visible()  # the draft became a note

    # Score every competency with evidence, keeping the suggested value.
    scorecard = page.get_by_role("tabpanel", name="Scorecard")
    forms = scorecard.get_by_test_id("stForm")
    expect(forms).to_have_count(COMPETENCIES)  # every row rendered before counting: the page may still be drawing
    for index in range(forms.count()):
        form = forms.nth(index)

        def save_score(form: Locator = form, index: int = index) -> None:
            form.get_by_label("Evidence").fill(f"Evidence {index + 1} from the interview notes")
            form.get_by_role("button", name="Save score").click()
            wait_for_app(page)

        until_shown(page, save_score, scorecard.get_by_text("set by Erin Admin").nth(index))
    screenshot(page, "debrief-scorecard")

    synthesis = _tab(page, "Synthesis")
    expect(synthesis.get_by_text("Month-end close takes two days of manual reconciliation").first).to_be_visible()

    recommendation = _tab(page, "Recommendation")
    recommendation.get_by_role("button", name="Compute recommendation").click()
    wait_for_app(page)
    recommendation = page.get_by_role("tabpanel", name="Recommendation")
    expect(recommendation.get_by_role("heading", name="Activation Candidate")).to_be_visible()
    expect(recommendation.get_by_text(re.compile(r"computed by Erin Admin .* confidence \d+%")).first).to_be_visible()
    screenshot(page, "debrief-recommendation")

    follow_ups = _tab(page, "Follow-ups")
    expect(follow_ups.get_by_text("Send Dana Discovery the pilot proposal").first).to_be_visible()
    expect(follow_ups.get_by_text("Hi Dana,").first).to_be_visible()
    expect(follow_ups.get_by_text("Activation").first).to_be_visible()
    screenshot(page, "debrief-follow-ups")

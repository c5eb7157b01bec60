"""Merge tags: the context a session gives them, rendering in the sandbox, the errors a person sees, and the
.eml draft. The shipped templates' emails and task titles must render with every recommendation."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from core.content.templates import EmailSpec, InterviewTemplate, TemplateLibrary, load_templates
from core.debrief.email_templates import RenderedEmail, render_email, to_eml
from core.errors import ContentError
from core.models import Booking, Candidate, LiveSession, Session
from core.notifications.addresses import address
from core.notifications.merge_context import NO_INTERVIEWER, long_date, merge_context
from core.notifications.merge_tags import available_tags, render_text

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def library() -> TemplateLibrary:
    return load_templates(ROOT / "data" / "templates")


@pytest.fixture(scope="module")
def discovery(library: TemplateLibrary) -> InterviewTemplate:
    return library.get("customer_discovery")


def session(**values: Any) -> Session:
    base: dict[str, Any] = {
        "id": "s1",
        "problem_id": "",
        "kind": "customer_discovery",
        "created_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    }
    return Session(**(base | values))


def live(**facts: str) -> LiveSession:
    return LiveSession(
        session_id="s1", template_id="customer_discovery", template_version="1", stage="context_and_role", facts=facts
    )


def booking(start: datetime, timezone: str) -> Booking:
    return Booking(
        id="b1",
        session_id="s1",
        source="local",
        ical_uid="u1",
        start_at=start,
        end_at=start,
        attendee_name="Ana Rossi",
        attendee_email="ana@example.com",
        timezone=timezone,
    )


def context(template: InterviewTemplate | None, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "candidate": Candidate(id="c1", name="Ana Maria Rossi", email="ana@example.com"),
        "session": session(),
        "booking": None,
        "live": live(),
        "template": template,
        "interviewer_names": ["Ben Carter"],
        "recommendation_label": "Activation Candidate",
        "timezone": "UTC",
    }
    return merge_context(**(values | overrides))


TAGS = [
    "candidate.email",
    "candidate.first_name",
    "candidate.name",
    "facts.alternatives",
    "facts.budget",
    "facts.decision_makers",
    "facts.timeline",
    "interview.date",
    "interview.time",
    "interview.timezone",
    "interview.title",
    "interviewer.email",
    "interviewer.name",
    "recommendation.key",
    "recommendation.label",
]


# --- the context -------------------------------------------------------------------------------------------


def test_the_context_names_the_candidate_interview_interviewer_and_every_session_fact(
    discovery: InterviewTemplate,
) -> None:
    ctx = context(discovery, live=live(budget="From the ops budget, about 20k"))

    assert available_tags(ctx) == TAGS
    assert ctx["candidate"] == {"name": "Ana Maria Rossi", "first_name": "Ana", "email": "ana@example.com"}
    assert ctx["interviewer"]["name"] == "Ben Carter"
    assert ctx["recommendation"]["label"] == "Activation Candidate"
    assert ctx["interview"]["title"] == discovery.title  # no problem title: the template's
    # every session-scope field is there, blank until the interviewer fills it in
    assert ctx["facts"] == {
        "decision_makers": "",
        "budget": "From the ops budget, about 20k",
        "timeline": "",
        "alternatives": "",
    }


def test_the_interview_date_is_the_bookings_in_the_bookings_timezone(discovery: InterviewTemplate) -> None:
    # 23:30 UTC on Monday is already Tuesday in Rome
    ctx = context(discovery, booking=booking(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "Europe/Rome"))

    assert ctx["interview"] == {
        "date": "Tuesday 24 November 2026",
        "time": "00:30",
        "timezone": "Europe/Rome",
        "title": discovery.title,
    }


def test_without_a_booking_the_date_is_the_sessions_start_in_the_given_timezone(discovery: InterviewTemplate) -> None:
    started = session(started_at=datetime(2026, 11, 23, 21, 15, tzinfo=UTC), problem_title="Design a Payment System")

    ctx = context(discovery, session=started, timezone="America/New_York")
    assert ctx["interview"]["date"] == "Monday 23 November 2026"
    assert ctx["interview"]["time"] == "16:15"
    assert ctx["interview"]["title"] == "Design a Payment System"

    never_started = context(discovery, timezone="Not/AZone")  # an unknown zone falls back to UTC
    assert never_started["interview"]["date"] == "Friday 20 November 2026"
    assert never_started["interview"]["time"] == "09:00"


def test_without_a_candidate_or_an_interviewer_the_email_still_reads(discovery: InterviewTemplate) -> None:
    ctx = context(discovery, candidate=None, interviewer_names=[])

    assert ctx["candidate"] == {"name": "the candidate", "first_name": "there", "email": ""}
    assert ctx["interviewer"]["name"] == NO_INTERVIEWER
    assert render_text("Hi {{candidate.first_name}}, {{interviewer.name}}", ctx) == "Hi there, The interview team"


def test_several_interviewers_sign_together() -> None:
    ctx = context(None, interviewer_names=["Ana", " ", "Ben", "Cleo"])
    assert ctx["interviewer"]["name"] == "Ana, Ben and Cleo"
    assert ctx["facts"] == {}  # no template: only the facts the live session holds


def test_long_date_is_english_whatever_the_locale() -> None:
    assert long_date(datetime(2026, 11, 23)) == "Monday 23 November 2026"
    assert long_date(datetime(2027, 1, 3)) == "Sunday 3 January 2027"


# --- rendering ---------------------------------------------------------------------------------------------


def test_every_shipped_recommendation_renders_its_email_and_task_titles(library: TemplateLibrary) -> None:
    for template in library.all():
        ctx = context(template)
        for recommendation in template.recommendations:
            assert recommendation.email is not None, f"{template.id}: {recommendation.key} has no email"
            email = render_email(recommendation.email, ctx)
            assert email.subject and "{" not in email.subject
            assert "{{" not in email.body and "}}" not in email.body
            assert email.body.startswith("Hi Ana,")
            assert email.body.rstrip().endswith("Ben Carter")
            for spec in recommendation.follow_ups:
                title = render_text(spec.title, ctx)
                assert "{" not in title


def test_a_fallback_fills_a_blank_fact_and_a_filled_fact_wins(discovery: InterviewTemplate) -> None:
    spec = discovery.recommendation("activation_candidate").email
    assert spec is not None

    blank = render_email(spec, context(discovery))
    assert "(your decision-makers)" in blank.body
    assert "Monday" not in blank.body  # no booking, created on a Friday
    assert "Friday 20 November 2026" in blank.body

    filled = render_email(spec, context(discovery, live=live(decision_makers="Maria, the CFO")))
    assert "(Maria, the CFO)" in filled.body


def test_an_unknown_tag_is_named_with_the_tags_there_are(discovery: InterviewTemplate) -> None:
    ctx = context(discovery)
    with pytest.raises(ContentError) as caught:
        render_text("Hi {{candidate.first_name}} {{candidate.nmae}}", ctx)
    assert str(caught.value) == f"Unknown merge tag candidate.nmae; available: {', '.join(TAGS)}."

    for text, tag in [
        ("{{ budget }}", "budget"),
        ("{{ facts.price }}", "facts.price"),
        ("{% if interview.place %}x{% endif %}", "interview.place"),
        ("{{ facts['nope'] or 'n/a' }}", "facts.nope"),
        ("{{ candidate.name }} {{ candidate.name.first }}", None),  # an attribute of a value: not a tag
    ]:
        if tag is None:
            with pytest.raises(ContentError, match="cannot be filled in"):
                render_text(text, ctx)  # StrictUndefined: never a silent blank
            continue
        with pytest.raises(ContentError, match=rf"^Unknown merge tag {tag}; available: candidate\.email, "):
            render_text(text, ctx)


def test_a_syntax_error_says_how_to_write_a_tag(discovery: InterviewTemplate) -> None:
    ctx = context(discovery)
    for text in ["Hi {{candidate.name", "Hi {% if %}", "{{ candidate.name | shout }}"]:
        with pytest.raises(ContentError) as caught:
            render_text(text, ctx)
        message = str(caught.value)
        assert message.startswith("The merge tags do not parse (line 1: ")
        assert "write a tag as {{candidate.name}}" in message
        assert "Available: candidate.email, candidate.first_name" in message


def test_a_group_printed_without_a_field_is_refused(discovery: InterviewTemplate) -> None:
    with pytest.raises(ContentError, match=r"^Merge tag candidate needs a field: one of candidate\.email, "):
        render_text("Hi {{candidate}}", context(discovery))


def test_the_sandbox_refuses_python_internals(discovery: InterviewTemplate) -> None:
    with pytest.raises(ContentError, match="may not touch"):
        render_text("{{ candidate.name.__class__.__mro__ }}", context(discovery))


def test_jinja_still_works_for_people_who_want_it(discovery: InterviewTemplate) -> None:
    ctx = context(discovery, live=live(budget="20k"))
    text = "{{ candidate.name | upper }}{% if facts.budget %}, budget {{ facts['budget'] }}{% endif %}"
    assert render_text(text, ctx) == "ANA MARIA ROSSI, budget 20k"
    assert render_text("{% for n in [1, 2] %}{{ n }}{% endfor %}", ctx) == "12"  # loop variables are not tags


def test_text_is_plain_not_html_and_fact_keys_shadow_dict_methods() -> None:
    ctx = context(None, candidate=Candidate(id="c", name="Zoë O'Brien & <Sons>"), live=live(items="three chairs"))
    assert render_text("{{candidate.name}}: {{facts.items}}", ctx) == "Zoë O'Brien & <Sons>: three chairs"


def test_the_subject_is_kept_to_one_line(discovery: InterviewTemplate) -> None:
    spec = EmailSpec(subject="Hello {{candidate.first_name}}\n  and welcome", body="Body")
    email = render_email(spec, context(discovery))
    assert email == RenderedEmail(subject="Hello Ana and welcome", body="Body")


# --- the .eml draft ---------------------------------------------------------------------------------------


def test_the_draft_is_an_unsent_email_a_mail_client_opens() -> None:
    rendered = RenderedEmail(subject="Thank you, Zoë", body="Hi Zoë,\n\nThanks for Monday — talk soon.\n")
    when = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    data = to_eml(rendered, to=address("Zoë Quinn", "zoe@example.com"), sender="ben@example.com", date=when)

    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Thank you, Zoë"
    assert message["To"].addresses[0].display_name == "Zoë Quinn"
    assert message["To"].addresses[0].addr_spec == "zoe@example.com"
    assert message["From"] == "ben@example.com"
    assert message["X-Unsent"] == "1"
    assert message["Date"].datetime == when
    body = message.get_body(("plain",))
    assert body is not None and body.get_content() == rendered.body


def test_a_draft_without_an_address_leaves_to_empty() -> None:
    data = to_eml(RenderedEmail("S", "B\n"), to=address("Ana", ""), sender="")
    message = message_from_bytes(data, policy=policy.default)
    assert message["To"] is None and message["From"] is None


def test_address_quotes_names_and_refuses_what_is_not_an_address() -> None:
    assert address("Ana Rossi", " ana@example.com ") == "Ana Rossi <ana@example.com>"
    assert address("Rossi, Ana", "ana@example.com") == '"Rossi, Ana" <ana@example.com>'
    assert address("", "ana@example.com") == "ana@example.com"
    assert address("Ana", "not an address") == ""

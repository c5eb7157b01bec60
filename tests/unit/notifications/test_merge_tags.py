"""A template that would exhaust memory or run for minutes fails within seconds with a sentence the
person editing it can act on; ordinary templates render as before (in-process or in the child)."""

from __future__ import annotations

import time

import pytest

from core.errors import ContentError
from core.notifications import merge_tags
from core.notifications.merge_tags import RENDER_TIME_LIMIT_SECONDS, render_text

CONTEXT = {
    "candidate": {"name": "Ana Rossi", "first_name": "Ana", "email": "ana@example.com"},
    "facts": {"budget": "20k", "notes": ""},
}


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ 'a' * 3000000000 }}", "more than 100 KB"),
        ("{{ 'x'|center(3000000000) }}", "MB to fill in"),
        (
            "{% for i in range(100000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",  # 10^9 turns
            f"longer than {RENDER_TIME_LIMIT_SECONDS:g} s",
        ),
        ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", "more than 100 KB"),
        ("{{ 2 ** 100000000 }}", "more than 100 KB"),
    ],
    ids=["repeat", "center", "nested-loop", "growing-output", "power"],
)
def test_a_runaway_template_fails_fast_with_a_clear_error(template: str, says: str) -> None:
    started = time.monotonic()
    with pytest.raises(ContentError, match=says) as caught:
        render_text(f"Hi {{{{candidate.first_name}}}} {template}", CONTEXT)
    assert time.monotonic() - started < RENDER_TIME_LIMIT_SECONDS + 3
    assert "Traceback" not in str(caught.value)


def test_a_template_longer_than_the_limit_is_refused_before_parsing() -> None:
    with pytest.raises(ContentError, match="longer than 100 KB"):
        render_text("x" * (merge_tags.MAX_TEMPLATE_CHARS + 1), CONTEXT)


def test_simple_templates_render_in_process_and_others_in_the_child_with_the_same_rules() -> None:
    simple = "Hi {{candidate.first_name|upper}}{% if facts.budget %}, budget {{facts.budget}}{% endif %}."
    assert merge_tags._is_simple(merge_tags._ENV.parse(simple))
    assert render_text(simple, CONTEXT) == "Hi ANA, budget 20k."
    looped = "{% for n in [1, 2] %}{{ n }}{% endfor %} {{ candidate.name|replace('Ana', 'A.') }}"
    assert not merge_tags._is_simple(merge_tags._ENV.parse(looped))
    assert render_text(looped, CONTEXT) == "12 A. Rossi"
    with pytest.raises(ContentError, match=r"^Unknown merge tag candidate\.nmae; available: candidate\.email"):
        render_text("{% for n in [1] %}{{ candidate.nmae }}{% endfor %}", CONTEXT)
    with pytest.raises(ContentError, match="may not touch"):
        render_text("{{ candidate.name.__class__.__mro__ }}", CONTEXT)


def test_a_template_prepared_once_fills_in_each_context_and_judges_each_on_its_own_tags() -> None:
    """Simple templates are kept parsed and compiled (a worker fills in the same emails for every booking); what
    one rendering found must not leak into the next."""
    template = "Hi {{candidate.first_name}}{% if facts.budget %}, budget {{facts.budget}}{% endif %}."
    assert render_text(template, CONTEXT) == "Hi Ana, budget 20k."
    other = {"candidate": {"first_name": "Lin"}, "facts": {"budget": ""}}
    assert render_text(template, other) == "Hi Lin."
    without_facts = {"candidate": {"first_name": "Lin", "email": "lin@example.com"}}
    for _ in range(2):
        with pytest.raises(ContentError, match=r"^Unknown merge tag facts; available: candidate\.email, candidate\.f"):
            render_text(template, without_facts)
    assert render_text(template, CONTEXT) == "Hi Ana, budget 20k."
    for context in (CONTEXT, without_facts):  # an error is told each time, naming the tags of the context at hand
        with pytest.raises(ContentError, match=r"No filter named 'nope'.*Available: candidate\.email"):
            render_text("{{ candidate.first_name|nope }}", context)
        with pytest.raises(ContentError, match=r"do not parse.*Available: candidate\.email"):
            render_text("{{ candidate.first_name ", context)

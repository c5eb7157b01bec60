"""Figures against the interview's facts, only ever compared with a fact of the same kind."""

from __future__ import annotations

from core.correctness.figures import facts_of, figure_slips, is_capacity

FACTS = facts_of(
    [
        "Assume about 100 million new short links a month and about 10 billion redirects a month.",
        "Reads dominate: roughly 4,000 redirects per second on average, and peaks around 20,000 per second.",
    ]
)


def test_a_traffic_figure_far_from_the_facts_is_a_finding() -> None:
    [slip] = figure_slips("So we serve about 40 redirects per second in total.", FACTS)
    assert "40 redirects per second" in (slip.said or "")
    assert "4,000 redirects per second" in (slip.right or "")


def test_a_per_node_capacity_is_never_compared_with_total_traffic() -> None:
    said = "Redis starts to struggle at around 200k redirects per second, so one node is plenty."
    assert is_capacity("Redis starts to struggle at around 200k redirects per second")
    assert figure_slips(said, FACTS) == []


def test_figures_close_to_the_facts_and_hypotheticals_pass() -> None:
    assert figure_slips("Peaks of about 20,000 redirects per second.", FACTS) == []
    assert figure_slips("At 10x we would see 200,000 redirects a second.", FACTS) == []
    assert figure_slips("Each user makes 40 redirects per second at most.", FACTS) == []


def test_once_an_answer_turns_to_a_scaled_system_its_later_figures_are_about_that_system() -> None:
    said = "At ten times: a billion links a month. Storage 30 TB, fine. 200k redirects a second at peak: more servers."
    assert figure_slips(said, FACTS) == []
    assert figure_slips("So 200k redirects a second at peak, today.", FACTS) != []  # said of today's system, it is off


def test_a_figure_said_per_group_or_per_request_is_not_a_total() -> None:
    facts = facts_of(["About 5,000 features in 200 feature groups, read for 50 million users."])
    assert figure_slips("Why per group, not per feature: 300 features as 300 fields is too many calls.", facts) == []
    assert figure_slips("Per request we read 300 features.", facts) == []
    assert figure_slips("So about 300 features in total.", facts) != []


def test_the_interviewers_questions_and_quotes_are_not_facts() -> None:
    facts = facts_of(["How did you get the 1,700 reads per second?", "You said 50 reads per second."])
    assert facts == []


def test_a_rate_said_without_its_noun_is_a_fact_about_the_noun_before() -> None:
    facts = facts_of(["About 10 million payments a day, roughly 115 per second; the peak is about 1,000 per second."])
    assert [(f.head, f.value, f.period) for f in facts] == [
        ("payment", 10_000_000, "day"),
        ("payment", 115, "second"),
        ("payment", 1_000, "second"),
    ]
    assert figure_slips("At a thousand payments a second one primary is fine.", facts) == []
    assert figure_slips("So 100,000 payments a second hit the primary.", facts)  # still far from every one


BOOKINGS = facts_of(
    [
        "We have 2 million daily active users, about 40 million products, 5,000 product features and roughly 300 "
        "orders per second at peak.",
    ]
)


def test_a_fact_quoted_then_read_another_way_on_purpose_is_a_judgement_not_a_slip() -> None:
    reasoned = (
        "300 orders per second all day would be 26 million a day, more than our 2 million users, so I'll treat 300 "
        "as the peak and assume about 3 million orders a day."
    )
    assert figure_slips(reasoned, BOOKINGS) == []
    [slip] = figure_slips("I'd assume about 3 million orders a day.", BOOKINGS)  # the fact never weighed
    assert "3 million orders a day" in (slip.said or "")


def test_a_figure_that_counts_a_part_is_not_the_whole() -> None:
    assert figure_slips("The busiest warehouse stocks 100,000 products.", BOOKINGS) == []
    assert figure_slips("A training set with 300 features at 4 bytes is small.", BOOKINGS) == []
    assert figure_slips("The views-in-5-minutes feature is streamed.", BOOKINGS) == []  # a name, not a count
    assert figure_slips("Returns are 1% of orders, 3 orders per second, handled by a batch job.", BOOKINGS) == []
    assert figure_slips("Search only indexes the 3 million products in stock.", BOOKINGS) == []  # fewer: a part
    [slip] = figure_slips("We have about 100,000 products in all.", BOOKINGS)  # said as the whole catalogue: 400x off
    assert "100,000 products" in (slip.said or "")
    [slip] = figure_slips("We stock about 4 billion products.", BOOKINGS)  # more than the whole: no part of it
    assert "4 billion products" in (slip.said or "")


def test_what_each_of_many_does_and_a_distance_are_not_the_systems_figures() -> None:
    searches = facts_of(["About 100 million daily users, about 1 billion searches a day."])
    assert figure_slips("Say 100 million daily users doing 10 searches a day, so a billion a day.", searches) == []
    [slip] = figure_slips("We serve about 10 searches a day in total.", searches)
    assert "10 searches" in (slip.said or "")
    gps = facts_of(["GPS is accurate to within 10 to 20 metres."])
    assert figure_slips("Cells are roughly 800 metres across, so most pings stay in one cell.", gps) == []

"""Requests for a figure and whether the answer carries one: the dodge that reads well but says nothing."""

from __future__ import annotations

from core.correctness.answers import asks_for_figure, gives_figure, unanswered_figure_questions
from core.correctness.findings import FindingKind
from core.models import Utterance


def _talk(*lines: str) -> list[Utterance]:
    speakers = ("interviewer", "candidate")
    return [Utterance(speakers[i % 2], t, start=10.0 * i, seq=i) for i, t in enumerate(lines)]


def test_questions_that_ask_for_a_number_are_told_from_others() -> None:
    assert asks_for_figure("About 5 million drivers report every 4 seconds. How many updates per second is that?")
    assert asks_for_figure("And storage? A record is about 2 KB and we keep it for 3 years.")
    assert asks_for_figure("Estimate the peak write rate for me.")
    assert not asks_for_figure("Walk me through a rider requesting a ride.")
    assert not asks_for_figure("We see about 2,000 reads per second.")  # a fact given, not a question


def test_a_number_a_refusal_or_a_way_to_find_it_answers_and_a_vague_size_does_not() -> None:
    assert gives_figure("That's 5 million over 4 seconds, about 1.25 million a second.")
    assert gives_figure("I'd rather not guess at that.")  # open, so the interviewer knows where they stand
    assert gives_figure("It depends on the payloads, so I'd load-test one node to find out.")
    assert not gives_figure("It's a lot of drivers, so we'd need a load balancer in front.")
    assert not gives_figure("S3 is basically unlimited, so storage isn't a concern.")


def test_an_answer_about_something_easier_leaves_the_question_unanswered() -> None:
    talk = _talk(
        "How many location updates per second is that?",
        "The phone batches positions to save battery, and we compress the payload.",
        "That's the client side. What load does that put on the backend, in updates per second?",
        "It's a lot, so the location service scales on its own.",
        "Sketch the main components.",
        "A gateway, a location service and a matching service.",
    )
    found = unanswered_figure_questions(talk)
    assert [f.message_seq for f in found] == [1, 3]
    assert all(f.kind is FindingKind.UNANSWERED and f.competency == "communication" for f in found)
    assert found[0].quote.startswith("The phone batches positions")


def test_a_question_back_then_the_figure_is_answered() -> None:
    talk = _talk(
        "How much storage do payments need over five years?",
        "Before I do: how many payments a day, and how big is a record?",
        "About 10 million a day, 1 KB each.",
        "Then 10 million times 1 KB is 10 GB a day, about 18 TB over five years.",
    )
    assert unanswered_figure_questions(talk) == []
    dodged = _talk(*(u.text for u in talk[:3]), "We'd keep them in PostgreSQL, which the team knows well.")
    assert [f.message_seq for f in unanswered_figure_questions(dodged)] == [3]


def test_a_spoken_answer_in_several_lines_is_one_answer() -> None:
    talk = [
        Utterance("interviewer", "How many requests per second at peak?", start=0.0, seq=0),
        Utterance("candidate", "Let me think.", start=5.0, seq=1),
        Utterance("candidate", "A hundred million a day is about 1,200 a second, so 3,000 at peak.", start=8.0, seq=2),
    ]
    assert unanswered_figure_questions(talk) == []

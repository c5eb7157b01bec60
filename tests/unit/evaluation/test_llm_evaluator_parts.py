"""The LLM evaluator on a long interview and a small window, and its answer cache, with a scripted chat model.

The chat model stands in for the provider (the wire protocol and a self-hosted server's window are tested
against the loopback fake in tests/integration/evaluation/test_chunked_evaluation.py); the cache is the real
StoredAnswers over the in-memory unit of work.
"""

from __future__ import annotations

import json
from dataclasses import replace

from core.evaluation.chunked_evaluation import PART_ANSWER_TOKENS
from core.evaluation.llm_evaluator import LLM_PARTS, LLMEvaluator
from core.llm.answer_cache import StoredAnswers
from core.llm.chat_models import Usage
from core.models import Level
from tests.fakes import FakeUnitOfWork
from tests.graded_set import long_interview
from tests.part_answers import MERGED, part_of
from tests.part_answers import part_answer as answer_to_part
from tests.unit.evaluation.test_chunked_evaluation import PART_PROMPT
from tests.unit.evaluation.test_llm_evaluator import KEYS, PROBLEM, PROMPT, RUBRIC, ScriptedChat, report

LONG = long_interview(20, problem="url_shortener")  # 20 minutes: some 7,000 tokens of transcript
SMALL = 4096


def part_answer(message: str) -> str:
    return answer_to_part(message, KEYS)


def evaluator(chat: ScriptedChat, *, samples: int = 1, cache: StoredAnswers | None = None) -> LLMEvaluator:
    return LLMEvaluator(
        chat,  # type: ignore[arg-type]
        RUBRIC,
        PROBLEM,
        PROMPT,
        label="Fake",
        part_prompt=PART_PROMPT,
        samples=samples,
        cache=cache,
    )


def cache() -> StoredAnswers:
    uow = FakeUnitOfWork()
    return StoredAnswers(lambda: uow, session_id=None)


def test_a_long_interview_on_a_small_window_is_judged_in_parts_and_merged_per_competency() -> None:
    chat = ScriptedChat([], window=SMALL, respond=part_answer)
    outcome = evaluator(chat).evaluate("s", LONG, level=Level.MID)
    evaluation = outcome.evaluation

    parts = [part_of(call["messages"][0].content)["part"] for call in chat.calls]
    count = len(parts)
    assert count >= 5 and parts == [{"number": n, "of": count} for n in range(1, count + 1)]
    assert all(call["max_tokens"] == PART_ANSWER_TOKENS for call in chat.calls)
    assert all(call["schema"].name == "evaluation_part" for call in chat.calls)
    assert all("part" in call["system"] and '"shown"' in call["system"] for call in chat.calls)
    scores = {c.key: c.score for c in evaluation.competencies}
    # shown in one part only, yet not dragged down by the parts that do not show it
    assert scores == {**dict.fromkeys(KEYS, 1.0), **MERGED}
    requirements = next(c for c in evaluation.competencies if c.key == "requirements")
    first_line = next(u for u in LONG if u.speaker == "candidate")
    assert [(e.quote, e.at_seconds) for e in requirements.evidence] == [
        (first_line.text[:50].strip(), first_line.start)
    ]
    assert evaluation.engine == "fake" and evaluation.prompt_version == "evaluator_part/v1"
    assert evaluation.notes[0] == (
        f"The interview is longer than fake-1's 4,096-token context window takes in one request, so the Fake "
        f"evaluator judged it in {count} parts, each overlapping the next by about 20%, and combined their "
        "judgements per competency."
    )
    assert evaluation.communication[LLM_PARTS]["parts"] == count
    assert evaluation.went_well[:2] == ["Part 1 went well", "Part 2 went well"]
    assert (outcome.answers, outcome.cached_answers) == (count, 0)


def test_an_interview_that_fits_goes_in_one_request_as_before() -> None:
    chat = ScriptedChat([report(3.0)], window=SMALL * 8)
    evaluation = evaluator(chat).evaluate("s", LONG[:20], level=Level.MID).evaluation
    assert len(chat.calls) == 1 and chat.calls[0]["max_tokens"] == 2000
    assert evaluation.prompt_version == "evaluator/v3" and LLM_PARTS not in evaluation.communication


def test_each_sample_reads_every_part_and_a_sample_with_a_part_out_of_shape_is_not_used() -> None:
    probe = ScriptedChat([], window=SMALL, respond=part_answer)
    evaluator(probe).evaluate("s", LONG, level=Level.MID)
    count = len(probe.calls)
    junk = json.dumps({"competencies": [{"key": "requirements", "score": 9}]})
    sample_1 = [part_answer(c["messages"][0].content) for c in probe.calls[:2]] + [junk]  # part 3 out of shape
    chat = ScriptedChat(list(sample_1), window=SMALL, respond=part_answer)
    outcome = evaluator(chat, samples=2).evaluate("s", LONG, level=Level.MID)

    assert len(chat.calls) == 3 + count, "sample 1 stops at its broken part; sample 2 reads every part"
    note = next(n for n in outcome.evaluation.notes if "samples could be used" in n)
    assert note.startswith(
        f"Only 1 of 2 Fake evaluation samples could be used: 1 did not fit the evaluation format (part 3 of {count}: "
    )
    assert {c.key: c.score for c in outcome.evaluation.competencies}["requirements"] == 4.5


def test_a_second_evaluation_of_the_same_interview_asks_nothing_and_costs_nothing() -> None:
    kept = cache()
    first = ScriptedChat([], window=SMALL, respond=part_answer)
    before = evaluator(first, samples=2, cache=kept).evaluate("s", LONG, level=Level.MID)
    asked = len(first.calls)
    assert (before.answers, before.cached_answers) == (asked, 0)

    again = ScriptedChat([], window=SMALL, respond=part_answer)
    after = evaluator(again, samples=2, cache=kept).evaluate("s", LONG, level=Level.MID)
    assert again.calls == []
    assert (after.answers, after.cached_answers) == (asked, asked) and after.usage == Usage(0, 0)
    scores = lambda outcome: [(c.key, c.score, c.confidence) for c in outcome.evaluation.competencies]  # noqa: E731
    assert scores(after) == scores(before)


def test_a_changed_line_asks_again_only_for_the_parts_that_hold_it_and_another_model_for_all() -> None:
    kept = cache()
    first = ScriptedChat([], window=SMALL, respond=part_answer)
    evaluator(first, cache=kept).evaluate("s", LONG, level=Level.MID)
    count = len(first.calls)

    changed = [*LONG[:-1], replace(LONG[-1], text=LONG[-1].text + " Thanks for your time.")]
    again = ScriptedChat([], window=SMALL, respond=part_answer)
    outcome = evaluator(again, cache=kept).evaluate("s", changed, level=Level.MID)
    asked = [part_of(c["messages"][0].content)["part"]["number"] for c in again.calls]
    assert asked in ([count], [count - 1, count])  # the part holding the line (the last two share the end)
    assert (outcome.answers, outcome.cached_answers) == (count, count - len(asked))

    other = ScriptedChat([], window=SMALL, respond=part_answer, model="fake-2")
    outcome = evaluator(other, cache=kept).evaluate("s", LONG, level=Level.MID)
    assert len(other.calls) == count and outcome.cached_answers == 0


def test_the_whole_interview_request_is_cached_per_sample() -> None:
    kept = cache()
    first = ScriptedChat([report(2.0), report(3.0), report(4.0)])
    before = evaluator(first, samples=3, cache=kept).evaluate("s", LONG[:20], level=Level.MID)
    again = ScriptedChat([])
    after = evaluator(again, samples=3, cache=kept).evaluate("s", LONG[:20], level=Level.MID)
    assert again.calls == [] and (after.answers, after.cached_answers) == (3, 3)
    record = lambda outcome: outcome.evaluation.communication["llm_samples"]["scores"]  # noqa: E731
    assert record(after) == record(before)  # each sample's own answer again, not one answer three times


def test_an_answer_that_could_not_be_used_is_not_kept() -> None:
    kept = cache()
    junk = json.dumps({"competencies": []})
    evaluator(ScriptedChat([junk]), cache=kept).evaluate("s", LONG[:20], level=Level.MID)
    again = ScriptedChat([report(3.0)])
    outcome = evaluator(again, cache=kept).evaluate("s", LONG[:20], level=Level.MID)
    assert len(again.calls) == 1 and outcome.cached_answers == 0


def test_a_window_too_small_even_for_parts_falls_back_with_the_window_it_needs() -> None:
    chat = ScriptedChat([], window=2048, respond=part_answer)
    evaluation = evaluator(chat).evaluate("s", LONG, level=Level.MID).evaluation
    assert chat.calls == [] and evaluation.engine == "offline"
    assert evaluation.notes[0].startswith(
        "The Fake evaluator could not be used (the interview does not fit fake-1's 2,048-token context window even "
        "in parts"
    )
    assert "a window of at least 3,584 tokens is needed" in evaluation.notes[0]


def test_without_a_part_prompt_a_long_interview_goes_whole_as_before() -> None:
    chat = ScriptedChat([report(3.0)], window=SMALL)
    LLMEvaluator(chat, RUBRIC, PROBLEM, PROMPT, label="Fake", samples=1).evaluate(  # type: ignore[arg-type]
        "s", LONG, level=Level.MID
    )
    assert len(chat.calls) == 1  # the adapter refuses it as too long; the note says so (tests/integration)

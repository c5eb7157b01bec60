"""How long the offline evaluator takes on a 60-minute interview (target: at most 1 s).

Builds a long transcript from the graded tune set — every exchange, retimed one after another at
150 words a minute until an hour is filled — and evaluates it with the correctness reader,
the board-free offline evaluator and the problem bank, as the product does. Prints figures;
asserts nothing.

    .venv/bin/python bench/evaluation_speed.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.content.problems import load_problem_bank
from core.content.rubrics import load_rubrics
from core.content.text_signals import word_count
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.models import Utterance
from tests.graded_set import load

DATA = Path(__file__).resolve().parents[1] / "data"
MINUTES, WORDS_PER_MINUTE, RUNS, TARGET_SECONDS = 60, 150, 5, 1.0


def hour_long() -> list[Utterance]:
    """An hour of talk: the tune half's exchanges one after another, timed by their length."""
    out: list[Utterance] = []
    clock = 0.0
    for transcript in load("tune"):
        for entry in transcript.entries:
            seconds = max(2.0, word_count(entry.text) / WORDS_PER_MINUTE * 60)
            out.append(Utterance(entry.speaker, entry.text, start=clock, end=clock + seconds, seq=len(out)))
            clock += seconds + 1.0
            if clock >= MINUTES * 60:
                return out
    return out


def main() -> None:
    rubric = load_rubrics(DATA / "rubrics")["system_design"]
    bank = load_problem_bank(DATA / "problems")
    evaluator = OfflineEvaluator(rubric, bank.get("url_shortener"), bank=bank)
    talk = hour_long()
    words = sum(word_count(u.text) for u in talk)
    evaluator.evaluate("warm-up", talk[:20])
    times = []
    for i in range(RUNS):
        started = time.perf_counter()
        evaluator.evaluate(f"run-{i}", talk)
        times.append(time.perf_counter() - started)
    minutes = (talk[-1].end or 0.0) / 60
    print(f"transcript: {len(talk)} utterances, {words:,} words, {minutes:.0f} minutes")
    print(f"offline evaluation: median {statistics.median(times):.2f} s, max {max(times):.2f} s over {RUNS} runs")
    print(f"target: <= {TARGET_SECONDS:.1f} s -> {'met' if statistics.median(times) <= TARGET_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()

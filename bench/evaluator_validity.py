"""How well the offline evaluator agrees with careful graders, next to naive proxies.

Reads the hand-graded transcripts in tests/fixtures/graded/ (tune and check halves), evaluates each
with the offline evaluator, and prints for each half: Spearman's rho between the evaluator and the
graders (overall and per competency), mean absolute error, and the same rho for proxies that only
measure form (word count, digit count, reasoning words, technology names, filler rate, talk share).
A competency the evaluator refuses to score ("not enough to judge") counts as 1. Prints figures;
asserts nothing. The targets (issue 14) are judged on the check half.

    .venv/bin/python bench/evaluator_validity.py                 # both halves
    .venv/bin/python bench/evaluator_validity.py --half tune --detail   # while tuning: never the check half
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.content.problems import load_problem_bank
from core.content.rubrics import Rubric, load_rubrics
from core.content.text_signals import causal_markers, fillers, tradeoff_markers, word_count
from core.evaluation.offline_evaluator import OfflineEvaluator
from tests.graded_set import HALVES, GradedTranscript, Half, load

DATA = Path(__file__).resolve().parents[1] / "data"
TARGET_OVERALL, TARGET_COMPETENCY = 0.85, 0.7
UNSCORED = 1.0  # "not enough to judge" is the bottom of the scale for ranking
TECHNOLOGIES = re.compile(
    r"\b(redis|memcached|kafka|rabbitmq|sqs|kinesis|cassandra|dynamodb|mongodb|postgres(?:ql)?|mysql|"
    r"elasticsearch|zookeeper|etcd|kubernetes|k8s|docker|nginx|haproxy|envoy|s3|cloudfront|spark|flink|"
    r"hadoop|hbase|bigtable|spanner|cockroachdb|grpc|graphql|websockets?|lambda|snowflake)\b",
    re.IGNORECASE,
)


def _candidate_text(transcript: GradedTranscript) -> str:
    return "\n".join(e.text for e in transcript.entries if e.speaker == "candidate")


def proxies(transcript: GradedTranscript) -> dict[str, float]:
    """What an evaluator that rewards form would look at."""
    said = _candidate_text(transcript)
    words = word_count(said)
    everyone = sum(word_count(e.text) for e in transcript.entries) or 1
    return {
        "word count": words,
        "digit count": sum(ch.isdigit() for ch in said),
        "reasoning words": len(causal_markers(said)) + len(tradeoff_markers(said)),
        "technology names": len(TECHNOLOGIES.findall(said)),
        "filler rate": len(fillers(said)) / (words or 1),
        "talk share": words / everyone,
    }


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rho (ties ranked by their average); NaN when either side is constant."""
    return float(pd.DataFrame({"a": a, "b": b}).corr(method="spearman").to_numpy()[0, 1])


def measure(half: Half, rubric: Rubric, evaluators: dict[str, OfflineEvaluator], *, detail: bool = False) -> None:
    transcripts = load(half)
    keys = [c.key for c in rubric.competencies]
    graded: dict[str, list[float]] = {k: [] for k in [*keys, "overall"]}
    judged: dict[str, list[float]] = {k: [] for k in [*keys, "overall"]}
    proxy_values: dict[str, list[float]] = {}
    unscored, times = 0, []
    for transcript in transcripts:
        started = time.perf_counter()
        evaluation = evaluators[transcript.problem].evaluate(transcript.name, transcript.utterances())
        times.append(time.perf_counter() - started)
        scores = {c.key: c.score for c in evaluation.competencies}
        if evaluation.overall_score is None:
            unscored += 1
        for key in keys:
            graded[key].append(transcript.grades[key].score)
            score = scores.get(key)
            judged[key].append(score if score is not None else UNSCORED)
        graded["overall"].append(transcript.overall(rubric))
        judged["overall"].append(evaluation.overall_score if evaluation.overall_score is not None else UNSCORED)
        for name, value in proxies(transcript).items():
            proxy_values.setdefault(name, []).append(value)
        if detail:
            row = " ".join(f"{scores.get(k) or UNSCORED:3.1f}/{transcript.grades[k].score:<3}" for k in keys)
            print(f"{transcript.name:45} {judged['overall'][-1]:3.1f}/{graded['overall'][-1]:3.1f}  {row}")

    print(
        f"\n== {half} half: {len(transcripts)} transcripts, {len({t.problem for t in transcripts})} problems, "
        f"{unscored} not scored by the evaluator; evaluation p50 {statistics.median(times) * 1000:.0f} ms"
    )
    print(f"{'':22} {'rho':>6} {'MAE':>6}   (evaluator vs graders)")
    for key in [*keys, "overall"]:
        rho = spearman(judged[key], graded[key])
        mae = statistics.fmean(abs(a - b) for a, b in zip(judged[key], graded[key], strict=True))
        target = TARGET_OVERALL if key == "overall" else TARGET_COMPETENCY
        mark = "" if math.isnan(rho) else ("  ok" if rho >= target else f"  below {target}")
        print(f"{key:22} {rho:6.3f} {mae:6.2f}{mark}")
    print(f"{'proxy':22} {'rho':>6}   (proxy vs graders' overall)")
    best_proxy = -1.0
    for name, values in proxy_values.items():
        rho = spearman(values, graded["overall"])
        best_proxy = max(best_proxy, 0.0 if math.isnan(rho) else rho)
        print(f"{name:22} {rho:6.2f}")
    overall = spearman(judged["overall"], graded["overall"])
    verdict = "above" if overall > best_proxy else "NOT above"
    print(f"evaluator overall rho {overall:.2f} is {verdict} the best proxy ({best_proxy:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=[*HALVES, "both"], default="both")
    parser.add_argument("--detail", action="store_true", help="one row per transcript: evaluator/graders")
    args = parser.parse_args()
    rubric = load_rubrics(DATA / "rubrics")["system_design"]
    bank = load_problem_bank(DATA / "problems")
    evaluators = {p.id: OfflineEvaluator(rubric, p, bank=bank) for p in bank.all()}
    for half in HALVES if args.half == "both" else [args.half]:
        measure(half, rubric, evaluators, detail=args.detail)
    print(
        f"\nTargets, on the check half: rho >= {TARGET_OVERALL} overall, >= {TARGET_COMPETENCY} per competency, "
        "above every proxy."
    )


if __name__ == "__main__":
    main()

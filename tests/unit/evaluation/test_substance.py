"""Substance: what an answer commits to, however it is worded."""

from __future__ import annotations

from pathlib import Path

from core.content.problems import load_problem
from core.evaluation.substance import substance

PROBLEM = load_problem(Path(__file__).resolve().parents[3] / "data" / "problems" / "ticket_booking.yaml")


def test_quality_claims_and_waved_away_problems_are_empty() -> None:
    claims = "It will be scalable, robust and highly available. Contention is a non-issue with Kubernetes."
    said = substance([claims], None)
    assert (said.sentences, said.empty, said.specific) == (2, 2, 0)


def test_a_hedge_over_nothing_commits_to_nothing() -> None:
    said = substance(["Maybe some kind of database? I'm not sure how, to be honest."], PROBLEM)
    assert said.hedged == 2 and said.uncommitted_share == 1.0


def test_a_nervous_candidate_who_names_the_figure_commits_to_it() -> None:
    """ "I guess something like 8 minutes for a hold" hedges the delivery, not the design."""
    nervous = "I guess we hold seats for something like 8 minutes. And I think maybe 300 ms at p99 for the hold."
    said = substance([nervous], PROBLEM)
    assert said.hedged == 0 and said.specific == 2 and said.uncommitted_share == 0.0

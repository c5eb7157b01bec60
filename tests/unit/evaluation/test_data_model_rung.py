"""The data-model ladder is climbed rung by rung: a store named, then entities and a reason, then keys for the
main queries, then the scale and what the store costs; an argued database choice with nothing in it stays low."""

from __future__ import annotations

from core.content.problems import ProblemBank
from core.content.rubrics import Rubric
from core.evaluation.data_model_rung import ModelEvidence, model_note, rung
from tests.unit.evaluation.shortener_interview import score_of

NONE = ModelEvidence(
    store=False, entities=False, justified=False, keys=False, queries=False, tradeoff=False, scale=False
)


def said(**shown: bool) -> ModelEvidence:
    return ModelEvidence(**{**NONE.__dict__, **shown})


def test_each_rung_needs_the_ones_below_it() -> None:
    assert rung(NONE) == 1.0
    assert rung(said(store=True, justified=True, tradeoff=True)) == 2.0  # names a database, nothing in it
    assert rung(said(store=True, entities=True)) == 2.5
    assert rung(said(store=True, entities=True, justified=True)) == 3.0
    assert rung(said(store=True, entities=True, justified=True, keys=True)) == 3.5  # keys, no queries named
    assert rung(said(store=True, entities=True, justified=True, keys=True, queries=True)) == 4.0
    every = said(store=True, entities=True, justified=True, keys=True, queries=True, tradeoff=True, scale=True)
    assert rung(every) == 5.0
    assert model_note(every) == ""
    assert model_note(said(store=True)) == (
        "No keys or indexes said for finding the rows. The store was not argued from how the data is read and written. "
    )


PROMPT = "How would you store the data?"
ARGUED_CHOICE = (
    "I'd use Cassandra because it scales horizontally and handles a huge write volume without a single primary. "
    "The trade-off is weaker consistency, but for this system availability matters more than strict ordering."
)
MODEL = (
    "One table, links, with the code as the primary key and the long URL, owner id, created_at and expires_at as "
    "columns, because every redirect is a single lookup by code. A secondary index on owner id serves the query "
    "for a user's own links. 3 TB over five years fits a key-value store partitioned by code; the trade-off is no "
    "joins, which no query here needs."
)


def data_model(bank: ProblemBank, rubric: Rubric, answer: str) -> float:
    return score_of(bank, rubric, "data_model", (PROMPT, answer))


def test_an_argued_database_choice_with_nothing_stored_in_it_is_not_a_data_model(
    bank: ProblemBank, rubric: Rubric
) -> None:
    """Level 2: "names a database without saying why or what goes in it" — here with a why, still nothing in it."""
    choice, model = data_model(bank, rubric, ARGUED_CHOICE), data_model(bank, rubric, MODEL)
    assert choice <= 3.0
    assert model >= 4.0
    assert model - choice >= 1.5

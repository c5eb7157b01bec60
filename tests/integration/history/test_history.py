"""History search, detail, trends and comparison over real SQLite and PostgreSQL databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.pool import NullPool

from core.config import Settings
from core.errors import NotFound, WorkspaceError
from core.evaluation.reviews import override_score, session_scores
from core.history.services import (
    InterviewerOption,
    browse_history,
    candidate_trend,
    compare_sessions,
    interviewer_options,
    search_history,
    session_detail,
)
from core.interview.services import create_interview, end_interview, list_history, send_message, start_interview
from core.models import HistoryQuery, Level, SessionScope, SessionStatus, SortKey
from core.permissions.actor import Actor
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from storage.repositories import history_statements as statements
from storage.repositories.history_statements import Shape
from storage.tables import EvaluationRow, SessionRow
from tests.actors import ADMIN, CANDIDATE
from tests.history_data import CASES, History, build_history, evaluation
from tests.unit.evaluation.test_offline_evaluator import STRONG


@pytest.fixture
def ws(database_url: str, tmp_path: Path) -> Workspace:
    return build_workspace(Settings(database_url=database_url, runtime_dir=tmp_path / "runtime"))


@pytest.fixture
def history(ws: Workspace) -> History:
    return build_history(ws.uow_factory)


@pytest.mark.parametrize(("query", "expected"), [(q, e) for _, q, e in CASES], ids=[name for name, _, _ in CASES])
def test_filters_sorts_and_pages(ws: Workspace, history: History, query: HistoryQuery, expected: list[str]) -> None:
    page = search_history(ws, query)
    assert [s.id for s in page.items] == history.ids(*expected)
    with ws.uow_factory() as uow:
        total = uow.sessions.count_matching(query)
    assert page.total == total
    assert page.pages == max(1, -(-total // query.page_size))


def test_a_candidate_id_matches_exactly(ws: Workspace, history: History) -> None:
    ada = history.candidates["ada"]
    assert [s.id for s in search_history(ws, HistoryQuery(candidate=ada)).items] == history.ids("s2", "s1")
    assert [s.id for s in search_history(ws, HistoryQuery(candidate_id=ada)).items] == history.ids("s2", "s1")
    assert search_history(ws, HistoryQuery(candidate=ada[:8])).total == 0  # ids are not searched by prefix


def test_rows_carry_what_the_table_shows(ws: Workspace, history: History) -> None:
    rows = {s.id: s for s in search_history(ws, HistoryQuery()).items}
    s2 = rows[history.sessions["s2"]]
    assert (s2.candidate_name, s2.candidate_id) == ("Ada Lovelace", history.candidates["ada"])
    assert (s2.interviewer_provider, s2.interviewer_model) == ("openai", "gpt-4o")
    assert s2.overall_score == 2.0 and s2.status is SessionStatus.COMPLETED
    assert s2.duration_seconds == 30 * 60
    s6 = rows[history.sessions["s6"]]
    assert s6.candidate_name is None and s6.candidate_id is None
    assert rows[history.sessions["s5"]].overall_score is None


def test_pages_count_and_a_page_past_the_end_shows_the_last(ws: Workspace, history: History) -> None:
    first = search_history(ws, HistoryQuery(page_size=4))
    assert (first.total, first.page, first.pages, len(first.items)) == (6, 1, 2, 4)
    beyond = search_history(ws, HistoryQuery(page=9, page_size=4))
    assert beyond.page == 2 and [s.id for s in beyond.items] == history.ids("s2", "s1")
    nothing = search_history(ws, HistoryQuery(candidate="nobody", page=3))
    assert (nothing.items, nothing.total, nothing.page, nothing.pages) == ([], 0, 1, 1)
    by_name = search_history(ws, HistoryQuery(candidate="a", sort=SortKey.SCORE, page=9, page_size=2))
    assert (by_name.total, by_name.page, by_name.pages, by_name.first) == (5, 3, 3, 5)
    assert [s.id for s in by_name.items] == history.ids("s4")


def test_queries_alike_share_one_statement_and_each_runs_with_its_own_values(ws: Workspace, history: History) -> None:
    """Statements are built once per shape of query (history_statements); a value must never stick to one."""
    love, alan = HistoryQuery(candidate="love", sort=SortKey.SCORE), HistoryQuery(candidate="alan", sort=SortKey.SCORE)
    assert statements.counted_page(Shape.of(love)) is statements.counted_page(Shape.of(alan))
    low, high = HistoryQuery(score_min=1.0), HistoryQuery(score_min=4.0)
    assert statements.page(Shape.of(low)) is statements.page(Shape.of(high))
    assert [s.id for s in search_history(ws, love).items] == history.ids("s1", "s2")
    assert [s.id for s in search_history(ws, alan).items] == history.ids("s3", "s4")
    assert search_history(ws, high).total == 1
    assert search_history(ws, low).total == 4
    assert search_history(ws, HistoryQuery(candidate="_")).total == 0  # LIKE's one-character wildcard is literal


def test_every_interview_is_counted_from_the_tally_triggers_keep_and_from_the_sessions_without_it(
    ws: Workspace, history: History
) -> None:
    """An unfiltered count reads the one row the database's triggers keep, whichever way sessions come and go;
    with the row gone, the sessions are counted."""
    everything = HistoryQuery(scope=SessionScope(everything=True))
    assert search_history(ws, everything).total == 6
    with ws.uow_factory() as uow:
        uow.sessions.delete(history.sessions["s1"])
        uow.commit()
    engine = create_engine(ws.settings.effective_database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:  # written past the repository, as bench/history.py fills a database
            s2 = select(SessionRow.__table__).where(SessionRow.id == history.sessions["s2"])  # completed
            template = dict(connection.execute(s2).mappings().one())
            connection.execute(insert(SessionRow), [{**template, "id": f"bulk-{n}"} for n in range(3)])
        assert [search_history(ws, q).total for q in (everything, HistoryQuery())] == [8, 8]
        with ws.uow_factory() as uow:
            assert uow.sessions.count() == 8 and uow.sessions.count_matching(HistoryQuery()) == 8
        with engine.begin() as connection:
            assert connection.execute(text("SELECT sessions FROM session_tally")).scalar_one() == 8
            connection.execute(text("UPDATE session_tally SET sessions = 100"))  # the row is what is read
        assert search_history(ws, everything).total == 100
        assert search_history(ws, HistoryQuery(statuses=(SessionStatus.COMPLETED,))).total == 6  # filtered: counted
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM session_tally"))
        assert search_history(ws, everything).total == 8
        with ws.uow_factory() as uow:
            assert uow.sessions.count() == 8
    finally:
        engine.dispose()


def test_a_page_of_every_interview_or_of_a_name_comes_with_its_count_in_one_statement(
    ws: Workspace, history: History
) -> None:
    """The tally rides along with a page of everything; a name's count is read with its page. A page past the end
    is counted apart, to find the last page."""
    with ws.uow_factory() as uow:
        engine = uow.sessions._session.get_bind()
    ran: list[str] = []

    def keep(conn: object, cursor: object, statement: str, *args: object) -> None:
        ran.append(statement)

    def statements_for(query: HistoryQuery) -> tuple[int, int]:
        ran.clear()
        total = search_history(ws, query).total
        return len(ran), total

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert statements_for(HistoryQuery(scope=SessionScope(everything=True))) == (1, 6)
        assert statements_for(HistoryQuery(candidate="love", sort=SortKey.SCORE)) == (1, 2)
        assert statements_for(HistoryQuery(problem_ids=("url_shortener",))) == (2, 3)  # counted by its index
        many, total = statements_for(HistoryQuery(page=9, page_size=4))
        assert many > 1 and total == 6
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def test_bad_queries_are_refused_with_a_reason() -> None:
    with pytest.raises(WorkspaceError, match="page holds"):
        HistoryQuery(page_size=0)
    with pytest.raises(WorkspaceError, match="from 1"):
        HistoryQuery(page=0)
    with pytest.raises(WorkspaceError, match="above the highest"):
        HistoryQuery(score_min=4.0, score_max=3.0)


def test_interviewer_choices_are_the_distinct_providers_and_models(ws: Workspace, history: History) -> None:
    assert interviewer_options(ws) == [
        InterviewerOption("anthropic", "claude"),
        InterviewerOption("offline", None),
        InterviewerOption("openai", "gpt-4o"),
        InterviewerOption("openai", "gpt-4o-mini"),
    ]
    assert [o.label for o in interviewer_options(ws)][:2] == ["anthropic · claude", "offline"]


def test_interviewer_choices_follow_interviews_as_they_are_added_moved_and_deleted(
    ws: Workspace, history: History
) -> None:
    def choices() -> list[tuple[str, str | None]]:
        return [(o.provider, o.model) for o in interviewer_options(ws)]

    claude, mini = history.sessions["s4"], history.sessions["s3"]
    with ws.uow_factory() as uow:
        uow.sessions.delete(claude)  # anthropic's only interview
        moved = uow.sessions.get(mini)
        moved.interviewer_provider, moved.interviewer_model = "offline", None  # gpt-4o-mini's only one
        uow.sessions.update(moved)
        uow.commit()
    assert choices() == [("offline", None), ("openai", "gpt-4o")]
    with ws.uow_factory() as uow:
        uow.sessions.delete(history.sessions["s1"])  # offline still runs s5, s6 and the moved s3
        added = uow.sessions.get(history.sessions["s5"])
        added.id, added.interviewer_provider, added.interviewer_model = "s7", "llama", "qwen2.5:3b"
        uow.sessions.add(added)
        uow.commit()
    assert choices() == [("llama", "qwen2.5:3b"), ("offline", None), ("openai", "gpt-4o")]
    with ws.uow_factory() as uow:
        blue = uow.sessions.get(history.sessions["s2"])
        blue.team = "blue"
        uow.sessions.update(blue)
        uow.commit()
    team_only = interviewer_options(ws, scope=SessionScope(team="blue"))  # read from the team's own interviews
    assert [(o.provider, o.model) for o in team_only] == [("openai", "gpt-4o")]


def test_browsing_hands_the_filters_the_choices_and_returns_the_page_they_ask_for(
    ws: Workspace, history: History
) -> None:
    everyone = SessionScope(everything=True)
    handed: list[list[InterviewerOption]] = []

    def offline_only(choices: list[InterviewerOption]) -> HistoryQuery:
        handed.append(choices)
        return HistoryQuery(interviewer_provider="offline")

    choices, page = browse_history(ws, offline_only, scope=everyone)
    assert handed == [choices] and choices == interviewer_options(ws)
    assert page is not None and [s.id for s in page.items] == history.ids("s6", "s5", "s1") and page.first == 1
    _, second = browse_history(ws, lambda _: HistoryQuery(page=2, page_size=4), scope=everyone)
    assert second is not None and second.first == 5 and [s.id for s in second.items] == history.ids("s2", "s1")
    assert browse_history(ws, lambda c: HistoryQuery() if c else None, scope=SessionScope()) == ([], None)


def test_the_old_list_still_works(ws: Workspace, history: History) -> None:
    summaries, total = list_history(ws, limit=2, statuses=[SessionStatus.COMPLETED])
    assert total == 4 and [s.id for s in summaries] == history.ids("s6", "s3")


def test_session_detail_gathers_everything_with_snapshots_in_time_order(ws: Workspace, history: History) -> None:
    detail = session_detail(ws, history.sessions["s1"], actor=CANDIDATE)
    assert detail.title == "Design a URL Shortener" and detail.problem is not None
    assert detail.candidate is not None and detail.candidate.name == "Ada Lovelace"
    assert [m.content for m in detail.messages] == ["Welcome to Design a URL Shortener.", "How many users?"]
    assert [e.text for e in detail.transcript] == ["We need a cache."]
    assert [len(s.fabric_json["objects"]) for s in detail.snapshots] == [1, 2, 3]
    assert detail.evaluation is not None and detail.evaluation.overall_score == 4.5
    assert detail.media == []
    with pytest.raises(NotFound):
        session_detail(ws, "no-such-session", actor=CANDIDATE)


def test_a_candidates_trend_lists_evaluated_attempts_oldest_first(ws: Workspace, history: History) -> None:
    ada = candidate_trend(ws, history.candidates["ada"])
    assert ada.candidate.name == "Ada Lovelace"
    assert [(a.number, a.session_id, a.overall_score) for a in ada.attempts] == [
        (1, history.sessions["s1"], 4.5),
        (2, history.sessions["s2"], 2.0),
    ]
    assert ada.competencies == {"requirements": "Requirements", "scalability": "Scalability"}
    assert [a.scores for a in ada.attempts] == [
        {"requirements": 4.5, "scalability": 3.5},
        {"requirements": 2.0, "scalability": 1.0},
    ]
    assert [a.session_id for a in candidate_trend(ws, history.candidates["alan"]).attempts] == history.ids("s3")
    assert candidate_trend(ws, history.candidates["grace"]).attempts == []


def test_two_sessions_compare_per_competency(ws: Workspace, history: History) -> None:
    comparison = compare_sessions(ws, history.sessions["s1"], history.sessions["s2"], actor=CANDIDATE)
    assert (comparison.overall.a, comparison.overall.b, comparison.overall.delta) == (4.5, 2.0, -2.5)
    assert [(r.key, r.a, r.b, r.delta) for r in comparison.competencies] == [
        ("requirements", 4.5, 2.0, -2.5),
        ("scalability", 3.5, 1.0, -2.5),
    ]
    unscored = compare_sessions(ws, history.sessions["s1"], history.sessions["s5"], actor=CANDIDATE)
    assert unscored.overall.b is None and unscored.overall.delta is None
    assert [(r.a, r.b, r.delta) for r in unscored.competencies] == [(4.5, None, None), (3.5, None, None)]


@pytest.mark.skipif(
    not EvaluationRow.__table__.c.overall_score.nullable,
    reason="evaluations.overall_score cannot be empty yet (the evaluator's quality gate adds that)",
)
def test_an_evaluation_without_an_overall_score_counts_as_unscored(ws: Workspace, history: History) -> None:
    with ws.uow_factory() as uow:
        uow.evaluations.add(evaluation(history.sessions["s5"], None))
        uow.commit()
    assert history.sessions["s5"] not in [s.id for s in search_history(ws, HistoryQuery(score_min=0.0)).items]
    by_score = search_history(ws, HistoryQuery(sort=SortKey.SCORE)).items
    assert [s.id for s in by_score][-2:] == history.ids("s5", "s4")


def test_the_score_history_sorts_by_is_the_evaluators_from_the_end_of_the_interview_on(
    ws: Workspace, history: History
) -> None:
    """History lists, sorts and filters by the overall score the evaluator gave, as it always has: a reviewer's
    override changes the report's score, not History's; a deleted interview leaves History whole."""

    def by_score() -> list[tuple[str, float | None]]:
        return [(s.id, s.overall_score) for s in search_history(ws, HistoryQuery(sort=SortKey.SCORE)).items]

    before = by_score()
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in STRONG:
        send_message(ws, session.id, line, actor=CANDIDATE)
    evaluation = end_interview(ws, session.id, actor=CANDIDATE)
    score = evaluation.overall_score
    assert score is not None

    ranked = by_score()
    assert (session.id, score) in ranked and sorted(ranked, key=lambda pair: pair[0]) == sorted(
        [*before, (session.id, score)], key=lambda pair: pair[0]
    )
    scores = [s for _, s in ranked if s is not None]
    assert scores == sorted(scores, reverse=True) and ranked[len(scores) :] == before[-2:]  # unscored stay last
    exact = search_history(ws, HistoryQuery(score_min=score, score_max=score)).items  # others may share the score
    assert session.id in [s.id for s in exact] and {s.overall_score for s in exact} == {score}

    competency = evaluation.competencies[0]
    override_score(
        ws,
        session.id,
        competency.key,
        1.0 if competency.score != 1.0 else 5.0,
        "Re-read the transcript.",
        actor=Actor.workspace("Ana"),
    )
    adjusted = session_scores(ws, session.id, actor=ADMIN)
    assert adjusted is not None and adjusted.overall != score
    assert by_score() == ranked

    with ws.uow_factory() as uow:
        uow.sessions.delete(session.id)
        uow.commit()
    assert by_score() == before
    assert search_history(ws, HistoryQuery(score_min=score, score_max=score)).total == len(exact) - 1


@pytest.mark.parametrize("backend", ["sqlite"])  # the plan of a database without statistics: a new SQLite file's
def test_by_candidate_a_new_sqlite_file_reads_names_in_order_not_every_interview(
    ws: Workspace, history: History
) -> None:
    """SQLite without statistics (every new workspace) used to scan and sort every interview for one page by
    candidate; the page's query reads candidates by their name index and stops after a page."""
    with ws.uow_factory() as uow:
        engine = uow.sessions._session.get_bind()
    seen: list[tuple[str, object]] = []

    def keep(conn: object, cursor: object, statement: str, parameters: object, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT SESSIONS.ID") and "candidates.name" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        search_history(ws, HistoryQuery(sort=SortKey.CANDIDATE, descending=False))
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert seen, "no page query by candidate name ran"
    statement, parameters = seen[0]
    with engine.connect() as connection:
        steps = [
            (row[0], row[1], row[-1])
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    # The page's ids are chosen in a subquery; the statement around it reads and orders that page's rows alone.
    [choosing] = [node for node, _, detail in steps if detail.startswith("LIST SUBQUERY")]
    inner, plan = {choosing}, " | ".join(detail for *_, detail in steps)
    for node, parent, _ in steps:
        if parent in inner:
            inner.add(node)
    chosen_by = [detail for node, _, detail in steps if node in inner]
    assert "SCAN candidates USING INDEX ix_candidates_name" in chosen_by, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in chosen_by, plan  # at most the right part, within one name

"""The Evaluation page under AppTest: the quality gate's message, reviewer overrides, evidence links, exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.llm_choice import usage_line
from components.plain_text import plain
from core.accounts.services import find_account
from core.config import ProviderSettings, Settings
from core.evaluation.offline_evaluator import OfflineEvaluator
from core.evaluation.reviews import list_overrides
from core.evaluation.utterances import evaluation_utterances
from core.interview.services import create_interview, end_interview, send_message, start_interview, usage_summary
from core.llm.providers import LLMChoice
from core.models import Level, TranscriptEntry
from core.whiteboard.snapshots import save_snapshot
from core.workspace import Workspace
from entry.bootstrap import build_workspace
from tests.actors import ADMIN, CANDIDATE
from tests.integration.interview.test_llm_interviews import BOARD, PNG, READING, llm_report
from tests.llm_fakes import OpenAIServer, Reply
from tests.ui.conftest import ADMIN_EMAIL, AppFactory, assert_clean, rendered_text
from tests.unit.evaluation.test_offline_evaluator import STRONG

ESTIMATION = "Back-of-the-envelope estimation"


@pytest.fixture
def ws(app_env: pytest.MonkeyPatch, runtime_dir: Path) -> Workspace:
    return build_workspace(Settings(runtime_dir=runtime_dir))


def completed(ws: Workspace, lines: list[str]) -> str:
    session = create_interview(ws, problem_id="url_shortener", level=Level.MID, actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    for line in lines:
        send_message(ws, session.id, line, actor=CANDIDATE)
    end_interview(ws, session.id, actor=CANDIDATE)
    return session.id


def open_evaluation(new_app: AppFactory, session_id: str, **params: str) -> AppTest:
    at = new_app()
    at.query_params["session"] = session_id
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/evaluation.py").run()
    assert_clean(at)
    return at


def metric(at: AppTest, label: str) -> str:
    return {m.label: m.value for m in at.metric}[label]


def test_too_little_text_shows_not_enough_to_judge(ws: Workspace, new_app: AppFactory) -> None:
    session_id = completed(ws, ["I'd use a cache."])
    at = open_evaluation(new_app, session_id)
    assert metric(at, "Overall score") == "Not scored"
    assert any(w.value.startswith("Not enough to judge") for w in at.warning)
    table = at.dataframe[0].value
    assert set(table["Score"]) == {"not scored"}


def test_a_reviewer_adjusts_a_score_and_both_are_shown(ws: Workspace, new_app: AppFactory) -> None:
    session_id = completed(ws, STRONG)
    at = open_evaluation(new_app, session_id)
    original_overall = metric(at, "Overall score")
    expander = next(e for e in at.expander if e.label.startswith(ESTIMATION))
    original = expander.label.split(" — ")[1]

    # No justification: refused, nothing stored.
    at.number_input(key="adjust_score_estimation").set_value(1.0)
    next(e for e in at.expander if e.label.startswith(ESTIMATION)).button[0].click().run()
    assert_clean(at)
    assert any("justification is required" in e.value for e in at.error)
    assert list_overrides(ws, session_id, actor=ADMIN) == []

    at.number_input(key="adjust_score_estimation").set_value(1.0)
    at.text_area(key="adjust_reason_estimation").set_value("The numbers were read off the prompt.")
    next(e for e in at.expander if e.label.startswith(ESTIMATION)).button[0].click().run()
    assert_clean(at)
    assert any("set to 1.0" in s.value for s in at.success)
    [override] = list_overrides(ws, session_id, actor=ADMIN)
    admin = find_account(ws, ADMIN_EMAIL)
    assert (override.new_score, override.reviewer) == (1.0, admin.audit_name)  # the signed-in reviewer
    assert any(admin.name in m.value for m in next(e for e in at.expander if e.label.startswith(ESTIMATION)).markdown)

    expander = next(e for e in at.expander if e.label.startswith(ESTIMATION))
    assert expander.label == f"{ESTIMATION} — 1.0 (evaluator: {original})"
    assert any("The numbers were read off the prompt." in m.value for m in expander.markdown)
    assert metric(at, "Overall score") != original_overall
    assert any("Evaluator's original: " + original_overall.split(" /")[0] in c.value for c in at.caption)
    row = at.dataframe[0].value.set_index("Competency").loc[ESTIMATION]
    assert (row["Score"], row["Evaluator's score"]) == ("1.0", original)


def test_evidence_links_open_the_transcript_at_their_time(ws: Workspace, new_app: AppFactory) -> None:
    session_id = completed(ws, STRONG[:8])
    at = open_evaluation(new_app, session_id)
    assert f"evaluation?session={session_id}&at=" in rendered_text(at)
    assert [s.value for s in at.subheader][-4:] == ["Communication analysis", "Transcript", "Export", "Model usage"]
    free = "The offline engine ran this interview and its evaluation on this machine — free: no tokens, no cost."
    assert free in [c.value for c in at.caption], "the offline engine's usage line: it costs nothing"
    measures = set(at.dataframe[1].value["Measure"])
    assert {"Speaking pace", "Filler words", "Talk ratio (candidate share of words)", "Modes used"} <= measures

    near = open_evaluation(new_app, session_id, at="0")
    assert any(c.value.startswith("Around 00:00") for c in near.caption)
    assert STRONG[0] in rendered_text(near)
    next(b for b in near.button if b.label == "Show the whole transcript").click().run()
    assert_clean(near)
    assert "at" not in near.query_params


@pytest.mark.parametrize("moment", ["nan", "inf", "-inf", "-1e400", "1e400", "-5", "99999999", "soon", ""])
def test_a_moment_that_is_none_of_the_session_shows_the_whole_transcript(
    ws: Workspace, new_app: AppFactory, moment: str
) -> None:
    """?at=nan, inf and -1e400 crashed the page; they (and negative times, times past the end, words) are ignored."""
    session_id = completed(ws, STRONG[:3])
    at = open_evaluation(new_app, session_id, at=moment)  # open_evaluation asserts no exception
    assert not any(c.value.startswith("Around") for c in at.caption)
    assert any(e.label.startswith("The whole transcript") for e in at.expander)


def test_the_whiteboard_section_shows_the_drawing_and_the_models_reading(
    app_env: pytest.MonkeyPatch, runtime_dir: Path, new_app: AppFactory
) -> None:
    """An OpenAI-evaluated interview with a drawing: the board is cited under the competencies it credits, and the
    Whiteboard section shows the offline reading next to the model's reading of the picture."""
    with OpenAIServer(api_key="sk-ui-fake", models=["gpt-test"]) as server:
        ws = build_workspace(
            Settings(
                runtime_dir=runtime_dir,
                providers={
                    "openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url),
                    "anthropic": ProviderSettings(models=["claude-test"]),
                    "openai_compatible": ProviderSettings(models=["local"], base_url=server.base_url),
                },
            )
        )
        session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
        start_interview(ws, session.id, actor=CANDIDATE)
        for line in STRONG[:8]:
            send_message(ws, session.id, line, actor=CANDIDATE)
        save_snapshot(ws, session.id, BOARD, PNG, actor=CANDIDATE)
        server.script(
            Reply(text=json.dumps(READING)), *[Reply(text=llm_report(ws, "Whiteboard: API servers → Redis"))] * 3
        )
        end_interview(ws, session.id, llm=LLMChoice("openai", "gpt-test", "sk-ui-fake"), actor=CANDIDATE)

    at = open_evaluation(new_app, session.id)
    assert [s.value for s in at.subheader].count("Whiteboard") == 1
    text = rendered_text(at)
    assert "Read from the drawing" in text and "On the board: load balancer, api server, cache" in text
    assert "reading of the picture" in text and "(gpt-test)" in text
    assert READING["summary"] in text and "no CDN in front of the redirects" in text
    scalability = next(e for e in at.expander if e.label.startswith("Scalability"))
    # the model's quote is shown as text: its ":" escaped so Markdown reads no directive in it
    assert any(plain("Whiteboard: API servers → Redis") in m.value for m in scalability.markdown)


def test_an_llm_evaluation_shows_its_samples_spread_and_a_disagreement_with_the_offline_reader(
    app_env: pytest.MonkeyPatch, runtime_dir: Path, new_app: AppFactory
) -> None:
    """Three OpenAI answers: each competency shows "3 samples, spread …"; a median far from the offline reader's
    score is a note on the page."""
    with OpenAIServer(api_key="sk-ui-fake", models=["gpt-test"]) as server:
        ws = build_workspace(
            Settings(
                runtime_dir=runtime_dir,
                providers={
                    "openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url),
                    "anthropic": ProviderSettings(models=["claude-test"]),
                    "openai_compatible": ProviderSettings(models=["local"], base_url=server.base_url),
                },
            )
        )
        session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
        start_interview(ws, session.id, actor=CANDIDATE)
        for line in STRONG[:8]:
            send_message(ws, session.id, line, actor=CANDIDATE)
        offline = OfflineEvaluator(ws.rubric("system_design"), ws.problems.get("url_shortener"))
        with ws.uow_factory() as uow:
            utterances = evaluation_utterances(uow.sessions.get(session.id), uow.messages.in_session(session.id), [])
        estimation = next(
            c.score for c in offline.evaluate(session.id, utterances).competencies if c.key == "estimation"
        )
        assert estimation is not None
        far = 5.0 if estimation <= 3.0 else 1.0
        server.script(*[Reply(text=scored_report(ws, score, far)) for score in (2.0, 3.5, 3.0)])
        end_interview(ws, session.id, llm=LLMChoice("openai", "gpt-test", "sk-ui-fake"), actor=CANDIDATE)

    at = open_evaluation(new_app, session.id)
    table = at.dataframe[0].value
    samples = dict(zip(table["Competency"], table["Samples"], strict=True))
    assert samples["Scalability"] == "3 samples, spread 1.5" and samples[ESTIMATION] == "3 samples, spread 0.0"
    scalability = next(e for e in at.expander if e.label.startswith("Scalability"))
    assert scalability.label == "Scalability — 3.0 (3 samples, spread 1.5)"
    flag = f"LLM and offline reader disagree on {ESTIMATION}: {far:.1f} vs {estimation:.1f} — check the evidence."
    assert flag in [i.value for i in at.info]


def scored_report(ws: Workspace, score: float, estimation: float) -> str:
    """An evaluation answer scoring every competency `score`, except estimation."""
    return json.dumps(
        {
            "competencies": [
                {
                    "key": c.key,
                    "score": estimation if c.key == "estimation" else score,
                    "confidence": 0.7,
                    "rationale": f"About {c.name}.",
                    "evidence": [],
                }
                for c in ws.rubric("system_design").competencies
            ],
            "improvement_plan": [{"title": "Estimate", "detail": "Practise QPS maths.", "resources": []}],
        }
    )


def test_an_evaluation_from_the_answer_cache_says_so_with_the_usage(
    app_env: pytest.MonkeyPatch, runtime_dir: Path, new_app: AppFactory
) -> None:
    """The same spoken interview evaluated twice: the first run's three answers are asked and kept, the second's
    all come from the cache at no cost, and the Model usage section and the interview's usage line say so."""
    with OpenAIServer(api_key="sk-ui-fake", models=["gpt-test"]) as server:
        ws = build_workspace(
            Settings(
                runtime_dir=runtime_dir,
                providers={
                    "openai": ProviderSettings(models=["gpt-test"], base_url=server.base_url),
                    "anthropic": ProviderSettings(models=["claude-test"]),
                    "openai_compatible": ProviderSettings(models=["local"], base_url=server.base_url),
                },
            )
        )
        choice = LLMChoice("openai", "gpt-test", "sk-ui-fake")
        server.script(*[Reply(text=scored_report(ws, score, 3.0)) for score in (2.0, 3.5, 3.0)])
        first = spoken_interview(ws, STRONG[:8])
        end_interview(ws, first, llm=choice, actor=CANDIDATE)
        again = spoken_interview(ws, STRONG[:8])
        end_interview(ws, again, llm=choice, actor=CANDIDATE)
        assert len(server.requests) == 3, "the second evaluation sent nothing"

    asked = open_evaluation(new_app, first)
    row = asked.dataframe[-1].value.set_index("Operation").loc["evaluation"]
    assert row["From the cache"] == "none of 3 model answers from the cache"
    cached = open_evaluation(new_app, again)
    row = cached.dataframe[-1].value.set_index("Operation").loc["evaluation"]
    assert (row["Input tokens"], row["Output tokens"], row["Cost (USD)"]) == (0, 0, 0.0)
    assert row["From the cache"] == "3 of 3 model answers from the cache"
    total = "Total: 0 tokens · $0.0000 (no price in config for gpt-test) · 3 of 3 model answers from the cache"
    assert total in [c.value for c in cached.caption]
    with ws.uow_factory() as uow:
        session = uow.sessions.get(again)
    line = usage_line(session, usage_summary(ws, again, actor=CANDIDATE))
    assert line == "OpenAI gpt-test · 0 tokens · $0.0000 + price unknown · 3 of 3 model answers from the cache"


def spoken_interview(ws: Workspace, lines: list[str]) -> str:
    """An interview whose answers were spoken: its transcript holds `lines`, each 20 s after the one before."""
    session = create_interview(ws, problem_id="url_shortener", provider="openai", model="gpt-test", actor=CANDIDATE)
    start_interview(ws, session.id, actor=CANDIDATE)
    with ws.uow_factory() as uow:
        for i, line in enumerate(lines):
            uow.transcripts.add(TranscriptEntry(session.id, "candidate", line, 20.0 * i + 5, 20.0 * i + 15))
        uow.commit()
    return session.id

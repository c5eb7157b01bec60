"""`python -m core …` as a user runs it: a real process, a real database, plain output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "IW_RUNTIME_DIR": str(tmp_path)}


def test_demo_then_list_show_export_and_evaluate(env: dict[str, str], tmp_path: Path) -> None:
    assert run("db", "upgrade", env=env).returncode == 0
    demo = run("demo", env=env)
    assert demo.returncode == 0 and "added 3 sample interviews" in demo.stdout
    again = run("demo", env=env)
    assert "only added to an empty database" in again.stdout

    listed = json.loads(run("sessions", "list", "--json", env=env).stdout)
    assert len(listed) == 3
    dates = [row["created_at"] for row in listed]
    assert dates == sorted(dates, reverse=True)
    table = run("sessions", "list", env=env).stdout
    assert "3 of 3 interviews" in table and "Priya Raman" in table

    strong = next(row for row in listed if row["candidate_name"] == "Priya Raman")
    weak = next(row for row in listed if row["candidate_name"] == "Marco Bianchi")
    assert strong["overall_score"] > weak["overall_score"]  # reasoning beats a list of buzzwords

    shown = json.loads(run("sessions", "show", strong["id"], env=env).stdout)
    assert shown["session"]["status"] == "completed" and shown["evaluation"]["overall_score"] == strong["overall_score"]

    exported = run("sessions", "export", strong["id"], env=env)
    transcript = tmp_path / "priya.json"
    transcript.write_text(exported.stdout, encoding="utf-8")
    assert json.loads(exported.stdout)["problem"] == "url_shortener"
    evaluated = json.loads(run("evaluate", str(transcript), env=env).stdout)
    assert evaluated["overall_score"] == pytest.approx(strong["overall_score"], abs=0.05)
    assert {c["key"] for c in evaluated["competencies"]} >= {"requirements", "estimation", "communication"}

    archive_path = tmp_path / "priya.zip"
    zipped = run("sessions", "export", strong["id"], "--zip", str(archive_path), env=env)
    assert zipped.returncode == 0 and f"wrote {archive_path}" in zipped.stdout
    with zipfile.ZipFile(archive_path) as archive:
        assert {"chat.json", "transcript.json", "evaluation.json", "report.md", "report.pdf"} <= set(archive.namelist())
        assert json.loads(archive.read("evaluation.json"))["evaluation"]["overall_score"] == strong["overall_score"]


def test_errors_are_one_line_without_traceback(env: dict[str, str], tmp_path: Path) -> None:
    missing = run("sessions", "show", "nope", env=env)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "nope" in missing.stderr

    bad = tmp_path / "bad.json"
    bad.write_text('{"entries": [{"speaker": "robot", "text": "hi", "start": 0, "end": 1}]}', encoding="utf-8")
    result = run("evaluate", str(bad), env=env)
    assert result.returncode == 2 and "speaker" in result.stderr and "Traceback" not in result.stderr

    bad.write_text("{not json", encoding="utf-8")
    result = run("evaluate", str(bad), env=env)
    assert result.returncode == 2 and "not valid JSON" in result.stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_database_that_is_down_gives_a_clear_message(env: dict[str, str]) -> None:
    env = {**env, "DATABASE_URL": "postgresql://postgres:s3cret@127.0.0.1:1/test"}
    result = run("sessions", "list", env=env)
    assert result.returncode == 2
    assert "Cannot reach the database" in result.stderr and "127.0.0.1:1" in result.stderr
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def interview(*args: str, env: dict[str, str], answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core", "interview", *args],
        cwd=ROOT, env=env, input=answers, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_interview_offline_is_stored_like_the_ui(env: dict[str, str]) -> None:
    result = interview(
        "--problem", "url_shortener", "--level", "senior", env=env,
        answers="How many new links are created per day?\n\nUsers shorten links and get redirected.\n/end\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Interviewer:" in result.stdout and "100 million" in result.stdout
    assert "--- Evaluation ---" in result.stdout and "Overall:" in result.stdout
    listed = json.loads(run("sessions", "list", "--json", env=env).stdout)
    assert listed[0]["status"] == "completed" and listed[0]["problem_id"] == "url_shortener"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_interview_with_openai_streams_and_checks_the_key_first(env: dict[str, str]) -> None:
    from tests.llm_fakes import OpenAIServer, Reply

    key = "sk-cli-fake-key-01"
    with OpenAIServer(api_key=key, models=["gpt-cli"]) as server:
        llm_env = {
            **env,
            "IW_PROVIDERS__OPENAI__BASE_URL": server.base_url,
            "IW_PROVIDERS__OPENAI__MODELS": '["gpt-cli"]',
            "OPENAI_API_KEY": "sk-wrong-00000000",
        }
        refused = interview("--provider", "openai", env=llm_env, answers="hello\n")
        assert refused.returncode == 2 and "rejected the API key" in refused.stderr
        assert "sk-wrong" not in refused.stderr + refused.stdout
        assert json.loads(run("sessions", "list", "--json", env=env).stdout) == []  # nothing was started

        server.default = Reply(text="Noted. What read latency do you target at p99?", input_tokens=50)
        result = interview(
            "--provider", "openai", "--problem", "url_shortener", env={**llm_env, "OPENAI_API_KEY": key},
            answers="Users shorten links.\n/end\n",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "openai (gpt-cli) interviewer" in result.stdout
    assert "Interviewer: Noted. What read latency do you target at p99?" in result.stdout
    shown = json.loads(
        run("sessions", "show", json.loads(run("sessions", "list", "--json", env=env).stdout)[0]["id"], env=env).stdout
    )
    assert shown["session"]["interviewer_provider"] == "openai" and shown["session"]["interviewer_model"] == "gpt-cli"


SELF_HOSTED_ANSWERS = [
    "Users paste a long URL and get a short link back; opening the short link redirects them to the original.",
    "Redirects must be fast, under 100 ms at p99, and highly available, since a dead short link is public. "
    "Writes are rare compared with reads, so a cache in front of the database takes most of the redirect load.",
    "I would store each link with a base62 key generated from a counter, so keys never collide.",
]  # enough words for the evaluation's quality gate, so the model is asked to evaluate


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_interview_on_a_self_hosted_server_shows_notes_and_usage_and_no_log_lines(
    env: dict[str, str], tmp_path: Path
) -> None:
    from tests.llm_fakes import Error, OpenAIServer, Reply

    gguf = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    with OpenAIServer(models=[gguf], any_model_name=True, model_lookup=False) as server:  # like llama.cpp's
        server.script(
            Reply(text="OK"),  # the check, with config's model name
            Reply(text="OK"),  # the probe, with a made-up one
            Reply(text="Noted. What read latency do you target at p99?", input_tokens=50, output_tokens=9),
            Error(400, message="the request exceeds the available context size, try increasing it"),
            Reply(text="How would you generate the keys?", input_tokens=60, output_tokens=7),
        )
        server.default = Reply(text="Overall a decent start.")  # an evaluation, if asked: prose, not the JSON asked for
        llm_env = {
            **env,
            "IW_PROVIDERS__OPENAI_COMPATIBLE__MODELS": '["llama3.1"]',
            "IW_EVALUATION_SAMPLES": "1",
            "OPENAI_COMPATIBLE_API_KEY": "",
        }
        result = interview(
            "--provider", "openai-compatible", "--base-url", f" {server.base_url}/ ", "--problem", "url_shortener",
            env=llm_env, answers="\n".join([*SELF_HOSTED_ANSWERS, "/end"]) + "\n",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(Warning: This server answers to any model name: it accepted 'llama3.1'" in out and gguf in out
    assert "Interviewer: Noted. What read latency do you target at p99?" in out
    assert "exceeds the available context size" in out and "The offline interviewer answered instead." in out
    lines = out.splitlines()
    assert any(line.startswith("Overall: ") and line.endswith(" / 5") for line in lines)  # scored, and yet…
    assert any(  # whatever the reason (a prompt over the context window, an answer that is no JSON)
        line.startswith("Note: The OpenAI-compatible server evaluator could not be used (")
        and line.endswith("; this evaluation is the offline evaluator's.")
        for line in lines
    )
    usage = next(line for line in lines if line.startswith("Usage: "))
    assert " · free: a server of your own, no price in config · " in usage
    assert usage.endswith(" model answer from the cache")  # how many the answer cache gave (here none)
    assert int(usage.split()[1].replace(",", "")) >= 126  # at least the two replies' 50 + 9 and 60 + 7

    # log lines stay out of the conversation: none on stdout, none on stderr; the file has them, as JSON
    assert result.stderr == ""
    assert not any(line.lstrip().startswith("{") for line in lines)
    logged = [json.loads(line) for line in (tmp_path / "logs" / "workspace.log").read_text().splitlines()]
    assert any(r["message"] == "provider failed, offline reply used" for r in logged)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_interview_offline_says_it_is_free_and_refuses_a_bad_base_url(env: dict[str, str]) -> None:
    result = interview("--problem", "url_shortener", env=env, answers="/end\n")
    assert result.returncode == 0, result.stderr
    assert "Usage: free — the offline engine runs on this machine: no tokens, no cost." in result.stdout

    bad = interview("--provider", "openai-compatible", "--base-url", "localhost:8080/v1", env=env, answers="")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr == (
        "error: The base URL must start with http:// or https://, for example http://localhost:8080/v1.\n"
    )
    wrong = interview("--base-url", "http://localhost:8080/v1", env=env, answers="")
    assert wrong.returncode == 2 and "--base-url is for --provider openai-compatible" in wrong.stderr


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_terminal_interview_without_any_address_says_where_to_set_one(env: dict[str, str]) -> None:
    env = {**env, "IW_PROVIDERS__OPENAI_COMPATIBLE__BASE_URL": ""}
    result = interview("--provider", "openai-compatible", env=env, answers="")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "set its base URL" in result.stderr and "--base-url on the command line" in result.stderr

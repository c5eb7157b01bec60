from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("runtime_dir: rt\ninterview_minutes: 30\n", encoding="utf-8")
    monkeypatch.setenv("IW_CONFIG_FILE", str(path))
    for name in ("DATABASE_URL", "IW_DATABASE_URL", "IW_INTERVIEW_MINUTES", "IW_LOG_LEVEL", "IW_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    return path


def test_defaults_come_from_the_file_and_paths_resolve_beside_it(config_file: Path) -> None:
    settings = load_settings()
    assert settings.interview_minutes == 30
    assert settings.runtime_path == config_file.parent / "rt"
    assert settings.effective_database_url == f"sqlite:///{config_file.parent / 'rt' / 'workspace.db'}"


def test_environment_overrides_every_key(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IW_INTERVIEW_MINUTES", "60")
    monkeypatch.setenv("IW_LOG_LEVEL", "debug")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    settings = load_settings()
    assert settings.interview_minutes == 60
    assert settings.log_level == "DEBUG"
    assert settings.effective_database_url == "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def test_a_bad_value_names_the_key_and_its_variable(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IW_INTERVIEW_MINUTES", "forty")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "'interview_minutes'" in str(info.value)
    assert "IW_INTERVIEW_MINUTES" in str(info.value)


def test_an_unknown_key_in_the_file_is_reported(config_file: Path) -> None:
    config_file.write_text("interview_minuts: 30\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="interview_minuts"):
        load_settings()


def test_an_unsupported_database_is_reported(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/x")
    with pytest.raises(ConfigError, match="database_url"):
        load_settings()


def test_malformed_yaml_is_reported(config_file: Path) -> None:
    config_file.write_text("runtime_dir: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml"):
        load_settings()


def test_transcription_is_offline_unless_chosen(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IW_TRANSCRIPTION__ENGINE", raising=False)
    assert load_settings().transcription.engine == "offline"

    config_file.write_text("transcription:\n  openai_model: gpt-4o-transcribe\n", encoding="utf-8")
    monkeypatch.setenv("IW_TRANSCRIPTION__ENGINE", "OpenAI")
    settings = load_settings()  # the variable and the file's other keys of the section both count
    assert settings.transcription.engine == "openai"
    assert settings.transcription.openai_model == "gpt-4o-transcribe"


def test_a_bad_transcription_engine_names_the_key_and_its_variable(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IW_TRANSCRIPTION__ENGINE", "whisper-cloud")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "'transcription.engine' (env IW_TRANSCRIPTION__ENGINE)" in message
    assert "'offline' or 'openai'" in message


def test_an_unknown_transcription_key_is_reported(config_file: Path) -> None:
    config_file.write_text("transcription:\n  engnie: openai\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"transcription\.engnie"):
        load_settings()


def test_the_ai_budget_has_no_limit_unless_set(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    budget = load_settings().llm_budget
    assert (budget.workspace_limit, budget.person_limit) == (None, None)
    monkeypatch.setenv("IW_LLM_BUDGET__MONTHLY_USD", "50")
    monkeypatch.setenv("IW_LLM_BUDGET__PER_PERSON_USD", "")  # empty: no limit, like 0
    budget = load_settings().llm_budget
    assert (budget.workspace_limit, budget.person_limit) == (50.0, None)
    config_file.write_text("llm_budget: {monthly_usd: 0, per_person_usd: 2.5}\n", encoding="utf-8")
    monkeypatch.delenv("IW_LLM_BUDGET__MONTHLY_USD")
    monkeypatch.delenv("IW_LLM_BUDGET__PER_PERSON_USD")
    budget = load_settings().llm_budget
    assert (budget.workspace_limit, budget.person_limit) == (None, 2.5)


def test_a_negative_budget_or_retention_names_the_key_and_its_variable(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IW_LLM_BUDGET__MONTHLY_USD", "-5")
    monkeypatch.setenv("IW_ACTIVITY__RETENTION_DAYS", "0")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "'llm_budget.monthly_usd' (env IW_LLM_BUDGET__MONTHLY_USD)" in str(info.value)
    assert "'activity.retention_days' (env IW_ACTIVITY__RETENTION_DAYS)" in str(info.value)


def test_reminders_are_24_and_1_hour_before_unless_set_in_the_file_or_the_environment(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IW_NOTIFICATIONS__REMINDERS", raising=False)
    assert load_settings().notifications.reminders == [timedelta(hours=24), timedelta(hours=1)]

    config_file.write_text("notifications:\n  reminders: [30m, 2d, 1h30m, 2d]\n", encoding="utf-8")
    assert load_settings().notifications.reminders == [  # earliest first, each once
        timedelta(days=2),
        timedelta(minutes=90),
        timedelta(minutes=30),
    ]
    for variable, expected in [
        ("24h, 1h", [timedelta(hours=24), timedelta(hours=1)]),
        ('["15m"]', [timedelta(minutes=15)]),
        ("", []),  # set and empty: no reminders
    ]:
        monkeypatch.setenv("IW_NOTIFICATIONS__REMINDERS", variable)
        assert load_settings().notifications.reminders == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("tomorrow", "'tomorrow' is not a duration; write it like 24h, 1h, 30m, 2d or 1h30m"),
        ("90", "'90' is not a duration"),
        ("0m", "each reminder must be between 1m and 30d before the interview"),
        ("31d", "each reminder must be between 1m and 30d before the interview"),
        ("[24h", "must be a list of durations"),
    ],
)
def test_a_bad_reminder_names_the_key_its_variable_and_what_is_accepted(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("IW_NOTIFICATIONS__REMINDERS", value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "'notifications.reminders'" in str(info.value) and "IW_NOTIFICATIONS__REMINDERS" in str(info.value)
    assert says in str(info.value)


def test_a_reminder_without_a_unit_in_the_file_is_refused(config_file: Path) -> None:
    config_file.write_text("notifications:\n  reminders: [60]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="60 has no unit; write it like 24h, 1h, 30m or 2d"):
        load_settings()


def test_the_workspace_zone_is_utc_unless_set_and_must_be_a_zone(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IW_NOTIFICATIONS__TIMEZONE", raising=False)
    assert load_settings().notifications.timezone == "UTC"
    monkeypatch.setenv("IW_NOTIFICATIONS__TIMEZONE", "Europe/Rome")
    assert load_settings().notifications.timezone == "Europe/Rome"
    monkeypatch.setenv("IW_NOTIFICATIONS__TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match=r"IW_NOTIFICATIONS__TIMEZONE.*must be a time zone name, e.g. Europe/Rome"):
        load_settings()

"""Settings: config.yaml defaults, overridden by environment variables, validated at start.

One typed object (FastAPI-template style). A bad value stops start-up with a message that
names the key and the variable that sets it, never a pydantic traceback.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from core.errors import ConfigError
from core.provider_ids import OFFLINE, ProviderId

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "IW_"


def config_file() -> Path:
    """config.yaml beside the project, or the file named by IW_CONFIG_FILE."""
    return Path(os.environ.get("IW_CONFIG_FILE", PROJECT_ROOT / "config.yaml"))


ProviderSection = Literal["openai", "anthropic", "openai_compatible"]
"""The sections under `providers:` (IW_PROVIDERS__<SECTION>__…): config keys, never renamed; a provider id
names its section through core.llm.providers.ProviderInfo.config_key."""


class ProviderSettings(BaseModel):
    models: list[str] = Field(min_length=1)
    base_url: str = ""
    # Whether its models read images (the whiteboard picture at evaluation); None: the provider's default,
    # yes for openai and anthropic, no for openai_compatible (core.llm.providers.vision_capable)
    vision: bool | None = None
    # How long a request may wait for its answer (a streamed one: for each next piece). None: the provider's
    # default (core.llm.providers.timeout_for): request_timeout_seconds for hosted providers, minutes for a
    # local server, which may take that long to read a long prompt on a few CPU cores
    timeout_seconds: float | None = Field(default=None, gt=0, le=3600)
    # Context windows (prompt and answer together, in tokens) by model name, and the one for a model not
    # listed (None: the provider's default, core.llm.context_windows). A server that says its own window
    # (llama.cpp, vLLM) is believed over these.
    context_windows: dict[str, Annotated[int, Field(ge=256)]] = Field(default_factory=dict)
    context_window: int | None = Field(default=None, ge=256)


class Price(BaseModel):
    """USD per million tokens. Input the provider's prompt cache served (`cached_input`) or wrote
    (`cache_write`) has prices of its own; left out, the provider's usual ratio to `input` applies
    (core.llm.pricing)."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


class TranscriptionSettings(BaseModel):
    """Which speech-to-text engine runs: offline faster-whisper (default) or OpenAI's API when chosen."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key here would otherwise be ignored silently

    engine: Literal["offline", "openai"] = "offline"
    openai_model: str = Field(default="whisper-1", min_length=1)

    @field_validator("engine", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class SchedulingSettings(BaseModel):
    """Booking: Cal.com when CALCOM_API_KEY is set, else the built-in scheduler over team working hours.

    Keys and the webhook secret never live here: CALCOM_API_KEY and CALCOM_WEBHOOK_SECRET come from
    the environment or Streamlit secrets.
    """

    model_config = ConfigDict(extra="forbid")

    calcom_base_url: str = "https://api.cal.com/v2"
    calcom_hosts: list[str] = Field(default_factory=lambda: ["app.cal.com", "app.cal.eu"])  # Cal Video links
    slot_step_minutes: int = Field(default=30, ge=5, le=240)
    minimum_notice_minutes: int = Field(default=120, ge=0)
    search_days: int = Field(default=14, ge=1, le=90)
    organizer_name: str = "Interview Workspace"
    organizer_email: str = "interviews@interview-workspace.local"
    webhook_max_bytes: int = Field(default=262_144, ge=1024)
    webhook_max_age_minutes: int = Field(default=60, ge=1)  # older createdAt is accepted but flagged as late


class Threshold(BaseModel):
    """One rung of a recommendation ladder: `key` applies when every named score reaches its minimum."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1)  # a recommendations key of the template
    minimums: dict[str, float] = Field(min_length=1)  # score name (a score group key or "overall") -> 1–5


class DebriefSettings(BaseModel):
    """After an interviewer-led session: how scores combine and which recommendation they lead to.

    Weights are relative within each score group (they need not add up to 1). A template's thresholds
    are tried in order; the first rung whose minimums are all met is the recommendation, and the
    template's last recommendation applies when none is.
    """

    model_config = ConfigDict(extra="forbid")

    score_weights: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "solution_fit": {
                "problem_solution_mapping": 0.35,
                "feature_alignment": 0.25,
                "price_fit": 0.20,
                "timing_fit": 0.20,
            },
            "commercial_viability": {"decision_process": 0.30, "budget": 0.30, "timeline": 0.20, "competition": 0.20},
        }
    )
    thresholds: dict[str, list[Threshold]] = Field(
        default_factory=lambda: {
            "customer_discovery": [
                Threshold(key="activation_candidate", minimums={"solution_fit": 3.5, "commercial_viability": 3.0}),
                Threshold(key="follow_up_needed", minimums={"solution_fit": 2.5}),
            ],
            "system_design_human": [
                Threshold(key="strong_hire", minimums={"overall": 4.2}),
                Threshold(key="hire", minimums={"overall": 3.5}),
                Threshold(key="lean_hire", minimums={"overall": 3.0}),
                Threshold(key="lean_no_hire", minimums={"overall": 2.4}),
            ],
        }
    )
    follow_up_owners: dict[str, str] = Field(
        default_factory=lambda: {"recruiter": "Recruiting team", "hiring_manager": "Hiring manager"}
    )  # who owns tasks for a role when no team member has it; "interviewer" is the session's interviewer


class PrivacySettings(BaseModel):
    """What is kept, for how long, and whether an AI evaluation waits for a reviewer before the candidate sees it."""

    model_config = ConfigDict(extra="forbid")

    media_days: int = Field(default=90, ge=1)  # recordings, camera and screen captures, whiteboard pictures
    records_days: int = Field(default=730, ge=1)  # transcripts, messages, notes, evaluations and scores
    webhook_payload_days: int = Field(default=90, ge=1)  # raw Cal.com deliveries (they carry names and emails)
    cleanup_hour_utc: int = Field(default=3, ge=0, le=23)  # the daily cleanup runs at this hour
    evaluation_approval: bool = True  # an AI evaluation reaches the candidate only after a reviewer approves


class JobSettings(BaseModel):
    """Background work (core.jobs). The queue is SQLite in the runtime folder unless REDIS_URL is set."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(default=2, ge=1, le=64)  # jobs one worker process runs at once (threads)
    lease_seconds: float = Field(default=120, gt=0)  # a job whose worker went silent this long is run again
    max_attempts: int = Field(default=5, ge=1, le=50)  # tries before a job is marked failed
    retry_seconds: float = Field(default=5, gt=0)  # the first retry waits this long, each next one twice as long
    sweep_seconds: float = Field(default=30, gt=0)  # how often a worker looks for jobs nobody has picked up


SmtpTls = Literal["none", "starttls", "implicit"]
_MAILBOX = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


class SmtpSettings(BaseModel):
    """The mail server emails go through. No host (the default): messages wait in the outbox, and a worker
    started with a host sends them.

    tls: "starttls" (port 587: plain connection, then STARTTLS), "implicit" (port 465: TLS from the first
    byte) or "none" (a relay on a trusted network). The password is read from here or from
    IW_NOTIFICATIONS__SMTP__PASSWORD and is never logged, shown or put in an error message.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = ""
    port: int = Field(default=587, ge=1, le=65535)
    tls: SmtpTls = "starttls"
    username: str = ""
    password: SecretStr = SecretStr("")
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    ca_file: str = ""  # CA bundle for a certificate signed by a private CA; "" trusts the system's CAs

    @field_validator("host", "username", "ca_file")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("tls", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def configured(self) -> bool:
        return bool(self.host)


_DURATION = re.compile(r"(\d+)\s*([dhm])")
_DURATION_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
LONGEST_REMINDER = timedelta(days=30)


def parse_duration(text: str) -> timedelta:
    """'24h', '90m', '2d', '1h30m' as a timedelta; ValueError with what is accepted otherwise."""
    compact = text.strip().lower().replace(" ", "")
    if not compact or _DURATION.sub("", compact):
        raise ValueError(f"{text!r} is not a duration; write it like 24h, 1h, 30m, 2d or 1h30m")
    return sum((int(n) * _DURATION_UNITS[unit] for n, unit in _DURATION.findall(compact)), timedelta())


def _reminder_offsets(value: object) -> object:
    """The setting as written: a YAML list, or a variable holding '24h,1h', a JSON list, or '' for none."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError('must be a list of durations, e.g. 24h,1h or ["24h", "1h"]') from None
        else:
            value = [part for part in text.split(",") if part.strip()]
    if not isinstance(value, list | tuple):
        raise ValueError("must be a list of durations, e.g. [24h, 1h]")
    offsets = []
    for item in value:
        if isinstance(item, timedelta):
            offsets.append(item)
        elif isinstance(item, str):
            offsets.append(parse_duration(item))
        else:  # a bare number could be seconds, minutes or hours: say which
            raise ValueError(f"{item!r} has no unit; write it like 24h, 1h, 30m or 2d")
    return offsets


class SlackSettings(BaseModel):
    """Slack: the workspace's incoming webhook (one channel). Its URL holds the secret, so it is read from here or
    IW_NOTIFICATIONS__SLACK__WEBHOOK_URL and never logged, shown or put in an error message. "" turns Slack off."""

    model_config = ConfigDict(extra="forbid")

    webhook_url: SecretStr = SecretStr("")
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @property
    def configured(self) -> bool:
        return bool(self.webhook_url.get_secret_value().strip())


class SmsSettings(BaseModel):
    """Text messages through Twilio's Messages API. The auth token is read from here or
    IW_NOTIFICATIONS__SMS__AUTH_TOKEN and never logged, shown or put in an error message. No account SID turns
    SMS off; api_base is Twilio's, or a stand-in's in tests."""

    model_config = ConfigDict(extra="forbid")

    account_sid: str = ""
    auth_token: SecretStr = SecretStr("")
    from_number: str = ""  # E.164, a number of the Twilio account
    api_base: str = "https://api.twilio.com"
    timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("account_sid", "from_number", "api_base")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def configured(self) -> bool:
        return bool(self.account_sid and self.auth_token.get_secret_value() and self.from_number)


class NotificationSettings(BaseModel):
    """Emails to candidates and interviewers (booking confirmations, updates, cancellations, reminders,
    follow-ups)."""

    model_config = ConfigDict(extra="forbid")

    # From: of every email, e.g. "Interviews <interviews@example.com>"; "" for scheduling's organizer
    sender: str = ""
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    slack: SlackSettings = Field(default_factory=SlackSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    # How long before a booked interview each reminder goes to everyone on it; [] for none. Written as
    # durations (24h, 1h, 30m, 2d, 1h30m); IW_NOTIFICATIONS__REMINDERS=24h,1h
    reminders: Annotated[list[timedelta], NoDecode] = Field(
        default_factory=lambda: [timedelta(hours=24), timedelta(hours=1)]
    )
    # The workspace's time zone: an email names times in it for a person whose own zone is not known
    timezone: str = "UTC"
    # Booked, moved and cancelled emails for Cal.com's bookings too; false when Cal.com's own emails suffice
    calcom_emails: bool = True

    @field_validator("sender")
    @classmethod
    def _an_address(cls, value: str) -> str:
        value = " ".join(value.split())
        if value and not _MAILBOX.match(parseaddr(value)[1]):
            raise ValueError("must be an email address, e.g. Interviews <interviews@example.com>")
        return value

    @field_validator("reminders", mode="before")
    @classmethod
    def _durations(cls, value: object) -> object:
        return _reminder_offsets(value)

    @field_validator("reminders")
    @classmethod
    def _sensible_offsets(cls, value: list[timedelta]) -> list[timedelta]:
        for offset in value:
            if offset < timedelta(minutes=1) or offset > LONGEST_REMINDER:
                raise ValueError(f"each reminder must be between 1m and {LONGEST_REMINDER.days}d before the interview")
            if offset % timedelta(minutes=1):
                raise ValueError("reminders are set in whole minutes (e.g. 90m, not 90.5m)")
        return sorted(set(value), reverse=True)  # earliest reminder first, each once

    @field_validator("timezone")
    @classmethod
    def _a_zone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be a time zone name, e.g. Europe/Rome or America/New_York") from None
        return value


class OutgoingWebhookSettings(BaseModel):
    """Signed webhooks to other systems (an ATS, a CRM), subscribed on the Webhook log page's Outgoing tab.

    A delivery not answered with 2xx is tried again after first_retry_seconds, each wait twice the last and
    at most longest_wait_seconds, until retry_hours after it was written (or replayed); then it fails.
    """

    model_config = ConfigDict(extra="forbid")

    timeout_seconds: float = Field(default=10, gt=0, le=120)  # the receiver must answer within this
    first_retry_seconds: float = Field(default=5, gt=0)
    longest_wait_seconds: float = Field(default=3600, gt=0)  # the waits stop doubling here
    retry_hours: float = Field(default=24, gt=0, le=24 * 7)  # how long a delivery keeps being tried


class AccountSettings(BaseModel):
    """Sign-in. Local accounts (argon2 passwords) always work; OpenID Connect when `oidc_enabled`.

    The OIDC client itself (issuer, client id and secret, cookie secret) is Streamlit's `[auth]` section
    in secrets.toml: secrets never live in this file.
    """

    model_config = ConfigDict(extra="forbid")

    session_hours: float = Field(default=12, gt=0, le=24 * 30)  # a sign-in lasts this long without use
    max_session_days: float = Field(default=7, gt=0, le=90)  # and never longer than this
    lock_after_failures: int = Field(default=5, ge=1, le=100)  # wrong passwords in a row before a lock
    lock_minutes: float = Field(default=15, gt=0)
    # Failures in a row are forgotten this long after the last one (a lock lasts its lock_minutes regardless),
    # for addresses with and without an account alike, so their records can be deleted
    failure_memory_hours: float = Field(default=24, gt=0, le=24 * 30)
    # Keys the HMAC-SHA256 under which failures are counted per address (core.accounts.failed_sign_ins): set
    # IW_ACCOUNTS__FAILURE_KEY, the same on every replica; never in config.yaml. Empty: a plain SHA-256.
    failure_key: SecretStr = SecretStr("")
    oidc_enabled: bool = False
    oidc_allowed_domains: list[str] = Field(default_factory=list)  # e.g. ["example.com"]; others need an invitation
    oidc_default_roles: list[str] = Field(default_factory=lambda: ["candidate"])  # for allow-listed newcomers
    # Who may spend the server's LLM key (admins always); others bring their own key for their own practice
    server_key_roles: list[str] = Field(default_factory=lambda: ["interviewer", "reviewer", "admin"])


class ActivitySettings(BaseModel):
    """The Activity page's log (the audit log): how long its entries are kept."""

    model_config = ConfigDict(extra="forbid")

    # entries older than this are deleted by the daily cleanup (core.privacy.retention); ids and counts only,
    # but a year of who-did-what is what an audit needs and no more
    retention_days: int = Field(default=365, ge=1)


class LlmBudgetSettings(BaseModel):
    """A month's spend on LLM providers (UTC calendar month, from token usage and `prices`). 0 or empty: no limit.

    When a limit is reached, the providers stop for the rest of the month and the offline interviewer, evaluator
    and copilot take over (core.ai_budget)."""

    model_config = ConfigDict(extra="forbid")

    monthly_usd: float | None = Field(default=None, ge=0)  # the whole workspace
    per_person_usd: float | None = Field(default=None, ge=0)  # each person: the interviews they own

    @field_validator("monthly_usd", "per_person_usd", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        """An empty variable (IW_LLM_BUDGET__MONTHLY_USD=) or YAML's empty value means no limit."""
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def workspace_limit(self) -> float | None:
        return self.monthly_usd or None

    @property
    def person_limit(self) -> float | None:
        return self.per_person_usd or None


LOCAL_TIMEOUT_SECONDS = 600.0
"""openai_compatible's default timeout: a small server on a few CPU cores may read a long prompt for minutes."""

HOSTED_CONTEXT_WINDOWS: dict[ProviderSection, dict[str, int]] = {
    # gpt-5 family: 400k tokens in all, of which at most 272k prompt; the smaller figure keeps every request valid
    "openai": {"gpt-5": 272_000, "gpt-5-mini": 272_000, "gpt-4.1-mini": 1_047_576, "gpt-4o": 128_000},
    "anthropic": {"claude-sonnet-4-5": 200_000, "claude-haiku-4-5": 200_000, "claude-opus-4-1": 200_000},
}
"""The known hosted models' context windows, used when config.yaml names none for the model (it lists the same)."""


def _default_providers() -> dict[ProviderSection, ProviderSettings]:
    return {
        "openai": ProviderSettings(models=["gpt-5-mini"]),
        "anthropic": ProviderSettings(models=["claude-sonnet-4-5"]),
        "openai_compatible": ProviderSettings(models=["llama3.1"], base_url="http://127.0.0.1:11434/v1"),
    }


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", populate_by_name=True
    )

    database_url: str = Field(default="", validation_alias=AliasChoices("IW_DATABASE_URL", "DATABASE_URL"))
    # The job queue's broker: empty for the embedded SQLite queue, or redis://host:6379/0
    redis_url: str = Field(default="", validation_alias=AliasChoices("IW_REDIS_URL", "REDIS_URL"))
    runtime_dir: Path = Path("data/runtime")
    problems_dir: Path = Path("data/problems")
    rubrics_dir: Path = Path("data/rubrics")
    prompts_dir: Path = Path("data/prompts")
    templates_dir: Path = Path("data/templates")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_max_bytes: int = Field(default=5_000_000, gt=0)
    log_backups: int = Field(default=5, ge=0)
    resume_max_mb: float = Field(default=5, gt=0, le=100)
    interview_minutes: int = Field(default=45, ge=5, le=240)
    interviewer_provider: ProviderId = OFFLINE
    providers: dict[ProviderSection, ProviderSettings] = Field(default_factory=_default_providers)
    request_timeout_seconds: float = Field(default=30, gt=0, le=300)
    # How many times an LLM evaluator is asked; each competency gets the median, its spread is shown
    evaluation_samples: int = Field(default=3, ge=1, le=9)
    prices: dict[str, Price] = Field(default_factory=dict)
    transcription: TranscriptionSettings = Field(default_factory=TranscriptionSettings)
    scheduling: SchedulingSettings = Field(default_factory=SchedulingSettings)
    debrief: DebriefSettings = Field(default_factory=DebriefSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    accounts: AccountSettings = Field(default_factory=AccountSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    activity: ActivitySettings = Field(default_factory=ActivitySettings)
    llm_budget: LlmBudgetSettings = Field(default_factory=LlmBudgetSettings)
    outgoing_webhooks: OutgoingWebhookSettings = Field(default_factory=OutgoingWebhookSettings)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must start with sqlite:// or postgresql:// (or be empty for the SQLite default)")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg2://" + value.removeprefix("postgresql://")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls, yaml_file=config_file()))

    def resolve(self, path: Path) -> Path:
        """Relative paths in settings are relative to the config file's folder."""
        return path if path.is_absolute() else (config_file().parent / path).resolve()

    @property
    def runtime_path(self) -> Path:
        return self.resolve(self.runtime_dir)

    @property
    def log_dir(self) -> Path:
        return self.runtime_path / "logs"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.runtime_path / 'workspace.db'}"

    @property
    def resume_max_bytes(self) -> int:
        return int(self.resume_max_mb * 1024 * 1024)

    @property
    def resume_upload_mb(self) -> int:
        """The resume uploaders' own limit (whole MB, as Streamlit takes it): the browser refuses a larger
        file before sending it. A file between this and resume_max_mb is refused by the server, with a message."""
        return math.ceil(self.resume_max_mb)


_ENV_NAMES = ("DATABASE_URL", "REDIS_URL")  # read without the IW_ prefix too
_read: dict[tuple[object, ...], Settings] = {}
_read_lock = threading.Lock()


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; raise ConfigError naming each bad key and its variable.

    Without overrides, a copy of the last reading is given while config.yaml and the IW_* variables
    are unchanged: every page run and webhook asks, and parsing the YAML took most of a webhook's time.
    """
    if overrides:
        return _read_settings(**overrides)
    key = settings_stamp()
    with _read_lock:
        cached = _read.get(key)
    if cached is None:
        cached = _read_settings()
        with _read_lock:
            if len(_read) > 32:  # tests point the variables at many folders
                _read.clear()
            _read[key] = cached
    return cached.model_copy(deep=True)


def settings_stamp() -> tuple[object, ...]:
    """What the settings are read from (config.yaml's path, time and size, the IW_* variables): while it is
    unchanged, so are the settings, and whatever was built from them can be kept."""
    path = config_file()
    try:
        stat = path.stat()
        stamp: tuple[object, ...] = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (str(path), None, None)
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX) or k in _ENV_NAMES))
    return (*stamp, env)


def _read_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"]) if err["loc"] else "?"
            if key in ("IW_DATABASE_URL", "DATABASE_URL"):
                key = "database_url"
            variable = ENV_PREFIX + key.replace(".", "__").replace("-", "_").upper()
            problems.append(f"'{key}' (env {variable}): {err['msg']}")
        raise ConfigError(f"Invalid configuration ({config_file()} or environment): " + "; ".join(problems)) from None
    except (OSError, ValueError, yaml.YAMLError) as exc:  # unreadable or malformed YAML
        raise ConfigError(f"Cannot read configuration file {config_file()}: {exc}") from None

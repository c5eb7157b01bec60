"""Command line: `python -m core <command>`. Errors print one line and exit 2, no traceback."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config import load_settings
from core.errors import WorkspaceError
from core.permissions.actor import Actor
from core.provider_ids import OPENAI_COMPATIBLE, PROVIDER_IDS
from entry.user_commands import add_user_commands

if TYPE_CHECKING:
    from core.workspace import Workspace


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkspaceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Interview Workspace command line.")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply database migrations").set_defaults(func=_db_upgrade)

    sessions = commands.add_parser("sessions", help="list, show or export interviews")
    s_commands = sessions.add_subparsers(dest="sessions_command", required=True)
    s_list = s_commands.add_parser("list", help="most recent first")
    s_list.add_argument("--limit", type=int, default=50)
    s_list.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s_list.set_defaults(func=_sessions_list)
    s_show = s_commands.add_parser("show", help="one interview with chat and evaluation (JSON)")
    s_show.add_argument("session_id")
    s_show.set_defaults(func=_sessions_show)
    s_export = s_commands.add_parser("export", help="the transcript interchange JSON of one interview")
    s_export.add_argument("session_id")
    s_export.add_argument(
        "--zip",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the whole session (chat, transcript, "
        "whiteboard, media, evaluation, report) to this zip file instead",
    )
    s_export.set_defaults(func=_sessions_export)

    evaluate = commands.add_parser("evaluate", help="evaluate a transcript interchange JSON file")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--rubric", default="system_design")
    evaluate.set_defaults(func=_evaluate)

    commands.add_parser("demo", help="fill an empty database with sample interviews").set_defaults(func=_demo)

    transcribe = commands.add_parser("transcribe", help="speech to text of an audio file (offline Whisper)")
    transcribe.add_argument("file", type=Path)
    transcribe.add_argument("--json", action="store_true", help="segments in the transcript interchange JSON")
    transcribe.add_argument("--problem", default=None, help="problem id whose vocabulary biases recognition")
    tier = transcribe.add_mutually_exclusive_group()
    tier.add_argument("--accurate", dest="accurate", action="store_true", default=True, help="Whisper base (default)")
    tier.add_argument("--fast", dest="accurate", action="store_false", help="tiny.en, about twice as fast")
    transcribe.set_defaults(func=_transcribe)

    interview = commands.add_parser(
        "interview", help="practise in the terminal: answers one per line on standard input, /end to finish"
    )
    interview.add_argument("--provider", default=None, help=f"{', '.join(PROVIDER_IDS[:-1])} or {PROVIDER_IDS[-1]}")
    interview.add_argument("--model", default=None, help="the provider's model (default: its first in config)")
    interview.add_argument(
        "--base-url",
        default=None,
        help="the OpenAI-compatible server's address, e.g. http://localhost:8080/v1 (default: config's)",
    )
    interview.add_argument("--problem", default=None, help="problem id (default: one that suits the level)")
    interview.add_argument("--level", choices=["junior", "mid", "senior", "staff"], default="mid")
    interview.add_argument("--minutes", type=int, default=None, help="interview length (default: interview_minutes)")
    interview.set_defaults(func=_interview)

    privacy = commands.add_parser("privacy", help="retention cleanup; a person's data exported or erased")
    p_commands = privacy.add_subparsers(dest="privacy_command", required=True)
    p_commands.add_parser("cleanup", help="delete what the retention settings say has expired").set_defaults(
        func=_privacy_cleanup
    )
    p_export = p_commands.add_parser("export", help="everything stored about a candidate, as a zip")
    p_export.add_argument("email", help="the candidate's email (any case)")
    p_export.add_argument("zip", type=Path, help="the zip file to write")
    p_export.set_defaults(func=_privacy_export)
    p_erase = p_commands.add_parser("erase", help="delete everything stored about a candidate, for good")
    p_erase.add_argument("email", help="the candidate's email (any case)")
    p_erase.add_argument("--yes", action="store_true", help="confirm: erasing cannot be undone")
    p_erase.set_defaults(func=_privacy_erase)

    worker = commands.add_parser("worker", help="run background jobs (webhooks, cleanup) until interrupted")
    worker.add_argument("--workers", type=int, default=None, help="jobs at once (default: jobs.workers in config)")
    worker.set_defaults(func=_worker)

    intake = commands.add_parser("intake", help="serve only the Cal.com webhook route (behind the proxy)")
    intake.add_argument("--host", default="127.0.0.1")
    intake.add_argument("--port", type=int, default=8600)
    intake.set_defaults(func=_intake)

    add_user_commands(commands, _workspace)
    return parser


def _workspace(*, conversation: bool = False) -> Workspace:
    """Imported lazily so `evaluate` works without a database.

    A `conversation` in the terminal keeps log lines out of it: they go to the log file as JSON, and only
    failures reach the console, as one short plain line each.
    """
    from core.logs import configure_logging
    from entry.bootstrap import build_workspace

    settings = load_settings()
    if conversation:
        configure_logging(level="WARNING", log_dir=settings.log_dir, console="plain", console_level="ERROR")
    else:
        configure_logging(level="WARNING")
    return build_workspace(settings)


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.database import check_database, make_engine
    from storage.migrate import current_revision, upgrade

    url = load_settings().effective_database_url
    check_database(make_engine(url))
    upgrade(url)
    print(f"database at revision {current_revision(url)}")
    return 0


def _sessions_list(args: argparse.Namespace) -> int:
    from core.interview.services import list_history

    summaries, total = list_history(_workspace(), limit=args.limit)
    if args.json:
        print(json.dumps([_jsonable(asdict(s)) for s in summaries], indent=2))
        return 0
    if not summaries:
        print("No interviews yet. Start one in the workspace, or run `python -m core demo`.")
        return 0
    print(f"{'id':32}  {'date':16}  {'status':9}  {'min':>4}  {'score':>5}  problem / candidate")
    for s in summaries:
        score = f"{s.overall_score:.1f}" if s.overall_score is not None else "—"
        print(
            f"{s.id:32}  {s.created_at:%Y-%m-%d %H:%M}  {s.status.value:9}  {s.duration_seconds / 60:4.0f}  "
            f"{score:>5}  {s.problem_title} / {s.candidate_name or '—'}"
        )
    print(f"{len(summaries)} of {total} interviews")
    return 0


def _sessions_show(args: argparse.Namespace) -> int:
    from core.interview.services import get_interview

    view = get_interview(_workspace(), args.session_id, actor=CLI_ACTOR)
    out = {
        "session": asdict(view.session),
        "candidate": asdict(view.candidate) if view.candidate else None,
        "messages": [asdict(m) for m in view.messages],
        "evaluation": asdict(view.evaluation) if view.evaluation else None,
    }
    print(json.dumps(_jsonable(out), indent=2))
    return 0


def _sessions_export(args: argparse.Namespace) -> int:
    from core.evaluation.utterances import utterances_of
    from core.interview.services import get_interview

    if args.zip is not None:
        from core.history.session_export import session_zip

        data = session_zip(_workspace(), args.session_id, actor=CLI_ACTOR)
        try:
            args.zip.write_bytes(data)
        except OSError as exc:
            raise WorkspaceError(f"Cannot write {args.zip}: {exc.strerror or exc}.") from exc
        print(f"wrote {args.zip} ({len(data):,} bytes)")
        return 0
    view = get_interview(_workspace(), args.session_id, actor=CLI_ACTOR)
    entries = []
    for u in utterances_of(view.session, view.messages):
        start = u.start or 0.0
        entries.append({"speaker": u.speaker, "text": u.text, "start": start, "end": start})
    print(json.dumps({"problem": view.problem.id, "entries": entries}, indent=2))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from core.evaluation.transcript_file import evaluate_transcript_file

    settings = load_settings()
    evaluation = evaluate_transcript_file(args.file, settings, rubric_id=args.rubric)
    print(json.dumps(_jsonable(asdict(evaluation)), indent=2))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from entry.demo import fill_demo

    added = fill_demo(_workspace())
    if added:
        print(f"added {added} sample interviews")
    else:
        print("the database already has interviews; demo data is only added to an empty database")
    return 0


def _interview(args: argparse.Namespace) -> int:
    from core.llm.base_url import parse_base_url
    from core.llm.providers import PROVIDERS, LLMChoice, models_for, resolve_api_key
    from core.llm.server_models import check_server
    from entry.terminal_interview import run_terminal_interview

    ws = _workspace(conversation=True)
    provider = args.provider or ws.settings.interviewer_provider
    if provider not in PROVIDERS:
        raise WorkspaceError(f"Unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}.")
    if args.base_url is not None and provider != OPENAI_COMPATIBLE:
        raise WorkspaceError(f"--base-url is for --provider {OPENAI_COMPATIBLE}; {provider} has its own address.")
    llm = None
    notices: list[str] = []
    if PROVIDERS[provider].is_llm:
        base_url = parse_base_url(args.base_url) if args.base_url is not None else None
        model = args.model or models_for(ws.settings, provider)[0]
        llm = LLMChoice(provider, model, resolve_api_key(provider), base_url=base_url)
        check = check_server(ws.settings, llm)  # a wrong key, model or address stops here, before the interview
        if check.warning:
            notices.append(check.warning)
    run_terminal_interview(
        ws,
        problem_id=args.problem,
        provider=provider,
        llm=llm,
        level=args.level,
        minutes=args.minutes,
        stdin=sys.stdin,
        stdout=sys.stdout,
        notices=notices,
    )
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from core.speech.recordings import format_segments, transcribe_file

    segments = transcribe_file(args.file, settings=load_settings(), problem_id=args.problem, accurate=args.accurate)
    print(format_segments(segments, problem_id=args.problem, as_json=args.json))
    return 0


CLI_ACTOR = Actor.workspace(
    "cli"
)  # who the audit log names for the command line (run by whoever has the server's shell)


def _intake(args: argparse.Namespace) -> int:
    from entry.intake import run_intake

    run_intake(args.host, args.port)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from entry.worker import run_worker

    run_worker(load_settings(), workers=args.workers)
    return 0


def _privacy_cleanup(args: argparse.Namespace) -> int:
    from core.privacy.retention import apply_retention

    report = apply_retention(_workspace(), actor=CLI_ACTOR)
    print(
        f"deleted {report.sessions} expired interviews ({report.session_rows} records with them), "
        f"{report.media_files} media files and {report.whiteboard_pictures} whiteboard pictures; "
        f"blanked {report.webhook_payloads} webhook payloads; "
        f"pruned {report.activity_entries} activity log entries"
    )
    return 0


def _privacy_export(args: argparse.Namespace) -> int:
    from core.privacy.person_export import export_person
    from core.privacy.subjects import candidate_by_email

    ws = _workspace()
    candidate = candidate_by_email(ws, args.email)
    if args.zip.exists() and args.zip.is_dir():
        raise WorkspaceError(f"{args.zip} is a folder; give the zip file's name.")
    data = export_person(ws, candidate.id, actor=CLI_ACTOR)
    try:
        args.zip.write_bytes(data)
    except OSError as exc:
        raise WorkspaceError(f"Cannot write {args.zip}: {exc.strerror or exc}.") from exc
    print(f"wrote {args.zip} ({len(data):,} bytes) for candidate {candidate.id}")
    return 0


def _privacy_erase(args: argparse.Namespace) -> int:
    from core.privacy.person_erasure import erase_person
    from core.privacy.subjects import candidate_by_email

    ws = _workspace()
    candidate = candidate_by_email(ws, args.email)
    if not args.yes:
        raise WorkspaceError(
            f"Erasing candidate {candidate.id} deletes their interviews, resumes and files for good; "
            "run again with --yes to do it."
        )
    request = erase_person(ws, candidate.id, actor=CLI_ACTOR)
    total = sum(request.counts.values())
    print(f"erased candidate {candidate.id}: {total} records deleted (data request {request.id})")
    return 0


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))

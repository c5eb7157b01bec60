"""Who may do what: the one place that decides. Services ask it; pages only hide what it already refuses.

Roles: a candidate practises and sees their own interviews (evaluations once released); an interviewer runs
and schedules interviews and sees the sessions they started or are assigned to; a reviewer sees their team's
sessions, reviews and releases evaluations; an admin manages people, data and settings and sees everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from core.models import Account, AccountRole, CandidateScope, SessionScope, email_key


class Action(StrEnum):
    """Things a person does that are not about one session."""

    PRACTISE = "practise"  # an AI-led interview for oneself
    RUN_LIVE = "run_live"  # interviewer-led sessions (cockpit and debrief)
    SCHEDULE = "schedule"  # book interviews, manage the scheduling team
    REVIEW = "review"  # the review queue: approve evaluations, override scores
    USE_SERVER_KEYS = "use_server_keys"  # spend the server's LLM key
    CHOOSE_MODEL_SERVER = "choose_model_server"  # point this server at another model server's address
    VIEW_WEBHOOKS = "view_webhooks"
    MANAGE_PEOPLE = "manage_people"  # accounts, roles, teams
    MANAGE_DATA = "manage_data"  # merge candidates, export or erase a person's data, retention
    MANAGE_JOBS = "manage_jobs"  # see background jobs, retry the failed ones
    MANAGE_OUTBOX = "manage_outbox"  # see every email written (recipients, subjects), retry the failed ones
    VIEW_ALL_ACTIVITY = "view_all_activity"  # everyone's activity log; anyone else sees only what they did
    VIEW_AI_SPEND = "view_ai_spend"  # this month's AI spend per person (everyone sees their own and the total)
    MANAGE_WEBHOOKS = "manage_webhooks"  # outgoing webhooks: subscriptions (and their secrets), deliveries, replays


class SessionAction(StrEnum):
    """Things done to one session."""

    VIEW = "view"  # transcript, board, notes: everything but the evaluation
    VIEW_EVALUATION = "view_evaluation"
    EDIT = "edit"  # answer, take notes, change stage, end
    REVIEW = "review"  # override scores, approve the evaluation
    REEVALUATE = "reevaluate"  # run a finished interview's evaluation again (the earlier one is kept)


_STAFF = frozenset({AccountRole.INTERVIEWER, AccountRole.REVIEWER, AccountRole.ADMIN})

_ALLOWED: dict[Action, frozenset[AccountRole]] = {
    Action.PRACTISE: frozenset(AccountRole),
    Action.RUN_LIVE: frozenset({AccountRole.INTERVIEWER, AccountRole.ADMIN}),
    Action.SCHEDULE: frozenset({AccountRole.INTERVIEWER, AccountRole.ADMIN}),
    Action.REVIEW: frozenset({AccountRole.REVIEWER, AccountRole.ADMIN}),
    Action.USE_SERVER_KEYS: _STAFF,
    # the workspace connects to that address itself: open to everyone, it would let anyone probe the
    # network behind the server (which addresses answer, and how)
    Action.CHOOSE_MODEL_SERVER: _STAFF,
    Action.VIEW_WEBHOOKS: frozenset({AccountRole.ADMIN}),
    Action.MANAGE_PEOPLE: frozenset({AccountRole.ADMIN}),
    Action.MANAGE_DATA: frozenset({AccountRole.ADMIN}),
    Action.MANAGE_JOBS: frozenset({AccountRole.ADMIN}),
    Action.MANAGE_OUTBOX: frozenset({AccountRole.ADMIN}),
    Action.VIEW_ALL_ACTIVITY: frozenset({AccountRole.ADMIN}),
    Action.VIEW_AI_SPEND: frozenset({AccountRole.ADMIN}),
    # a subscription sends interviews' data (candidates' names and emails) to any address it names
    Action.MANAGE_WEBHOOKS: frozenset({AccountRole.ADMIN}),
}


@dataclass(frozen=True)
class SessionAccess:
    """The facts about one session the policy needs (core.permissions.access gathers them)."""

    session_id: str
    owner_id: str | None
    team: str
    candidate_email_key: str | None
    interviewer_email_keys: frozenset[str]
    evaluation_released: bool


def allowed(account: Account | None, action: Action, *, server_key_roles: frozenset[str] | None = None) -> bool:
    """`server_key_roles`: the roles an admin lets spend the server's LLM key (settings), for USE_SERVER_KEYS."""
    if account is None or not account.active:
        return False
    roles = _ALLOWED[action]
    if action is Action.USE_SERVER_KEYS and server_key_roles is not None:
        roles = frozenset(AccountRole(r) for r in server_key_roles if r in AccountRole.__members__.values())
        roles |= {AccountRole.ADMIN}
    return any(role in roles for role in account.roles)


def scope(account: Account) -> SessionScope:
    """The sessions this person may list: admins everything; others what they own, run, review or sat; a
    disabled account nothing, as `may` refuses it everything."""
    if not account.active:
        return SessionScope()
    if account.has(AccountRole.ADMIN):
        return SessionScope(everything=True)
    key = email_key(account.email)
    return SessionScope(
        owner_id=account.id,
        team=account.team if account.has(AccountRole.REVIEWER) and account.team else None,
        candidate_email_key=key,
        interviewer_email_key=key if account.has(AccountRole.INTERVIEWER) else None,
    )


def candidate_scope(account: Account) -> CandidateScope:
    """The candidate records this person may see (a picker shows their names and emails): admins every one;
    others their own and the candidates of the sessions `scope` lets them see; a disabled account none."""
    if not account.active:
        return CandidateScope()
    if account.has(AccountRole.ADMIN):
        return CandidateScope(everything=True)
    return CandidateScope(email_key=email_key(account.email), sessions=scope(account))


def activity_actor(account: Account) -> str | None:
    """Whose activity this person may list: None (everyone's) for an admin, else only what they did themselves
    (the entries the audit log names them in as the one who acted)."""
    return None if allowed(account, Action.VIEW_ALL_ACTIVITY) else account.audit_name


def may(account: Account | None, action: SessionAction, session: SessionAccess) -> bool:
    if account is None or not account.active:
        return False
    if account.has(AccountRole.ADMIN):
        return True
    key = email_key(account.email)
    owns = session.owner_id == account.id
    runs = account.has(AccountRole.INTERVIEWER) and key in session.interviewer_email_keys
    reviews = account.has(AccountRole.REVIEWER) and bool(account.team) and account.team == session.team
    sat = key is not None and key == session.candidate_email_key
    staff_on_it = (owns and bool(_STAFF & set(account.roles))) or runs or reviews
    if action in (SessionAction.REVIEW, SessionAction.REEVALUATE):
        # a re-run replaces what the candidate is shown and may spend on a model: the reviewers' call, as
        # approving is; the person interviewed never re-rolls their own evaluation
        return reviews
    if action is SessionAction.EDIT:
        return owns or runs
    if action is SessionAction.VIEW:
        return owns or runs or reviews or sat
    # VIEW_EVALUATION: staff on the session always; the person interviewed only once it is released
    return staff_on_it or ((owns or sat) and session.evaluation_released)


def may_withdraw_consent(account: Account | None, givers: Iterable[str]) -> bool:
    """Consent to being recorded is taken back by whoever gave it (`givers`, as the audit log names them), or by
    an admin; nobody else speaks for the person recorded."""
    if account is None or not account.active:
        return False
    return account.has(AccountRole.ADMIN) or account.audit_name in set(givers)

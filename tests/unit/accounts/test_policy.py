"""The policy, role by role: what each person may do in general and to one session."""

from __future__ import annotations

import pytest

from core.models import Account, AccountRole, SessionScope
from core.permissions.policy import Action, SessionAccess, SessionAction, allowed, may, scope

CANDIDATE, INTERVIEWER, REVIEWER, ADMIN = AccountRole


def person(key: str, *roles: AccountRole, team: str = "", active: bool = True) -> Account:
    return Account(id=key, email=f"{key}@example.com", name=key, roles=list(roles), team=team, active=active)


def session(**facts: object) -> SessionAccess:
    base: dict[str, object] = {
        "session_id": "s1", "owner_id": None, "team": "", "candidate_email_key": None,
        "interviewer_email_keys": frozenset(), "evaluation_released": False,
    }  # fmt: skip
    return SessionAccess(**{**base, **facts})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("roles", "permitted"),
    [
        ((CANDIDATE,), {Action.PRACTISE}),
        (
            (INTERVIEWER,),
            {Action.PRACTISE, Action.RUN_LIVE, Action.SCHEDULE, Action.USE_SERVER_KEYS, Action.CHOOSE_MODEL_SERVER},
        ),
        ((REVIEWER,), {Action.PRACTISE, Action.REVIEW, Action.USE_SERVER_KEYS, Action.CHOOSE_MODEL_SERVER}),
        ((CANDIDATE, REVIEWER), {Action.PRACTISE, Action.REVIEW, Action.USE_SERVER_KEYS, Action.CHOOSE_MODEL_SERVER}),
        ((ADMIN,), set(Action)),
    ],
)
def test_what_each_role_may_do(roles: tuple[AccountRole, ...], permitted: set[Action]) -> None:
    account = person("p", *roles)
    assert {action for action in Action if allowed(account, action)} == permitted


def test_nobody_and_a_disabled_account_may_do_nothing() -> None:
    assert not any(allowed(None, action) for action in Action)
    assert not any(allowed(person("p", ADMIN, active=False), action) for action in Action)
    assert not may(person("p", ADMIN, active=False), SessionAction.VIEW, session())


def test_an_admin_chooses_who_spends_the_servers_keys() -> None:
    only_reviewers = frozenset({"reviewer"})
    assert not allowed(person("i", INTERVIEWER), Action.USE_SERVER_KEYS, server_key_roles=only_reviewers)
    assert allowed(person("c", CANDIDATE), Action.USE_SERVER_KEYS, server_key_roles=frozenset({"candidate"}))
    assert allowed(person("a", ADMIN), Action.USE_SERVER_KEYS, server_key_roles=frozenset())


def test_a_candidate_sees_their_own_and_its_evaluation_only_once_released() -> None:
    ana = person("ana", CANDIDATE)
    theirs = session(owner_id="ana")
    sat = session(candidate_email_key="ana@example.com")
    for own in (theirs, sat):
        assert may(ana, SessionAction.VIEW, own)
        assert not may(ana, SessionAction.VIEW_EVALUATION, own)
        assert may(ana, SessionAction.VIEW_EVALUATION, session(**{**own.__dict__, "evaluation_released": True}))
        assert not may(ana, SessionAction.REVIEW, own)
    assert may(ana, SessionAction.EDIT, theirs) and not may(ana, SessionAction.EDIT, sat)  # answers only their own
    assert not may(ana, SessionAction.VIEW, session(owner_id="bo", evaluation_released=True))


def test_interviewers_see_what_they_run_and_reviewers_their_teams() -> None:
    ivan = person("ivan", INTERVIEWER, team="core")
    rita = person("rita", REVIEWER, team="core")
    assigned = session(interviewer_email_keys=frozenset({"ivan@example.com"}), team="growth")
    team_core = session(owner_id="someone", team="core")
    assert may(ivan, SessionAction.EDIT, assigned) and may(ivan, SessionAction.VIEW_EVALUATION, assigned)
    assert not may(ivan, SessionAction.VIEW, team_core)  # a team is the reviewers' reach, not the interviewers'
    assert may(rita, SessionAction.REVIEW, team_core) and may(rita, SessionAction.VIEW_EVALUATION, team_core)
    assert not may(rita, SessionAction.EDIT, team_core)
    assert not may(rita, SessionAction.VIEW, assigned)
    assert not may(person("nomad", REVIEWER), SessionAction.VIEW, session(team=""))  # no team: no team's sessions


def test_scopes_name_exactly_what_may_be_listed() -> None:
    assert scope(person("a", ADMIN)) == SessionScope(everything=True)
    assert scope(person("a", ADMIN, active=False)) == SessionScope()  # a disabled account lists nothing
    assert scope(person("rita", REVIEWER, team="core")) == SessionScope(
        owner_id="rita", team="core", candidate_email_key="rita@example.com"
    )
    assert scope(person("ivan", INTERVIEWER, team="core")) == SessionScope(
        owner_id="ivan", candidate_email_key="ivan@example.com", interviewer_email_key="ivan@example.com"
    )

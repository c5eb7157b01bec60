"""The admin's People tools: everyone with an account, adding a person (with a password or as an
invitation for the identity provider), changing roles, team, access or password, and the teams (renaming
one moves its people and its past interviews together)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from components.local_time import short
from core.accounts import passwords
from core.accounts.services import add_account, list_accounts, set_password, unlock, update_account
from core.accounts.teams import TeamPerson, list_teams, rename_team
from core.errors import WorkspaceError
from core.models import Account, AccountRole
from core.permissions.actor import Actor
from core.workspace import Workspace

ROLE_LABELS = {
    AccountRole.CANDIDATE: "Candidate",
    AccountRole.INTERVIEWER: "Interviewer",
    AccountRole.REVIEWER: "Reviewer",
    AccountRole.ADMIN: "Admin",
}
OUTCOME_KEY = "people_outcome"
TEAMS_OUTCOME_KEY = "people_teams_outcome"  # shown beside the teams, not at the top of the page
TEAM_MOVE_NOTE = "Their earlier interviews stay with the team they were run in; rename a team to move them all."


def render_people(ws: Workspace, *, actor: Account) -> None:
    """`actor`: the signed-in admin; every change below is made (and audited) as them."""
    acting = Actor.person(actor)
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome:
        (st.success if outcome[0] else st.error)(outcome[1])
    accounts = list_accounts(ws)
    now = ws.clock()
    rows = [
        {
            "Name": a.name,
            "Email": a.email,
            "Roles": ", ".join(ROLE_LABELS[r] for r in a.roles),
            "Team": a.team,
            "Signs in with": "password" if a.password_hash else "identity provider",
            "Status": _status(a, now),
            "Last sign-in": short(a.last_sign_in_at) if a.last_sign_in_at else "never",
        }
        for a in accounts
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left:
        _render_add(ws, acting)
    with right:
        _render_edit(ws, accounts, acting)
    _render_teams(ws, acting)


def _status(account: Account, now: datetime) -> str:
    if not account.active:
        return "disabled"
    if account.locked_until is not None and account.locked_until > now:
        return "locked"
    return "active"


def _render_add(ws: Workspace, actor: Actor) -> None:
    st.subheader("Add a person")
    with st.form("people_add", clear_on_submit=True, border=True):
        name = st.text_input("Name", max_chars=200)
        email = st.text_input("Email", max_chars=320)
        roles = st.multiselect(
            "Roles", list(AccountRole), default=[AccountRole.CANDIDATE], format_func=ROLE_LABELS.__getitem__
        )
        team = st.text_input("Team", max_chars=100, help="Reviewers see the sessions of their team.")
        password = st.text_input(
            "First password",
            type="password",
            help=f"At least {passwords.MIN_LENGTH} characters; tell it to the person. "
            "Leave empty to invite them to sign in through your identity provider.",
        )
        if st.form_submit_button("Add", type="primary"):
            try:
                added = add_account(
                    ws, email=email, name=name, roles=roles, team=team, password=password or None, actor=actor
                )  # fmt: skip
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                how = "with the password you chose" if password else "as an invitation for the identity provider"
                st.session_state[OUTCOME_KEY] = (True, f"Added {added.name} {how}.")
                st.rerun()


def _render_edit(ws: Workspace, accounts: list[Account], actor: Actor) -> None:
    st.subheader("Change a person")
    by_id = {a.id: a for a in accounts}
    chosen = st.selectbox(
        "Person", list(by_id), format_func=lambda i: f"{by_id[i].name} · {by_id[i].email}", key="people_pick"
    )
    if chosen is None:
        return
    person = by_id[chosen]
    with st.form(f"people_edit_{person.id}", border=True):
        roles = st.multiselect("Roles", list(AccountRole), default=person.roles, format_func=ROLE_LABELS.__getitem__)
        team = st.text_input("Team", value=person.team, max_chars=100, help=TEAM_MOVE_NOTE)
        active = st.toggle("May sign in", value=person.active)
        password = st.text_input("New password", type="password", help="Leave empty to keep the current one.")
        if st.form_submit_button("Save"):
            try:
                update_account(ws, person.id, roles=roles, team=team, active=active, actor=actor)
                if password:
                    set_password(ws, person.id, password, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                st.session_state[OUTCOME_KEY] = (True, f"Saved {person.name}.")
                st.rerun()
    locked = person.locked_until is not None and person.locked_until > ws.clock()
    if locked and st.button("Unlock", key=f"people_unlock_{person.id}"):
        unlock(ws, person.id, actor=actor)
        st.session_state[OUTCOME_KEY] = (True, f"Unlocked {person.name}.")
        st.rerun()


def _render_teams(ws: Workspace, actor: Actor) -> None:
    st.subheader("Teams")
    if done := st.session_state.pop(TEAMS_OUTCOME_KEY, None):
        st.success(done)
    st.caption(
        "Reviewers see the interviews of their team. Renaming a team moves its people and its past "
        "interviews together; moving one person to another team (above) does not move their earlier interviews."
    )
    teams = list_teams(ws, actor)
    if not teams:
        st.info("No teams yet: give people a team when you add or change them.")
        return
    rows = [
        {
            "Team": t.name,
            "Interviewers": _names(t.interviewers),
            "Reviewers": _names(t.reviewers),
            "Interviews": t.sessions,
        }
        for t in teams
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    with st.form("teams_rename", clear_on_submit=True, border=True):
        st.markdown("**Rename a team**")
        left, right = st.columns(2)
        with left:
            old = st.selectbox("Team", [t.name for t in teams], key="teams_rename_pick")
        with right:
            new = st.text_input("New name", max_chars=100, key="teams_rename_new")
        if st.form_submit_button("Rename"):
            try:
                renamed = rename_team(ws, old or "", new, actor=actor)
            except WorkspaceError as exc:
                st.error(str(exc))
            else:
                message = (
                    f"Renamed {renamed.old} to {renamed.new}: {_count(renamed.accounts, 'person', 'people')} "
                    f"and {_count(renamed.sessions, 'interview', 'interviews')} moved."
                )
                st.session_state[TEAMS_OUTCOME_KEY] = message
                st.rerun()


def _names(people: tuple[TeamPerson, ...]) -> str:
    """Names for the table; someone who may no longer sign in is marked, not hidden."""
    return ", ".join(p.name if p.active else f"{p.name} (disabled)" for p in people) or "—"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

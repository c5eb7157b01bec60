"""People: accounts and roles, merging duplicate candidates, and personal data requests (admins only)."""

from __future__ import annotations

import streamlit as st

from components.candidate_merge import render_candidate_merge
from components.people import render_people
from components.privacy_requests import render_privacy_requests
from components.resources import get_workspace
from components.signed_in import current_account
from core.permissions.actor import Actor
from core.permissions.policy import Action, allowed

account = current_account()
st.title("People")
if not allowed(account, Action.MANAGE_PEOPLE):
    st.error("Only administrators manage people.")
    st.stop()
ws = get_workspace()
accounts_tab, candidates_tab, data_tab = st.tabs(["Accounts", "Duplicate candidates", "Personal data requests"])
with accounts_tab:
    render_people(ws, actor=account)
with candidates_tab:
    render_candidate_merge(ws, actor=Actor.person(account))
with data_tab:
    render_privacy_requests(ws, actor=Actor.person(account))

"""A person's data on request (an admin's tool): pick a candidate, download everything about them, or erase it.

Erasing asks for the candidate's email typed again, so a slip of the picker cannot delete the wrong
person. Export and erasure run in the buttons' callbacks; their outcome is shown once on the next run.
"""

from __future__ import annotations

import streamlit as st

from core.candidates.services import every_candidate
from core.errors import AccessDenied, WorkspaceError
from core.models import Candidate, DataRequest, email_key
from core.permissions.actor import Actor
from core.privacy.person_erasure import erase_person
from core.privacy.person_export import export_name, export_person
from core.privacy.records import recent_requests
from core.workspace import Workspace

PICK_KEY = "privacy_candidate"
CONFIRM_KEY = "privacy_confirm"
EXPORT_KEY = "privacy_export"  # (candidate id, file name, zip bytes) of the last export prepared
OUTCOME_KEY = "privacy_outcome"  # (ok?, sentence) of the last action, shown once


def render_privacy_requests(ws: Workspace, *, actor: Actor) -> None:
    """The "Personal data requests" section: export a candidate's data as a zip, or erase it completely."""
    st.subheader("Personal data requests")
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome is not None:
        ok, sentence = outcome
        (st.success if ok else st.error)(sentence)
    try:
        candidates = {c.id: c for c in every_candidate(ws, actor=actor, limit=5000)}
    except AccessDenied as exc:  # the page shows this section to admins only; the service checks anyway
        st.error(str(exc))
        return
    if not candidates:
        st.caption("There are no candidates: nothing to export or erase.")
    else:
        chosen = st.selectbox(
            "Candidate",
            list(candidates),
            format_func=lambda cid: _label(candidates[cid]),
            index=None,
            key=PICK_KEY,
            placeholder="Choose the person who asked",
        )
        if chosen is not None:
            _render_export(ws, candidates[chosen], actor)
            _render_erase(ws, candidates[chosen], actor)
    _render_record(ws, actor)


def _render_export(ws: Workspace, candidate: Candidate, actor: Actor) -> None:
    st.markdown("**Export** — a zip of their profile, resumes, interviews (with recordings), bookings and notes.")
    prepared = st.session_state.get(EXPORT_KEY)
    if prepared is not None and prepared[0] == candidate.id:
        st.download_button(
            "Download the zip", prepared[2], file_name=prepared[1], mime="application/zip", on_click="ignore"
        )
    else:
        st.button("Prepare the export", key="privacy_export_button", on_click=_export, args=(ws, candidate.id, actor))


def _render_erase(ws: Workspace, candidate: Candidate, actor: Actor) -> None:
    st.markdown(
        "**Erase** — deletes their profile, resumes, interviews, recordings, bookings and webhook deliveries "
        "for good. A record that the erasure happened (with counts, no name or email) is kept."
    )
    what = "email address" if candidate.email_key else "candidate id"
    st.text_input(f"Type the candidate's {what} to confirm", key=CONFIRM_KEY)
    st.button(
        "Erase all their data", key="privacy_erase_button", type="primary", on_click=_erase, args=(ws, candidate, actor)
    )


def _render_record(ws: Workspace, actor: Actor) -> None:
    requests = recent_requests(ws, actor=actor, limit=10)
    if not requests:
        return
    st.caption("Recent requests (newest first)")
    st.dataframe([_row(r) for r in requests], hide_index=True)


def _row(request: DataRequest) -> dict[str, str]:
    when = f"{request.created_at:%Y-%m-%d %H:%M} UTC" if request.created_at else ""
    counts = ", ".join(f"{k} {v}" for k, v in request.counts.items())
    return {
        "when": when,
        "kind": request.kind.value,
        "candidate": request.subject or "—",
        "by": request.actor,
        "counts": counts,
    }


def _label(candidate: Candidate) -> str:
    email = f" · {candidate.email}" if candidate.email else ""
    return f"{candidate.name}{email} · {candidate.id[:8]}"  # option labels are plain text, never Markdown


def _export(ws: Workspace, candidate_id: str, actor: Actor) -> None:
    try:
        data = export_person(ws, candidate_id, actor=actor)
    except (WorkspaceError, OSError) as exc:
        st.session_state[OUTCOME_KEY] = (False, f"The export could not be made: {exc}")
        return
    st.session_state[EXPORT_KEY] = (candidate_id, export_name(ws, candidate_id), data)
    size = len(data) / (1024 * 1024)
    st.session_state[OUTCOME_KEY] = (True, f"The export is ready ({size:.1f} MB): download it below.")


def _erase(ws: Workspace, candidate: Candidate, actor: Actor) -> None:
    typed = st.session_state.get(CONFIRM_KEY) or ""
    expected_ok = email_key(typed) == candidate.email_key if candidate.email_key else typed.strip() == candidate.id
    if not typed.strip() or not expected_ok:
        what = "email address" if candidate.email_key else "id"
        st.session_state[OUTCOME_KEY] = (
            False,
            f"What you typed is not this candidate's {what}: nothing was erased.",
        )
        return
    try:
        request = erase_person(ws, candidate.id, actor=actor)
    except WorkspaceError as exc:
        st.session_state[OUTCOME_KEY] = (False, f"Nothing was erased: {exc}")
        return
    total = sum(request.counts.values())
    st.session_state[OUTCOME_KEY] = (
        True,
        f"Erased: {total} records and all their files are gone. Data request #{request.id} records it.",
    )
    for key in (PICK_KEY, CONFIRM_KEY, EXPORT_KEY):
        st.session_state.pop(key, None)

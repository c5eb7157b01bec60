"""Signing in with a password: the lock after repeated failures, sessions that expire, sign-out."""

from __future__ import annotations

import pytest

from core.accounts.services import JUST_SET_UP, add_account, create_first_admin, set_password, unlock, update_account
from core.accounts.sign_in import (
    WRONG,
    failure_delay,
    identity_account,
    resume,
    sign_in_with_password,
    sign_out,
    token_hash,
)
from core.config import Settings
from core.errors import AlreadyExists, InvalidInput, SignInRefused
from core.models import AccountRole
from core.permissions.actor import Actor
from core.workspace import Workspace
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import fake_workspace

PASSWORD = "a long enough password"
SET_UP = Actor.workspace("test set-up")


@pytest.fixture
def ws(uow: FakeUnitOfWork, clock: Clock) -> Workspace:
    settings = Settings.model_validate(
        {"accounts": {"lock_after_failures": 3, "lock_minutes": 15, "session_hours": 2, "max_session_days": 1}}
    )
    return fake_workspace(uow, clock, settings)


def test_the_first_visit_makes_the_admin_and_nobody_can_do_it_twice(ws: Workspace) -> None:
    admin = create_first_admin(ws, email="Ada@Example.com ", name="Ada", password=PASSWORD)
    assert set(admin.roles) >= {AccountRole.ADMIN} and admin.password_hash and PASSWORD not in admin.password_hash
    with pytest.raises(AlreadyExists) as too_late:
        create_first_admin(ws, email="eve@example.com", name="Eve", password=PASSWORD)
    assert str(too_late.value) == JUST_SET_UP
    assert sign_in_with_password(ws, "ada@example.com", PASSWORD).account.id == admin.id  # any case


def test_a_short_password_is_refused_with_what_to_do(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        create_first_admin(ws, email="ada@example.com", name="Ada", password="short")


def test_wrong_passwords_lock_the_account_until_the_lock_ends(ws: Workspace, clock: Clock) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(SignInRefused, match=WRONG):
            sign_in_with_password(ws, "ada@example.com", "not the password")
    with pytest.raises(SignInRefused, match="locked until"):
        sign_in_with_password(ws, "ada@example.com", "still not it")
    with pytest.raises(SignInRefused, match="locked until"):  # the right password does not open a lock
        sign_in_with_password(ws, "ada@example.com", PASSWORD)
    clock.advance(minutes=16)
    assert sign_in_with_password(ws, "ada@example.com", PASSWORD).account.failed_sign_ins == 0


def test_an_admin_unlocks_and_a_reset_ends_every_sign_in(ws: Workspace, uow: FakeUnitOfWork) -> None:
    admin = create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    bob = add_account(ws, email="bob@example.com", name="Bob", roles=["interviewer"], password=PASSWORD, actor=SET_UP)
    held = sign_in_with_password(ws, "bob@example.com", PASSWORD)
    for _ in range(3):
        with pytest.raises(SignInRefused):
            sign_in_with_password(ws, "bob@example.com", "wrong wrong wrong")
    unlock(ws, bob.id, actor=Actor.person(admin))
    set_password(ws, bob.id, "a brand new password", actor=Actor.person(admin))
    assert resume(ws, held.token).account is None  # the old sign-in is gone
    assert sign_in_with_password(ws, "bob@example.com", "a brand new password").account.id == bob.id
    assert [e.actor for e in uow.audit.latest() if e.action == "password_set"] == [admin.audit_name]


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(ws: Workspace) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    with pytest.raises(SignInRefused) as unknown:
        sign_in_with_password(ws, "nobody@example.com", PASSWORD)
    with pytest.raises(SignInRefused) as wrong:
        sign_in_with_password(ws, "ada@example.com", "not the password")
    assert str(unknown.value) == str(wrong.value) == WRONG


def test_the_delay_grows_with_failures_and_is_capped() -> None:
    assert [failure_delay(n) for n in (1, 2, 3, 10)] == [0.25, 0.5, 1.0, 4.0]


def test_a_sign_in_lasts_while_used_and_never_past_its_maximum(
    ws: Workspace, clock: Clock, uow: FakeUnitOfWork
) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    token = sign_in_with_password(ws, "ada@example.com", PASSWORD).token
    assert token_hash(token) in uow.state.sign_ins and token not in uow.state.sign_ins  # only the hash is kept
    for _ in range(10):  # used every 90 minutes: each use extends the 2-hour window…
        clock.advance(minutes=90)
        assert resume(ws, token).account is not None
    clock.advance(minutes=9 * 60)  # …but a day is the most a sign-in lasts, used or not
    gone = resume(ws, token)
    assert gone.account is None and gone.expired
    assert resume(ws, token).expired is False  # told once; then it is simply unknown


def test_an_idle_sign_in_expires(ws: Workspace, clock: Clock) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    token = sign_in_with_password(ws, "ada@example.com", PASSWORD).token
    clock.advance(minutes=121)
    assert resume(ws, token).expired


def test_sign_out_ends_the_session(ws: Workspace) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    token = sign_in_with_password(ws, "ada@example.com", PASSWORD).token
    sign_out(ws, token)
    assert resume(ws, token).account is None
    assert resume(ws, "made-up-token").account is None and resume(ws, None).account is None


def test_a_disabled_account_cannot_sign_in_or_stay_signed_in(ws: Workspace) -> None:
    admin = create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    bob = add_account(ws, email="bob@example.com", name="Bob", roles=["candidate"], password=PASSWORD, actor=SET_UP)
    token = sign_in_with_password(ws, "bob@example.com", PASSWORD).token
    update_account(ws, bob.id, active=False, actor=Actor.person(admin))
    assert resume(ws, token).account is None
    with pytest.raises(SignInRefused, match="disabled"):
        sign_in_with_password(ws, "bob@example.com", PASSWORD)


def test_the_last_admin_cannot_be_demoted_or_disabled(ws: Workspace) -> None:
    admin = create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    with pytest.raises(InvalidInput, match="last active administrator"):
        update_account(ws, admin.id, roles=["interviewer"], actor=Actor.person(admin))
    with pytest.raises(InvalidInput, match="last active administrator"):
        update_account(ws, admin.id, active=False, actor=Actor.person(admin))


def test_one_account_per_email(ws: Workspace) -> None:
    add_account(ws, email="bob@example.com", name="Bob", roles=["candidate"], actor=SET_UP)
    with pytest.raises(AlreadyExists):
        add_account(ws, email=" BOB@example.com", name="Bob again", roles=["candidate"], actor=SET_UP)


def test_an_identity_provider_signs_in_invited_people_and_allow_listed_domains(
    uow: FakeUnitOfWork, clock: Clock
) -> None:
    settings = Settings.model_validate({"accounts": {"oidc_enabled": True, "oidc_allowed_domains": ["acme.test"]}})
    ws = fake_workspace(uow, clock, settings)
    invited = add_account(ws, email="zoe@elsewhere.test", name="Zoe", roles=["reviewer"], actor=SET_UP)  # no password
    assert identity_account(ws, email="ZOE@elsewhere.test", email_verified=True, name="Zoe").id == invited.id
    newcomer = identity_account(ws, email="sam@acme.test", email_verified=True, name="Sam")
    assert newcomer.roles == [AccountRole.CANDIDATE] and newcomer.password_hash is None
    with pytest.raises(SignInRefused, match="not been invited"):
        identity_account(ws, email="mallory@evil.test", email_verified=True, name="Mallory")
    with pytest.raises(SignInRefused, match="did not confirm"):
        identity_account(ws, email="sam@acme.test", email_verified=False, name="Sam")
    with pytest.raises(SignInRefused):  # an invitation has no password: it cannot be guessed
        sign_in_with_password(ws, "zoe@elsewhere.test", "")

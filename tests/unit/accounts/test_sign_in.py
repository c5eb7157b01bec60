"""Signing in with a password: the lock after repeated failures, sessions that expire, sign-out."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from argon2 import extract_parameters

from core.accounts import passwords
from core.accounts.failed_sign_ins import failure_key
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


def refusals(ws: Workspace, email: str, password: str, times: int) -> list[tuple[str, float]]:
    """What each of `times` sign-ins is answered (a refusal each), and how long the answer waits."""
    answers = []
    for _ in range(times):
        with pytest.raises(SignInRefused) as refused:
            sign_in_with_password(ws, email, password)
        answers.append((str(refused.value), failure_delay(refused.value.failures)))
    return answers


def test_an_address_with_no_account_is_slowed_and_locked_like_an_account_with_a_wrong_password(
    ws: Workspace, clock: Clock
) -> None:
    """A prober compares the answers, their delays and the lock: all must be the same for both."""
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    known = refusals(ws, "ada@example.com", "not the password", 5)
    unknown = refusals(ws, "nobody@example.com", "not the password", 5)
    assert known == unknown
    assert [delay for _, delay in known] == [0.25, 0.5, 1.0, 1.0, 1.0]  # locked at the third, as settings say
    assert [text for text, _ in known[:2]] == [WRONG, WRONG]
    assert all(text.startswith("Too many wrong passwords: this account is locked until") for text, _ in known[2:])
    # the right password does not open the lock; any password on the unknown address is answered the same
    assert refusals(ws, "ada@example.com", PASSWORD, 1) == refusals(ws, "NOBODY@example.com ", PASSWORD, 1)
    clock.advance(minutes=16)  # the lock has ended, the failures in a row have not: one more locks again
    again = refusals(ws, "ada@example.com", "still wrong", 1)
    assert again == refusals(ws, "nobody@example.com", "still wrong", 1)
    assert again[0][0].startswith("Too many wrong passwords") and again[0][1] == 2.0
    clock.advance(minutes=16)
    assert sign_in_with_password(ws, "ada@example.com", PASSWORD).account.failed_sign_ins == 0


def test_only_an_accounts_failures_are_audited_and_no_address_is_stored_in_clear(
    ws: Workspace, uow: FakeUnitOfWork
) -> None:
    admin = create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    refusals(ws, "ada@example.com", "not the password", 3)
    refusals(ws, "nobody@example.com", "not the password", 3)
    failed = [e for e in uow.audit.latest() if e.action == "sign_in_failed"]
    assert [(e.actor, e.detail["failures"]) for e in failed] == [(admin.audit_name, n) for n in (1, 2, 3)]
    assert "locked_until" in failed[-1].detail and uow.state.accounts[admin.id].locked_until is not None
    stored = repr(uow.state.sign_in_failures) + repr(uow.state.audit)
    assert "nobody" not in stored and "ada@" not in stored
    keys = {failure_key(ws.settings.accounts, email) for email in ("ADA@example.com", "nobody@example.com")}
    assert set(uow.state.sign_in_failures) == keys


def test_failures_are_counted_under_a_keyed_hash_when_the_workspace_has_a_key() -> None:
    keyed = Settings.model_validate({"accounts": {"failure_key": "k" * 40}}).accounts
    unkeyed = Settings().accounts
    expected = hmac.new(b"k" * 40, b"nobody@example.com", hashlib.sha256).hexdigest()
    assert failure_key(keyed, " Nobody@Example.COM") == failure_key(keyed, "nobody@example.com") == expected
    assert failure_key(unkeyed, "nobody@example.com") != expected
    assert failure_key(unkeyed, "nobody@example.com") != hashlib.sha256(b"nobody@example.com").hexdigest()
    assert "k" * 40 not in repr(keyed)  # a SecretStr: never printed with the settings


def test_unlocking_or_a_new_password_clears_the_count(ws: Workspace, uow: FakeUnitOfWork) -> None:
    admin = create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    bob = add_account(ws, email="bob@example.com", name="Bob", roles=["interviewer"], password=PASSWORD, actor=SET_UP)
    refusals(ws, "bob@example.com", "wrong wrong wrong", 3)
    unlock(ws, bob.id, actor=Actor.person(admin))
    assert uow.state.accounts[bob.id].failed_sign_ins == 0 and not uow.state.sign_in_failures
    assert [delay for _, delay in refusals(ws, "bob@example.com", "wrong wrong wrong", 2)] == [0.25, 0.5]  # anew
    set_password(ws, bob.id, "a brand new password", actor=Actor.person(admin))
    assert not uow.state.sign_in_failures
    assert refusals(ws, "bob@example.com", "wrong wrong wrong", 2)[-1] == (WRONG, 0.5)  # two, not four: no lock
    assert sign_in_with_password(ws, "bob@example.com", "a brand new password").account.id == bob.id
    assert not uow.state.sign_in_failures  # a sign-in clears it as well


def test_an_account_added_for_a_probed_address_starts_unlocked(ws: Workspace) -> None:
    refusals(ws, "bob@example.com", "wrong wrong wrong", 3)  # locked before Bob had an account
    add_account(ws, email="bob@example.com", name="Bob", roles=["interviewer"], password=PASSWORD, actor=SET_UP)
    assert sign_in_with_password(ws, "bob@example.com", PASSWORD).account.name == "Bob"


def test_failures_are_forgotten_a_day_after_the_last_and_their_records_deleted(
    ws: Workspace, clock: Clock, uow: FakeUnitOfWork
) -> None:
    create_first_admin(ws, email="ada@example.com", name="Ada", password=PASSWORD)
    for email in ("ada@example.com", "nobody@example.com"):
        refusals(ws, email, "not the password", 2)
    clock.advance(minutes=23 * 60)  # still remembered: the next failure is the third in a row, and locks
    assert refusals(ws, "ada@example.com", "x", 1) == refusals(ws, "nobody@example.com", "x", 1)
    assert refusals(ws, "ada@example.com", "x", 1)[0][0].startswith("Too many wrong passwords")
    clock.advance(minutes=24 * 60 + 1)  # a day after the last failure: forgotten, for both alike
    assert refusals(ws, "ada@example.com", "x", 1) == refusals(ws, "nobody@example.com", "x", 1) == [(WRONG, 0.25)]
    clock.advance(minutes=24 * 60 + 1)
    refusals(ws, "someone@example.com", "x", 1)  # any failure deletes the records no longer remembered
    assert set(uow.state.sign_in_failures) == {failure_key(ws.settings.accounts, "someone@example.com")}


def test_an_unknown_address_costs_the_same_password_check_as_an_account() -> None:
    """argon2 runs on both paths: against a decoy hash made with the parameters of a real one."""
    assert extract_parameters(passwords.DECOY_HASH) == extract_parameters(passwords.hash_password(PASSWORD))
    assert not passwords.verify(None, "not a password anyone has")  # the decoy's own password opens nothing


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

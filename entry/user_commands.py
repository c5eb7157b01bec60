"""`python -m core users add|reset|list|unlock`: accounts from the server's shell, for the first admin on a
headless server, a forgotten password, or a locked-out admin. Whoever runs it holds the server, so it is
trusted like an admin; passwords are read from the terminal (or stdin), never from arguments."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.errors import InvalidInput
from core.models import AccountRole
from core.permissions.actor import Actor

if TYPE_CHECKING:
    from core.workspace import Workspace

CLI_ACTOR = Actor.workspace("cli")  # the audit log's name for whoever holds the server's shell


def add_user_commands(commands: argparse._SubParsersAction, workspace: Callable[[], Workspace]) -> None:
    users = commands.add_parser("users", help="accounts: add, reset a password, unlock, list")
    u_commands = users.add_subparsers(dest="users_command", required=True)
    add = u_commands.add_parser("add", help="add a person who signs in")
    add.add_argument("email")
    add.add_argument("--name", required=True)
    add.add_argument(
        "--role", action="append", choices=[r.value for r in AccountRole], help="repeat for several (default candidate)"
    )
    add.add_argument("--team", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin (scripts)")
    add.add_argument("--invite", action="store_true", help="no password: they sign in through the identity provider")
    add.set_defaults(func=lambda args: _add(args, workspace()))
    reset = u_commands.add_parser("reset", help="set a new password (also unlocks and ends their sign-ins)")
    reset.add_argument("email")
    reset.add_argument("--password-stdin", action="store_true")
    reset.set_defaults(func=lambda args: _reset(args, workspace()))
    unlock = u_commands.add_parser("unlock", help="lift a lock after too many wrong passwords")
    unlock.add_argument("email")
    unlock.set_defaults(func=lambda args: _unlock(args, workspace()))
    u_commands.add_parser("list", help="everyone with an account").set_defaults(func=lambda args: _list(workspace()))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise InvalidInput("The two passwords differ.")
    return first


def _add(args: argparse.Namespace, ws: Workspace) -> int:
    from core.accounts.services import add_account

    password = None if args.invite else _password(args.password_stdin)
    account = add_account(
        ws, email=args.email, name=args.name, roles=args.role or ["candidate"], team=args.team, password=password,
        actor=CLI_ACTOR,
    )  # fmt: skip
    roles = ", ".join(account.roles)
    print(
        f"added {account.email} ({roles})"
        + (" — invited: signs in through the identity provider" if args.invite else "")
    )
    return 0


def _reset(args: argparse.Namespace, ws: Workspace) -> int:
    from core.accounts.services import find_account, set_password

    account = find_account(ws, args.email)
    set_password(ws, account.id, _password(args.password_stdin), actor=CLI_ACTOR)
    print(f"new password set for {account.email}; the account is unlocked and its sign-ins ended")
    return 0


def _unlock(args: argparse.Namespace, ws: Workspace) -> int:
    from core.accounts.services import find_account, unlock

    account = find_account(ws, args.email)
    unlock(ws, account.id, actor=CLI_ACTOR)
    print(f"unlocked {account.email}")
    return 0


def _list(ws: Workspace) -> int:
    from core.accounts.services import list_accounts

    accounts = list_accounts(ws)
    if not accounts:
        print("No accounts yet: the first visit to the workspace creates the admin, or run `users add`.")
        return 0
    for a in accounts:
        state = "active" if a.active else "disabled"
        print(f"{a.email:40}  {a.name:24}  {','.join(a.roles):32}  {a.team or '—':12}  {state}")
    return 0

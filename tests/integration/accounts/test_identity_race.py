"""Two tabs of one person signing in through the identity provider for the first time, at the same moment:
both find no account, both create one, the database keeps one. Each tab must sign in to that account, not
show an error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.accounts.sign_in import identity_account
from core.config import Settings
from core.models import Account
from entry.bootstrap import build_workspace

TABS = 6


def test_tabs_joining_at_once_all_sign_in_to_one_account(database_url: str, tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {
            "database_url": database_url,
            "runtime_dir": str(tmp_path / "runtime"),
            "accounts": {"oidc_enabled": True, "oidc_allowed_domains": ["acme.test"]},
        }
    )
    ws = build_workspace(settings)
    for round_ in range(4):
        email = f"sam{round_}@acme.test"
        start = threading.Barrier(TABS)

        def tab(email: str = email, start: threading.Barrier = start) -> Account:
            start.wait()
            return identity_account(ws, email=email, email_verified=True, name="Sam")

        with ThreadPoolExecutor(TABS) as pool:
            accounts = [f.result() for f in [pool.submit(tab) for _ in range(TABS)]]
        assert len({a.id for a in accounts}) == 1
        with ws.uow_factory() as uow:
            assert sum(1 for a in uow.accounts.all() if a.email == email) == 1

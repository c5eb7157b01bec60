"""Where the server listens: startup.sh on this machine only unless told otherwise; the container and the
compose services on every interface, with the same server.py, whose sign-in cannot be switched off.

startup.sh is run for real in a copy of the repository's layout whose setup.sh, Python and Streamlit are
stand-ins that record how they were called (installing and serving are other tests' business)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from core.config import AccountSettings

ROOT = Path(__file__).resolve().parents[3]
RECORDER = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$CALLS"
"""


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """startup.sh beside a setup.sh and a .venv whose programs only write down their arguments."""
    shutil.copy(ROOT / "startup.sh", tmp_path / "startup.sh")
    for program in (
        tmp_path / "setup.sh",
        tmp_path / ".venv" / "bin" / "python",
        tmp_path / ".venv" / "bin" / "streamlit",
    ):
        program.parent.mkdir(parents=True, exist_ok=True)
        program.write_text(RECORDER)
        program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return tmp_path


def started_server(layout: Path, **env: str) -> list[str]:
    calls = layout / "calls.txt"
    calls.unlink(missing_ok=True)
    environment = {k: v for k, v in os.environ.items() if k not in {"ADDRESS", "PORT"}}
    subprocess.run(
        ["bash", str(layout / "startup.sh")], env={**environment, **env, "CALLS": str(calls)}, check=True, timeout=60
    )
    [server] = [line.split() for line in calls.read_text().splitlines() if line.startswith("streamlit ")]
    return server


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_startup_listens_on_this_machine_only_unless_an_address_is_given(layout: Path) -> None:
    server = started_server(layout)
    assert server[:3] == ["streamlit", "run", "server.py"]
    assert option(server, "--server.address") == "127.0.0.1"
    assert option(server, "--server.port") == "8501"
    assert option(started_server(layout, ADDRESS="0.0.0.0"), "--server.address") == "0.0.0.0"


def test_the_container_and_compose_publish_server_py_on_every_interface_with_sign_in_on() -> None:
    [cmd] = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    shell = json.loads(cmd.removeprefix("CMD "))[-1]
    served = shlex.split(re.split(r"exec ", shell)[-1])
    assert served[:3] == ["streamlit", "run", "server.py"] and option(served, "--server.address") == "0.0.0.0"

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    workspace = compose["services"]["workspace"]
    assert workspace["command"][:3] == ["streamlit", "run", "server.py"]
    assert option(workspace["command"], "--server.address") == "0.0.0.0"
    # server.py always mounts the sign-in (tests/e2e/test_sign_in.py: every page goes to /signin first); nothing
    # in the container's environment or the settings turns it off
    accounts = {key for key in workspace["environment"] if key.startswith("IW_ACCOUNTS")}
    assert accounts <= {"IW_ACCOUNTS__FAILURE_KEY"}  # only the key of the failed-sign-in counts
    assert not {"enabled", "sign_in", "required"} & set(AccountSettings.model_fields)

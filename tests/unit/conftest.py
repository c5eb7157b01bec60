"""Fixtures for service unit tests: a fake unit of work, a clock the test moves, a Workspace around both.

A test module that needs another start time overrides `clock`; one that needs stored data first
overrides `uow`.
"""

from __future__ import annotations

import pytest

from core.workspace import Workspace
from tests.clock import Clock
from tests.fakes import FakeUnitOfWork
from tests.unit.fake_workspace import START, fake_workspace


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def ws(uow: FakeUnitOfWork, clock: Clock) -> Workspace:
    return fake_workspace(uow, clock)

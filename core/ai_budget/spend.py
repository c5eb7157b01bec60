"""What the LLM providers cost this month, against the budget: "$3.20 of $50 this month".

A month is the UTC calendar month of ws.clock(). The figures are sums of token_usage.cost_usd (core.llm.pricing:
a model without a price in config counts nothing), for the whole workspace and for the sessions one person owns
(their practice interviews, the live sessions they run). A session erased or expired takes its usage with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from core.models import Account
from core.permissions.access import authorize_action
from core.permissions.actor import Actor
from core.permissions.policy import Action
from core.unit_of_work import UnitOfWork
from core.workspace import Workspace


@dataclass(frozen=True)
class Spend:
    spent_usd: float
    limit_usd: float | None  # None: no limit

    @property
    def reached(self) -> bool:
        return self.limit_usd is not None and self.spent_usd >= self.limit_usd

    @property
    def share(self) -> float | None:
        """How much of the limit is used, 0–1 (for a progress bar); None without a limit."""
        return None if not self.limit_usd else min(self.spent_usd / self.limit_usd, 1.0)

    def text(self) -> str:
        """ "$3.20 of $50 this month", or "$3.20 this month (no limit)"."""
        if self.limit_usd is None:
            return f"{usd(self.spent_usd)} this month (no limit)"
        return f"{usd(self.spent_usd)} of {usd(self.limit_usd, cents=False)} this month"


@dataclass(frozen=True)
class MonthlySpend:
    month_start: datetime
    next_month: datetime
    workspace: Spend
    person: Spend | None  # the asking person's own; None for the workspace itself


@dataclass(frozen=True)
class PersonSpend:
    account_id: str | None  # None: sessions nobody owns (booked, or made on the command line)
    name: str
    spend: Spend


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[first instant of now's UTC month, first instant of the next)."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (
        start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    )
    return start, following


def monthly_spend(ws: Workspace, *, actor: Actor) -> MonthlySpend:
    """This month's spend for the workspace and for `actor` (anyone may see both: the page tells them why the
    model stopped)."""
    start, following = month_bounds(ws.clock())
    budget = ws.settings.llm_budget
    with ws.uow_factory() as uow:
        workspace = Spend(uow.token_usage.cost_between(start, following), budget.workspace_limit)
        person = _person_spend(uow, actor.account, start, following, budget.person_limit)
    return MonthlySpend(start, following, workspace, person)


def spend_by_person(ws: Workspace, *, actor: Actor) -> list[PersonSpend]:
    """This month's spend per person who spent anything, most first (admins: who is near their limit)."""
    authorize_action(ws.settings, actor, Action.VIEW_AI_SPEND)
    start, following = month_bounds(ws.clock())
    limit = ws.settings.llm_budget.person_limit
    with ws.uow_factory() as uow:
        costs = uow.token_usage.cost_by_owner(start, following)
        names = {account.id: account.name for account in uow.accounts.all()}
    found = [
        PersonSpend(
            owner,
            names.get(owner, "a removed account") if owner else "Nobody's (booked or command line)",
            Spend(cost, limit if owner else None),
        )
        for owner, cost in costs.items()
        if cost > 0
    ]
    return sorted(found, key=lambda p: (-p.spend.spent_usd, p.name))


def usd(amount: float, *, cents: bool = True) -> str:
    """ "$3.20"; a whole limit without cents ("$50"); a spend under a cent as "under $0.01"."""
    if 0 < amount < 0.005:
        return "under $0.01"
    if not cents and amount == int(amount):
        return f"${int(amount):,}"
    return f"${amount:,.2f}"


def _person_spend(
    uow: UnitOfWork, account: Account | None, start: datetime, following: datetime, limit: float | None
) -> Spend | None:
    if account is None:
        return None
    return Spend(uow.token_usage.cost_between(start, following, owner_id=account.id), limit)

"""The monthly cloud budget per workspace: tokens, money from a price table, or both. Pure.

`routing.monthly_cloud_token_budget` counts cloud tokens; `routing.monthly_cloud_budget` counts
money, pricing each model's input and output tokens with `[routing.prices]` (per 1,000 tokens,
looked up as "provider:model", then "model", then "*"). Cloud usage with no price is counted at
zero and reported as unpriced, so a missing entry is visible in /usage rather than silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class _Price(Protocol):
    input: float
    output: float


@dataclass(frozen=True)
class BudgetState:
    tokens: int  # cloud tokens this month
    cost: float  # priced cloud spend this month
    unpriced_models: tuple[str, ...]  # cloud models used this month without a price
    token_budget: int  # 0 = none
    money_budget: float  # 0 = none
    currency: str = "USD"

    @property
    def exhausted(self) -> bool:
        return bool(self.token_budget and self.tokens >= self.token_budget) or bool(
            self.money_budget and self.cost >= self.money_budget
        )

    def describe(self) -> str:
        """One line for /usage, e.g. "Monthly cloud budget: 1.23 of 5.00 USD (available)"."""
        parts = []
        if self.token_budget:
            parts.append(f"{self.tokens:,} of {self.token_budget:,} tokens")
        if self.money_budget:
            parts.append(f"{self.cost:,.2f} of {self.money_budget:,.2f} {self.currency}")
        line = f"Monthly cloud budget: {' and '.join(parts)} ({'spent' if self.exhausted else 'available'})."
        if self.unpriced_models:
            line += f" No price for {', '.join(self.unpriced_models)} — counted as 0."
        return line


def month_start(now: dt.datetime | None = None) -> float:
    now = now or dt.datetime.now(dt.UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


def price_for(prices: Mapping[str, _Price], provider: str, model: str) -> _Price | None:
    return prices.get(f"{provider}:{model}") or prices.get(model) or prices.get("*")


def budget_state(
    usage_rows: Iterable[Mapping[str, Any]],
    prices: Mapping[str, _Price],
    *,
    token_budget: int,
    money_budget: float,
    currency: str = "USD",
) -> BudgetState:
    """Sum this month's cloud rows (as returned by `Store.usage`) into tokens and cost."""
    tokens, cost, unpriced = 0, 0.0, []
    for row in usage_rows:
        if row.get("locality") != "cloud":
            continue
        prompt, completion = int(row.get("prompt_tokens") or 0), int(row.get("completion_tokens") or 0)
        tokens += prompt + completion
        price = price_for(prices, row["provider"], row["model"])
        if price is None:
            unpriced.append(f"{row['provider']}:{row['model']}")
            continue
        cost += prompt / 1000 * price.input + completion / 1000 * price.output
    return BudgetState(tokens, cost, tuple(unpriced), token_budget, money_budget, currency)

"""The [slack] config section (no secrets here: tokens come from the environment)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SlackConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

"""The [discord] config section (no secrets here: the token comes from the environment)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class DiscordConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

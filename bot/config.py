"""One validated settings object: an optional TOML file, then environment variables.

Secrets (API keys, platform tokens) come only from the environment and are never part of this
object's TOML surface, so a config file can be shared or committed safely.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError, create_model, field_validator, model_validator

from bot.config_features import (  # noqa: F401  re-exported: settings sections are imported from bot.config
    AgentsConfig,
    AttachmentsConfig,
    FetchUrlConfig,
    LimitsConfig,
    MemoryConfig,
    ToolsConfig,
)
from bot.config_providers import (  # noqa: F401
    CatalogConfig,
    EmbeddedConfig,
    EndpointConfig,
    GenerationConfig,
    ModelGeneration,
    OllamaConfig,
    OpenAIConfig,
    ResilienceConfig,
)
from bot.config_section import Section as _Section
from bot.knowledge.config import KnowledgeConfig, Locality, check_embedder
from bot.tools.mcp_config import McpConfig

PrivacyLevel = Literal["local-only", "standard", "redact", "cloud-ok"]
PRIVACY_LEVELS: tuple[str, ...] = ("local-only", "standard", "redact", "cloud-ok")  # strictest first


class BotConfig(_Section):
    name: str = "hybridbot"
    database: str = "hybridbot.db"
    agents_dir: str = "agents"
    default_agent: str = "general"
    max_message_chars: int = Field(20_000, ge=100, le=1_000_000)
    max_answer_tokens: int = Field(1024, ge=16, le=32_768)
    # The prompt window is the model's context length capped here: a 128k-token cloud model would
    # otherwise be sent (and billed for) the whole history on every turn; older turns live in the summary.
    max_context_tokens: int = Field(8192, ge=1024, le=1_000_000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    log_format: Literal["text", "json"] = "text"
    # UNSAFE: lets client libraries (Bolt, slack-sdk, discord.py, aiohttp…) log request and event bodies at
    # DEBUG — message text, display names and personal data. Only to debug a protocol problem, never in production.
    log_payloads: bool = False
    message_ttl_days: float = Field(0, ge=0)  # stored messages older than this are deleted; 0 = keep


class ModelPrice(_Section):
    """Price per 1,000 tokens, in `routing.currency`."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class RoutingConfig(_Section):
    default_model: str = "auto"
    prefer_local: bool = True
    # Difficulty routing (README "Routing by difficulty"): the learned scorer's score is a calibrated
    # probability that a local answer would be clearly worse; set threshold OR target_cloud_share.
    scorer: Literal["learned", "heuristic"] = "learned"
    threshold: float | None = Field(None, ge=0.0, le=1.0)  # None: the model's own (0.5)
    target_cloud_share: float | None = Field(None, gt=0.0, lt=1.0)  # e.g. 0.3: about 30 % of turns to the cloud
    complexity_threshold: float = Field(0.6, ge=0.0, le=1.0)  # only for scorer = "heuristic" (bot.complexity)
    # 👎/🔁/👍 on local answers are kept as routing labels (score and cue kinds); the prompt text only if true
    keep_prompts_for_training: bool = False
    # A local model's second opinion on borderline scores (bot/routing_judge.py): asked when the score is
    # within judge_band of the threshold; after judge_timeout seconds the learned score decides.
    judge: Literal["off", "local"] = "off"
    judge_band: float = Field(0.15, gt=0.0, le=0.5)
    judge_timeout: float = Field(1.5, gt=0.0, le=30.0)
    local_model: str = ""
    cloud_model: str = ""
    monthly_cloud_token_budget: int = Field(0, ge=0)
    monthly_cloud_budget: float = Field(0.0, ge=0)  # money per workspace per month, priced by [routing.prices]
    currency: str = Field("USD", min_length=1, max_length=8)
    prices: dict[str, ModelPrice] = Field(default_factory=dict)  # "provider:model", "model" or "*" → price

    @field_validator("default_model")
    @classmethod
    def _model_setting(cls, value: str) -> str:
        if value in ("auto", "local", "cloud") or ":" in value:
            return value
        raise ValueError("must be 'auto', 'local', 'cloud' or 'provider:model'")

    @field_validator("local_model", "cloud_model")
    @classmethod
    def _model_ref(cls, value: str) -> str:
        if value and ":" not in value:
            raise ValueError("must be 'provider:model' (for example 'ollama:llama3.2:3b') or empty")
        return value

    @model_validator(mode="after")
    def _one_cut(self) -> RoutingConfig:
        if self.threshold is not None and self.target_cloud_share is not None:
            raise ValueError(
                "set either threshold or target_cloud_share, not both: threshold is a fixed score cut-off, "
                "target_cloud_share picks the cut-off that sends about that share of turns to the cloud"
            )
        return self

    @model_validator(mode="after")
    def _priced_budget(self) -> RoutingConfig:
        if self.monthly_cloud_budget and not self.prices:
            raise ValueError(
                "monthly_cloud_budget needs a price table: add [routing.prices] entries such as "
                '"openai:gpt-4o" = { input = 0.0025, output = 0.01 } (per 1,000 tokens), or "*" for any model'
            )
        return self


class PrivacyConfig(_Section):
    default_level: PrivacyLevel = "standard"
    dm_level: PrivacyLevel = "local-only"
    # Per channel id: a floor. /privacy there may choose a stricter level, never a looser one...
    channels: dict[str, PrivacyLevel] = Field(default_factory=dict)
    # ...unless the operator lets channel admins loosen these levels (then they are only defaults).
    allow_loosening: bool = False
    # A local model's second opinion on messages the rules find borderline (bot/privacy_judge.py): it can
    # only make a turn more private; no verdict within judge_budget seconds counts as sensitive.
    judge: Literal["off", "local"] = "off"
    judge_budget: float = Field(2.0, gt=0.0, le=30.0)
    # Images are not read before routing, so they go to local vision models only, unless "follow-level"
    # (then an image goes where the message's text may go, cloud included). README "Files and images".
    images: Literal["local", "follow-level"] = "local"


def stricter(a: str, b: str) -> str:
    """The stricter of two privacy levels (PRIVACY_LEVELS runs from strictest to loosest)."""
    return a if PRIVACY_LEVELS.index(a) <= PRIVACY_LEVELS.index(b) else b


class OpsConfig(_Section):
    """The operations HTTP server (/healthz, /readyz, /metrics) started by `hybridbot run`."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(9464, ge=0, le=65_535)


class CoreSettings(_Section):
    """The core's sections; `Settings` adds the installed adapters' sections (see below)."""

    bot: BotConfig = Field(default_factory=BotConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    ollama: OllamaConfig = Field(default_factory=OllamaConfig)
    openai: OpenAIConfig = Field(default_factory=OpenAIConfig)
    endpoints: list[EndpointConfig] = Field(default_factory=list)
    embedded: EmbeddedConfig = Field(default_factory=EmbeddedConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    resilience: ResilienceConfig = Field(default_factory=ResilienceConfig)
    ops: OpsConfig = Field(default_factory=OpsConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    tools: ToolsConfig = Field(default_factory=ToolsConfig)
    agents: AgentsConfig = Field(default_factory=AgentsConfig)
    mcp: McpConfig = Field(default_factory=McpConfig)  # [[mcp.servers]]: MCP servers as tools (README "MCP servers")
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)  # bot/knowledge/config.py
    attachments: AttachmentsConfig = Field(default_factory=AttachmentsConfig)
    memory: MemoryConfig = Field(default_factory=MemoryConfig)

    # Secrets: filled from the environment only, excluded from dumps.
    secrets: dict[str, str] = Field(default_factory=dict, exclude=True)
    source: str = Field("defaults", exclude=True)

    @field_validator("endpoints")
    @classmethod
    def _unique_endpoint_names(cls, value: list[EndpointConfig]) -> list[EndpointConfig]:
        names = [e.name for e in value]
        reserved = {"ollama", "openai", "embedded"}
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"endpoint name '{name}' is used twice")
            if name in reserved:
                raise ValueError(f"endpoint name '{name}' is reserved for the built-in provider")
        return value

    @model_validator(mode="after")
    def _knowledge_embedder(self) -> CoreSettings:
        localities: dict[str, Locality] = {"ollama": "local", "openai": self.openai.locality}
        localities |= {e.name: e.locality for e in self.endpoints}
        check_embedder(self.knowledge, localities)  # bot/knowledge/config.py
        return self

    def secret(self, name: str) -> str:
        return self.secrets.get(name, "")

    if TYPE_CHECKING:  # an adapter's section (settings.slack…), added at run time by _with_adapter_sections

        def __getattr__(self, name: str) -> Any: ...


# Adapters register their config sections as entry points in this group (pyproject.toml), so the core
# imports none of them and Settings stays strict: an unknown section or key fails at start-up.
SECTIONS_GROUP = "hybridbot.config_sections"


def _with_adapter_sections(core: type[CoreSettings]) -> type[CoreSettings]:
    sections: dict[str, Any] = {}
    for entry in entry_points(group=SECTIONS_GROUP):
        model = entry.load()
        sections[entry.name] = (model, Field(default_factory=model))
    return create_model("Settings", __base__=core, __module__=__name__, **sections)


if TYPE_CHECKING:
    Settings = CoreSettings
else:
    Settings = _with_adapter_sections(CoreSettings)


class ConfigError(Exception):
    """Bad configuration: the message names the key at fault and the fix."""


# Environment variables the bot reads, with what they set. Secrets are marked.
ENV_VARS: dict[str, str] = {
    "HYBRIDBOT_CONFIG": "path of the TOML config file",
    "HYBRIDBOT_DATABASE": "bot.database",
    "HYBRIDBOT_LOG_LEVEL": "bot.log_level",
    "HYBRIDBOT_LOG_FORMAT": "bot.log_format",
    "OLLAMA_HOST": "ollama.host",
    "OPENAI_BASE_URL": "openai.base_url",
    "OPENAI_API_KEY": "secret: OpenAI API key (enables the openai provider)",
    "SLACK_BOT_TOKEN": "secret: Slack bot token",
    "SLACK_APP_TOKEN": "secret: Slack app-level token (Socket Mode)",
    "SLACK_SIGNING_SECRET": "secret: Slack signing secret (HTTP mode)",
    "DISCORD_TOKEN": "secret: Discord bot token",
}
SECRET_ENV_VARS = tuple(k for k, v in ENV_VARS.items() if v.startswith("secret:"))
_ENV_OVERRIDES = {k: v for k, v in ENV_VARS.items() if "." in v and not v.startswith("secret:")}


def _known_keys(model: type[BaseModel]) -> list[str]:
    return [name for name, f in model.model_fields.items() if not f.exclude]


def _section_model(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Settings
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:  # a key of a dict of sections (a model pattern, a price key): same section
            continue
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return model


def _describe(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    key = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
    if error["type"] == "extra_forbidden":
        section = _section_model(loc)
        known = _known_keys(section) if section else []
        hint = ""
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        if close:
            hint = f" Did you mean '{close[0]}'?"
        elif any(w in str(loc[-1]).lower() for w in ("key", "token", "secret", "password")):
            hint = " Secrets are read only from environment variables (see the README)."
        elif known:
            hint = f" Known keys here: {', '.join(known)}."
        return f"'{key}' is not a setting.{hint}"
    if not loc:  # a check across sections: its message names the keys
        return str(error["msg"]).removeprefix("Value error, ") + "."
    return f"'{key}': {error['msg']} (got {error.get('input')!r})."


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist. Fix the path or unset HYBRIDBOT_CONFIG.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}. Fix the syntax there.") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}.") from None


def _set_dotted(data: dict[str, Any], dotted: str, value: str) -> None:
    section, key = dotted.split(".", 1)
    target = data.setdefault(section, {})
    if isinstance(target, dict):
        target[key] = value


def load_settings(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Load and validate settings; raise ConfigError with a precise message on any problem."""
    env = dict(os.environ if env is None else env)
    path = path or env.get("HYBRIDBOT_CONFIG") or None
    data: dict[str, Any] = _read_toml(Path(path)) if path else {}
    for var, dotted in _ENV_OVERRIDES.items():
        if env.get(var):
            _set_dotted(data, dotted, env[var])
    if "OLLAMA_HOST" in env and env["OLLAMA_HOST"]:
        _set_dotted(data, "ollama.host", normalise_ollama_host(env["OLLAMA_HOST"]))
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        where = f"in {path}" if path else "in the environment"
        problems = "\n".join(f"  - {_describe(e)}" for e in exc.errors())
        raise ConfigError(f"invalid configuration {where}:\n{problems}") from None
    settings.secrets = {k: env[k] for k in SECRET_ENV_VARS if env.get(k)}
    settings.source = str(path) if path else "defaults + environment"
    return settings


def normalise_ollama_host(host: str) -> str:
    """Accept Ollama's own forms ('0.0.0.0', 'host:port', 'http://host:port')."""
    host = host.strip().rstrip("/")
    if "://" not in host:
        host = f"http://{host}"
    scheme, rest = host.split("://", 1)
    if rest.startswith("0.0.0.0"):
        rest = "127.0.0.1" + rest[len("0.0.0.0") :]
    if ":" not in rest.split("/", 1)[0]:
        rest = rest.replace("/", ":11434/", 1) if "/" in rest else f"{rest}:11434"
    return f"{scheme}://{rest}"


def redacted_dump(settings: Settings) -> dict[str, Any]:
    """The effective configuration for display: secrets shown only as set/unset."""
    data = settings.model_dump()
    data["secrets (environment)"] = {
        name: ("set (redacted)" if settings.secret(name) else "not set") for name in SECRET_ENV_VARS
    }
    for endpoint in data.get("endpoints", []):
        var = endpoint.get("api_key_env")
        if var:
            endpoint["api_key"] = "set (redacted)" if os.environ.get(var) else "not set"
    return data

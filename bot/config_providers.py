"""Config sections for the model providers: Ollama, OpenAI-compatible endpoints, the embedded model, generation
defaults per model, the catalog and resilience (re-exported by bot/config.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.config_section import Section as _Section


class OllamaConfig(_Section):
    enabled: bool = True
    host: str = "http://127.0.0.1:11434"
    timeout: float = Field(120.0, gt=0)
    connect_timeout: float = Field(3.0, gt=0)
    idle_timeout: float = Field(60.0, gt=0)
    keep_alive: str = "10m"
    max_context: int = Field(8192, ge=512)
    max_concurrent: int = Field(2, ge=0, le=256)  # turns streaming at once; more wait in a queue; 0 = no limit


class OpenAIConfig(_Section):
    enabled: bool = True
    base_url: str = ""
    locality: Literal["local", "cloud"] = "cloud"
    models: list[str] = Field(default_factory=list)
    # Models that read images (README "Files and images"); unset: known OpenAI names (gpt-4o, gpt-4.1, gpt-5).
    vision_models: list[str] | None = None
    timeout: float = Field(60.0, gt=0)
    connect_timeout: float = Field(5.0, gt=0)
    idle_timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(1, ge=0, le=10)
    max_concurrent: int = Field(0, ge=0, le=256)  # 0 = no limit (a cloud API); set it for a local server
    native_tools: bool = True  # the server supports OpenAI tool calling; false: the text tool protocol


class EndpointConfig(_Section):
    """An extra OpenAI-compatible endpoint (vLLM, LM Studio, a gateway...)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    base_url: str
    locality: Literal["local", "cloud"]
    api_key_env: str = ""
    models: list[str] = Field(default_factory=list)
    vision_models: list[str] | None = None  # models that read images; unset: known OpenAI names
    timeout: float = Field(60.0, gt=0)
    max_retries: int = Field(1, ge=0, le=10)
    max_concurrent: int = Field(0, ge=0, le=256)
    native_tools: bool = True  # the server supports OpenAI tool calling; false: the text tool protocol


class EmbeddedConfig(_Section):
    enabled: bool = True
    # "auto": xllamacpp (prebuilt wheel) if installed, else llama-cpp-python; or name one of them.
    runtime: Literal["auto", "xllamacpp", "llama-cpp"] = "auto"
    model_path: str = ""
    context_length: int = Field(2048, ge=256, le=131_072)
    threads: int = Field(0, ge=0)
    max_concurrent: int = Field(1, ge=0, le=16)  # one in-process model answers one turn at a time


class ModelGeneration(_Section):
    """Generation settings for the models a `[generation.models."pattern"]` key matches (README "Generation")."""

    temperature: float | None = Field(None, ge=0, le=2)  # fixed: replaces the agent's temperature
    temperature_scale: float | None = Field(None, ge=0, le=2)  # else the agent's temperature times this
    top_p: float | None = Field(None, gt=0, le=1)
    min_p: float | None = Field(None, ge=0, lt=1)
    repeat_penalty: float | None = Field(None, ge=1, le=2)
    max_tokens: int | None = Field(None, ge=16, le=32_768)

    @model_validator(mode="after")
    def _one_temperature(self) -> ModelGeneration:
        if self.temperature is not None and self.temperature_scale is not None:
            raise ValueError("set temperature or temperature_scale, not both")
        return self


class GenerationConfig(_Section):
    repetition_guard: bool = True  # stop an answer that starts looping (every provider)
    # "provider:model", "model" or a glob ("*:*135m*") -> settings; the most specific match wins per key.
    models: dict[str, ModelGeneration] = Field(default_factory=dict)

    @field_validator("models")
    @classmethod
    def _patterns(cls, value: dict[str, ModelGeneration]) -> dict[str, ModelGeneration]:
        for pattern in value:
            if not pattern.strip():
                raise ValueError('a model pattern must not be empty (use "*" for every model)')
        return value


class CatalogConfig(_Section):
    health_ttl: float = Field(30.0, ge=0)


class ResilienceConfig(_Section):
    """Circuit breakers per model and retries before any text (see README "Resilience")."""

    breaker_failures: int = Field(3, ge=1, le=100)  # consecutive failures that open a model's circuit
    breaker_cooldown: float = Field(30.0, gt=0, le=3600)  # seconds open before one probe turn is let through
    local_retries: int = Field(1, ge=0, le=3)  # quick retries for clients that never retry (ollama)
    retry_backoff: float = Field(0.25, ge=0, le=10)  # first wait before such a retry (doubles, jittered)
    max_retry_wait: float = Field(5.0, ge=0, le=120)  # longest Retry-After waited for; longer → fall back

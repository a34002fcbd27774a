"""Shared fixtures: the OpenAI and Ollama stand-ins, started per test on 127.0.0.1."""

from tests.fakes.fixtures import fake_ollama, fake_openai  # noqa: F401

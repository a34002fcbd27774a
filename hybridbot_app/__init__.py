"""The composition: the core (bot/) wired to the platform adapters (adapters/).

bot/ knows no adapter (tests/unit/test_layers.py checks it); this package is the one place that
knows both — the `hybridbot` command, `hybridbot run`'s platform start-up and the doctor's platform
checks. Adapters' config sections reach the core's strict Settings through entry points
("hybridbot.config_sections" in pyproject.toml), not through imports.
"""

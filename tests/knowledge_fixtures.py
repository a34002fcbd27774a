"""A team's documents in three collections, one per privacy level, and an agent that searches them."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.indexer import index_collection

HOLIDAYS = "Everyone gets 30 days of paid leave per year, booked in the HR portal."
SALARY_SECRET = "ZEBRA-7731"
SALARIES = f"The salary band for staff engineers is 142,000 to 171,000 euros (review code {SALARY_SECRET})."
PAYROLL_EMAIL = "jane.roe@example.com"
PAYROLL = f"Payroll questions go to Jane Roe, reachable at {PAYROLL_EMAIL} or +49 170 1234567."
EXPENSES = "Expense reports are approved by team leads within five working days."


def write_documents(root: Path) -> Path:
    docs = root / "docs"
    for folder, name, text in [
        ("handbook", "handbook.md", f"# Handbook\n\n## Holidays\n\n{HOLIDAYS}\n\n## Expenses\n\n{EXPENSES}\n"),
        ("salaries", "salaries.md", f"# Salaries\n\n## Bands\n\n{SALARIES}\n"),
        ("hr", "payroll.md", f"# Payroll\n\n## Contacts\n\n{PAYROLL}\n"),
    ]:
        (docs / folder).mkdir(parents=True, exist_ok=True)
        (docs / folder / name).write_text(text, encoding="utf-8")
    agents = root / "agents"
    agents.mkdir(exist_ok=True)
    (agents / "kb.toml").write_text(
        'name = "kb"\ninstructions = "Answer from the team documents."\nroute = "cloud"\n'
        'knowledge = ["handbook", "salaries", "hr"]\n'
    )
    return docs


def knowledge_toml(root: Path, *, route: str = "cloud") -> str:
    docs = root / "docs"
    return (
        f'[bot]\nagents_dir = "{root / "agents"}"\ndefault_agent = "kb"\n'
        f'[[knowledge.collections]]\nname = "handbook"\npaths = ["{docs / "handbook"}"]\nprivacy = "cloud-ok"\n'
        f'[[knowledge.collections]]\nname = "salaries"\npaths = ["{docs / "salaries"}"]\nprivacy = "local-only"\n'
        f'[[knowledge.collections]]\nname = "hr"\npaths = ["{docs / "hr"}"]\nprivacy = "standard"\n'
    )


def index_all(engine) -> None:  # type: ignore[no-untyped-def]
    config = engine.settings.knowledge
    for collection in config.collections:
        index_collection(engine.knowledge.index, collection, config)

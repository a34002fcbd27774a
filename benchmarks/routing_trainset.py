"""Generate the routing training set from templates: benchmarks/data/routing_train.jsonl.

Run from the repo root:  .venv/bin/python benchmarks/routing_trainset.py [--quick]

Templates (routing_train_en.py, routing_train_intl.py) are filled with varied slot values,
chat noise (case, punctuation, greetings, emoji) and wrapped into follow-ups whose previous
turn is another generated prompt. Deterministic (seeded). Never reads the unseen set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import routing_train_en  # noqa: E402
import routing_train_intl  # noqa: E402
from routing_train_slots import CODE, CODE_LONG, ERRORS, PARAGRAPHS, SLOTS, TRACES  # noqa: E402

OUT = ROOT / "benchmarks" / "data" / "routing_train.jsonl"
HANDWRITTEN = ROOT / "benchmarks" / "data" / "routing_train_handwritten.jsonl"
PER_TEMPLATE = 7

PREFIX = {
    "en": ["", "", "", "hey, ", "quick q: ", "@hybridbot ", "pls ", "hi bot, ", "question: "],
    "de": ["", "", "", "Hey, ", "kurze Frage: ", "@hybridbot ", "Hallo, "],
    "fr": ["", "", "", "Salut, ", "petite question : ", "@hybridbot ", "Bonjour, "],
    "es": ["", "", "", "Hola, ", "una pregunta: ", "@hybridbot ", "oye, "],
    "pt": ["", "", "", "Oi, ", "pergunta rápida: ", "@hybridbot ", "e aí, "],
    "ja": ["", "", "", "すみません、", "@hybridbot ", "質問です。"],
    "zh": ["", "", "", "请问，", "@hybridbot ", "你好，"],
    "hi": ["", "", "", "bhai, ", "ek sawaal: ", "@hybridbot ", "yaar "],
}
SUFFIX = ["", "", "", "", " thanks", " 🙏", " pls", " :)", " asap"]

# Follow-ups: (kind, text). "continue" inherits the previous turn's label; "close" is local.
FOLLOW_UPS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("continue", "and the other one?"),
        ("continue", "what if it's {n}?"),
        ("continue", "why?"),
        ("continue", "try again please"),
        ("continue", "can you explain that part more"),
        ("continue", "and for the last case?"),
        ("continue", "now do the same for {tech}"),
        ("continue", "hm, are you sure?"),
        ("continue", "show me how you got that"),
        ("continue", "ok and next step?"),
        ("close", "thanks!"),
        ("close", "great, that's all"),
        ("close", "ok cool"),
        ("close", "perfect 👍"),
    ],
    "de": [
        ("continue", "und die andere?"),
        ("continue", "und wenn es {n} sind?"),
        ("continue", "warum?"),
        ("continue", "nochmal bitte"),
        ("continue", "erklär das genauer"),
        ("close", "danke!"),
        ("close", "passt, danke"),
    ],
    "fr": [
        ("continue", "et l'autre ?"),
        ("continue", "et si c'est {n} ?"),
        ("continue", "pourquoi ?"),
        ("continue", "réessaie stp"),
        ("continue", "détaille cette partie"),
        ("close", "merci !"),
        ("close", "super, merci"),
    ],
    "es": [
        ("continue", "¿y la otra?"),
        ("continue", "¿y si son {n}?"),
        ("continue", "¿por qué?"),
        ("continue", "inténtalo de nuevo"),
        ("continue", "explícalo mejor"),
        ("close", "¡gracias!"),
        ("close", "perfecto, gracias"),
    ],
    "pt": [
        ("continue", "e a outra?"),
        ("continue", "e se forem {n}?"),
        ("continue", "por quê?"),
        ("continue", "tenta de novo"),
        ("continue", "explica melhor essa parte"),
        ("close", "valeu!"),
        ("close", "show, obrigado"),
    ],
    "ja": [
        ("continue", "もう一つのほうは？"),
        ("continue", "{n}の場合は？"),
        ("continue", "なぜ？"),
        ("continue", "もう一度お願い"),
        ("continue", "もっと詳しく"),
        ("close", "ありがとう！"),
        ("close", "了解です"),
    ],
    "zh": [
        ("continue", "另一个呢？"),
        ("continue", "如果是{n}呢？"),
        ("continue", "为什么？"),
        ("continue", "再试一次"),
        ("close", "谢谢！"),
        ("close", "好的"),
    ],
    "hi": [
        ("continue", "aur doosra?"),
        ("continue", "agar {n} ho toh?"),
        ("continue", "kyun?"),
        ("continue", "phir se karo"),
        ("continue", "thoda detail mein samjhao"),
        ("close", "thanks bhai"),
        ("close", "ok done"),
    ],
}


def fill(template: str, rng: random.Random) -> str:
    values = {name: rng.choice(choices) for name, choices in SLOTS.items()}
    values.update(
        n=rng.randint(3, 12),
        m=rng.randint(2, 15),
        k=rng.randint(2, 6),
        big=rng.randint(40, 2000),
        big2=rng.randint(1000, 30000),
        odd_big=rng.randrange(101, 9999, 2),
        p=rng.choice([2, 3.5, 5, 7, 12, 15, 25]),
        yrs=rng.randint(3, 30),
        year=rng.randint(1950, 2030),
        paragraph=rng.choice(PARAGRAPHS),
        code=rng.choice(CODE),
        code_long=rng.choice(CODE_LONG),
        err=rng.choice(ERRORS),
        trace=rng.choice(TRACES),
    )
    return template.format(**values)


def noisy(text: str, lang: str, rng: random.Random) -> str:
    if "\n" not in text and rng.random() < 0.3:
        text = text.lower()
    if text.endswith("?") and rng.random() < 0.2:
        text = text[:-1]
    text = rng.choice(PREFIX[lang]) + text
    if lang in ("en", "hi") and rng.random() < 0.5:
        text += rng.choice(SUFFIX)
    return text


def all_templates() -> list[tuple[str, str, str, str]]:
    found = [("en", *t) for t in routing_train_en.TEMPLATES]
    for lang, templates in routing_train_intl.TEMPLATES.items():
        found += [(lang, *t) for t in templates]
    return found


def generate(per_template: int = PER_TEMPLATE, seed: int = 16) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    seen: set[str] = set()
    for tpl, (lang, label, cat, template) in enumerate(all_templates()):
        for _ in range(per_template):
            text = noisy(fill(template, rng), lang, rng)
            if text not in seen:
                seen.add(text)
                rows.append({"text": text, "label": label, "lang": lang, "cat": cat, "tpl": tpl})
    rows += follow_ups(rows, rng, count=len(rows) // 5)
    rows += handwritten(rng, first_group=len(all_templates()), copies=max(1, per_template // 2))
    rng.shuffle(rows)
    return rows


def handwritten(rng: random.Random, first_group: int, copies: int) -> list[dict]:
    """Hand-written prompts (benchmarks/data/routing_train_handwritten.jsonl) for breadth of wording,
    each with a few chat-noise variants; a follow-up keeps its previous turn."""
    out: list[dict] = []
    with HANDWRITTEN.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    for group, item in enumerate(items, start=first_group):
        variants = {item["text"]} | {noisy(item["text"], item["lang"], rng) for _ in range(copies - 1)}
        for text in sorted(variants):
            out.append({**item, "text": text, "tpl": group})
    return out


def follow_ups(rows: list[dict], rng: random.Random, count: int) -> list[dict]:
    """Short continuations inherit the previous turn's label; closers and new topics do not."""
    out = []
    for _ in range(count):
        prev = rng.choice(rows)
        lang = prev["lang"] if rng.random() < 0.8 else "en"
        roll = rng.random()
        if roll < 0.6:
            kind, template = rng.choice([f for f in FOLLOW_UPS[lang] if f[0] == "continue"])
            label = prev["label"]
            text = fill(template, rng)
        elif roll < 0.8:
            kind, template = rng.choice([f for f in FOLLOW_UPS[lang] if f[0] == "close"])
            label, text = "local", fill(template, rng)
        else:  # a new, self-contained request after some earlier turn
            new = rng.choice(rows)
            kind, label, text, lang = "new-topic", new["label"], new["text"], new["lang"]
        out.append(
            {
                "text": text,
                "label": label,
                "lang": lang,
                "cat": "followup",
                "kind": kind,
                "tpl": prev["tpl"],
                "prev": {"text": prev["text"], "label": prev["label"]},
            }
        )
    return out


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one prompt per template, not written to disk")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = generate(per_template=1 if args.quick else PER_TEMPLATE)
    if not args.quick:
        with args.out.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    n_cloud = sum(r["label"] == "cloud" for r in rows)
    n_en = sum(r["lang"] == "en" for r in rows)
    print(f"{len(rows)} prompts: {n_cloud / len(rows):.0%} cloud, {1 - n_en / len(rows):.0%} non-English")
    return rows


if __name__ == "__main__":
    main()

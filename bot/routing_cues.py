"""Multilingual cue words for the learned router (bot/routing_features.py).

Each group is one binary feature; the model learns its weight, so a cue only says "this kind of
request", never "send to the cloud" by itself. Groups cover English, German, French, Spanish,
Portuguese, Japanese, Chinese and romanised Hindi, so a cue means the same in every language
even where character n-grams share nothing. Matched against the request text only (pasted
code and quoted text removed), lower-cased, with spaces in place of opening quotes and marks
(see ``_compile``): a Latin-script cue matches at the start of a word.
"""

from __future__ import annotations

import re

_GROUPS: dict[str, str] = {
    "prove": r"\bprov(?:e|ing)\b|\bproof\b|show that|beweis|démontr|demuestr|demonstr|証明|证明|prove kar",
    "probability": r"probab|\bchance|\bodds\b|wahrscheinlich|確率|概率|likelihood|expected (?:value|number)",
    "count_ways": r"how many (?:ways|paths|subsets|arrangements|digits|divisors)|wie viele (?:möglichkeiten|arten|teiler)"
    r"|auf wie viele arten|combien de (?:façons|manières|chemins|zéros|nombres)|de cuántas (?:formas|maneras)"
    r"|de quantas (?:formas|maneiras)|quantos (?:anagramas|divisores|zeros)|何通り|多少种|kitne tareeke|anagram",
    "number_theory": r"\bprim(?:e|es|o|zahl)\b|premier|素数|质数|divisib|teilbar|divisív|割り切|整除|remainder|\brest\b"
    r"|\breste\b|\bresto\b|余り|余数|factorial|fakultät|factorielle|fatorial|階乗|阶乘|trailing zero|last (?:two )?digit"
    r"|下[一二]?桁|末尾|\bgcd\b|\blcm\b|\bmod\b|divisor|teiler|diviseur|divisores|約数",
    "finance": r"\bloan\b|mortgage|interest|compound|kredit|zins|prêt|intérêt|hipoteca|interés|financiament|juros"
    r"|\bemi\b|ローン|金利|年利|利息|贷款|break-?even|\bapr\b|cuota|mensualité|parcela",
    "algebra": r"derivativ|differentiat|integra[lt]|\bsolve\b|equation|gleichung|équation|ecuación|equação|方程|eigen"
    r"|matri[xz]|determinant|lös(?:e|en)\b|résou|resuelve|resolv|解いて|解方程|\bsolve kar|variance|deviation|p-value",
    "compare": r"compar|\bvs\.?\b|versus|vergleich|比較|比较|pros and cons|vor- und nachteile|avantages|ventajas|prós"
    r"|メリット|优缺点|trade-?off|pros cons|better for|besser für|kaunsa better|which (?:one|is) (?:better|cheapest)",
    "diagnose": r"why (?:would|does|do|is|are|did)|warum|pourquoi|por qu[eé]|なぜ|原因|为什么|\bkyun\b|root cause"
    r"|debug|investigat|diagnos|narrow (?:it )?down|what could (?:cause|explain)|might be going on",
    "design": r"\bdesign|architect|entwurf|conçoi|diseña|arquitetura|設計|设计|system design|\bscal(?:e|ing|able)\b"
    r"|schema for|data model|consistency model",
    "legal": r"\blegal|\blaw\b|contract|clause|gdpr|rgpd|lgpd|dsgvo|liab|kündigung|non-compete|licen[cs]e"
    r"|despid|demiti|demissão|解雇|合法|违法|notice period|indemn|consent|probezeit|justa causa|個人情報|labour law",
    "medical": r"\bdose|dosage|\bmg\b|medic|symptom|fever|fieber|fièvre|fiebre|febre|\bpain\b|doctor|arzt|médecin"
    r"|médico|pregnan|schwanger|enceinte|embaraz|grávida|gravidez|妊娠|薬|药|飲んでも|一起吃|dawai|\bbp\b"
    r"|ibuprofen|paracetamol|aspirin|amoxicill|warfarin|sertralin|metformin|omeprazol|antihistamin|cetirizin",
    "tax": r"\btax|\bvat\b|\w*steuer|impôt|impos|\btva\b|impuesto|tribut|\bir\b|税|\bgst\b|\bitr\b|\btds\b|deduct|absetz"
    r"|déclar|declar|確定申告|计税|regime|1099|w-2|abfindung|plus-value|ganancia",
    "write_code": r"\b(?:write|implement|build|create|code up)\b.{0,40}\b(?:function|script|class|api|query|service"
    r"|program|module|middleware|parser|client|server|cache|limiter|migration|tests?|cli|sql)\b|implementier|schreib"
    r".{0,30}(?:funktion|programm|skript|sql)|écri[st].{0,30}(?:fonction|script|requête)|escrib.{0,30}(?:función"
    r"|script|consulta|servicio)|escrev.{0,30}(?:função|script|query|api)|書いて|を実装|实现|写一个|likho|\bsql\b",
    "small_edit": r"renam|umbenenn|renomm|renombr|renomei|リネーム|改名|naam .{0,20}kar|add (?:a )?(?:comment|docstring)"
    r"|type hints|\bformat|indent|kommentar|commentaire|comentario|comentário|コメント|注释|snake_case|camelcase"
    r"|one-?liner|print statements|console\.log|typo|uppercase",
    "find_bug": r"\bbug\b|find the (?:bug|error)|race|deadlock|leak|crash|abstürz|plante|falla\b|quebra|落ちる|崩溃"
    r"|security|vulnerab|sicherheit|intermittent|under load|flaky|バグ",
    "complexity": r"complexity|big-?o\b|o\(n|komplexität|complexité|complejidad|complexidade|計算量|复杂度|faster",
    "long_form": r"blog post|essay|report|proposal|design doc|post-?mortem|\brfc\b|memo|\bplan\b|konzept|rédige"
    r"|redact|propost|報告書|計画|方案|plan banao|\d+00.?words?|curriculum|strategy|onboarding guide|研修|review for",
    "steps": r"step by step|schritt für schritt|étape par étape|paso a paso|passo a passo|手順|步骤|steps dikhao"
    r"|show (?:your|the) (?:work|reasoning)|show how|walk me through|reasoning",
    "translate": r"translat|übersetz|tradu[sisz]|翻訳|英語で|英語に|翻译|英文|in english|mein (?:bolo|translate)"
    r"|how do you say|wie sagt man|comment dit-on|cómo se dice|como se diz|auf (?:englisch|französisch)"
    r"|en (?:anglais|inglés|espagnol)|para (?:inglês|espanhol)",
    "rewrite": r"rephrase|reword|polite|formal|friendl|shorten|shorter|proofread|grammar|spelling|höflich|formulier"
    r"|poli\b|amable|educad|丁寧|礼貌|polite bana|korrigier|corrige|title case|bullet|summari[sz]e in one|stichpunkt",
    "greeting": r"^\W*(?:hi|hey|hello|thanks|thank you|thx|ty|danke|merci|gracias|obrigad|valeu|ありがと|谢谢"
    r"|shukriya|dhanyavaad|namaste|hallo|moin|salut|coucou|hola|oi|bom dia|boa tarde|buenos|buenas|bonjour|guten"
    r"|おはよう|こんにちは|お疲れ|你好|早上好|大家好|ok|okay|cool|great|perfect|super|nice|lol|haha|good (?:morning|night)"
    r"|alles klar|d'accord|vale|beleza|了解|好的|theek|accha|genial|top)\b",
    "simple_fact": r"^\W*(?:what(?:'s| is) (?:the )?(?:capital|difference|default|meaning)|who (?:wrote|painted"
    r"|founded|is)|what does .{1,20} (?:stand for|mean)|was (?:ist|heißt|bedeutet)|c'est quoi|qu'est-ce|que veut dire"
    r"|qu[ée] (?:es|significa)|o que (?:é|significa)|とは|是什么|kya (?:hota|hai)|ka matlab|quelle est la capitale)",
    "dates": r"day of the week|wochentag|jour de la semaine|día de la semana|dia da semana|曜日|星期几|kaun sa din"
    r"|how many (?:mondays|tuesdays|wednesdays|thursdays|fridays|weekdays|days between)|between .{1,30} inclusive",
    "estimate": r"estimat|schätz|fermi|how many .{1,30} (?:are sold|per year|in (?:a|the) city)",
    "puzzle": r"puzzle|riddle|rätsel|énigme|acertijo|charada|パズル|谜题|liar|lying|lügt|truth|knights?|knaves?"
    r"|weighings?|switch(?:es)?\b.{0,30}bulb|balls?.{0,20}heav|fake coin",
    "count_letters": r"how many (?:r's|letters|vowels|words)|count the (?:letters|vowels|words|characters)|backwards",
    "continuation": r"^\W*(?:and\b|what about|what if|how about|why\b|try again|again|und\b|et\b|y\b|e\b|aur\b|もう|じゃあ"
    r"|那|另一|second|zweite|deuxième|segunda|二つ目|第二|doosra|other one|andere|l'autre|la otra|a outra|now\b"
    r"|ok and|hm|are you sure|show me how|explain that|nochmal|réessaie|inténtalo|tenta de novo|phir se|もう一度|再试)",
}


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|``."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return parts + [pattern[start:]]


_CJK_START = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _compile(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """(Latin-script part, CJK part or None).

    Latin alternatives match at a word start: texts are searched with spaces around words, and an
    alternative that begins with a literal space lets Python's regex engine jump from space to
    space instead of trying every alternative at every character (about 5x faster). CJK
    alternatives (no spaces in those scripts) are searched only in texts that contain CJK.
    """
    latin, cjk = [], []
    for alt in _alternatives(pattern):
        if _CJK_START.match(alt):
            cjk.append(alt)
        elif alt.startswith("^"):
            latin.append(alt)
        else:
            latin.append(" " + alt.removeprefix("\\b"))
    return re.compile("|".join(latin)), re.compile("|".join(cjk)) if cjk else None


CUES: tuple[tuple[str, re.Pattern[str], re.Pattern[str] | None], ...] = tuple(
    (name, *_compile(p)) for name, p in _GROUPS.items()
)
CUE_NAMES: tuple[str, ...] = tuple(name for name, *_ in CUES)

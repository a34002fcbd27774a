"""Whose data a sentence is about: the speaker, a specific other person, or nobody in particular.

Health and money details are personal when they belong to someone. The speaker is found by
first-person words (``lexicon.FIRST_PERSON``). This module adds:

* a **specific other person**: a kinship or relationship word ("mi hermana", "his wife", "meine
  Kollegin", "la mamma di Luca", "bhai"), a third-person pronoun ("he", "she", "elle", "él", "hij",
  "lei", "woh"), a possessive determiner right before the detail ("his salary", "sa dépression",
  "su sueldo", "sein Gehalt") or a name with a possessive "'s" ("Priya's on insulin"). A kinship
  word after an indefinite or generic article ("a mother with diabetes", "jede Mutter") is not one.
* a **fragment with an implied speaker**: chat drops the subject ("allergic to penicillin btw",
  "on sertraline 50mg since march", "krankgeschrieben bis Freitag", "en arrêt maladie jusqu'à
  vendredi", "de baja desde el lunes"). The sentence starts with the detail, or with only a verb of
  taking/being and fillers before it, and the word after the detail is not what a general
  statement continues with ("insulin is expensive", "diabetes rates are rising", "dengue ke cases").
"""

from __future__ import annotations

import re

from bot.privacy.lexicon import _split
from bot.privacy.rule import trie_pattern

# Kinship and relationship words, singular (a plural is usually a generality: "mothers with …").
KIN = _split(
    """
    mother mom mum mommy mama dad daddy father papa sister brother wife husband daughter grandma grandmother
    granny grandpa grandfather aunt auntie uncle cousin niece nephew partner girlfriend boyfriend fiancé fiancée
    fiance fiancee boss colleague coworker co-worker roommate flatmate neighbour neighbor stepmom stepdad
    mother-in-law father-in-law
    mutter vater schwester bruder ehefrau ehemann sohn tochter oma opa großmutter großvater tante onkel cousine
    freundin kollege kollegin partnerin chefin nachbarin schwiegermutter schwiegervater
    mère maman père sœur soeur frère mari fils fille grand-mère mamie grand-père papi oncle copine copain
    collègue voisine conjoint conjointe belle-mère beau-père
    madre mamá padre papá hermana hermano esposa esposo marido hijo hija abuela abuelo tía tío novia novio
    compañera jefa vecina suegra suegro
    mãe mae pai irmã irma irmão irmao filho filha avó avô namorada namorado vizinha sogra sogro
    moeder vader zus zuster broer zoon dochter schoonmoeder schoonvader vriendin
    mamma papà sorella fratello moglie marito figlio figlia nonna nonno zia zio fidanzata fidanzato suocera
    suocero
    mummy mumma bhai bhaiya didi behen bahen biwi pati beta beti dadi nani chacha chachi mausi bua saas sasur
    """
)
# Third-person pronouns that name one person wherever they stand in the sentence.
PRONOUNS = _split(
    """
    he she him he's she's hers er ihm ihn elle lui él ella ele ela dele dela hij hem lei usko uske uski unko
    unka unki
    """
)
# Possessive determiners: specific only right before the detail ("su sueldo"; not "la diabetes y su
# tratamiento", where the detail comes first).
POSSESSIVES = _split(
    """
    his her their sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer son sa ses su sus seu sua seus
    suas zijn haar z'n suo sua suoi sue
    """
)
# Words for a person that are also general nouns ("femme", "Mann", "friend"): specific after a possessive.
PARTNERS = _split(
    """
    wife husband friend woman man frau mann freund femme homme ami amie mujer hombre amigo amiga mulher homem
    vrouw man vriend donna uomo amico amica dost
    """
)
_GENERIC_BEFORE = frozenset(
    _split(
        """
        a an any every each no ein eine einer einem jede jeder jedes un une uno una um uma een elke ogni cada
        chaque toda todo qualquer cualquier
        """
    )
)
# Words after a health or money term that make the sentence a general statement about it.
_GENERAL_NEXT = frozenset(
    _split(
        """
        is are was were can could may might causes cause affects affect rates rate cases patients research
        awareness prices price costs cost shortage treatment treatments drugs medication side risk risks symptoms
        ist sind war kann können betrifft verursacht fälle patienten preise kosten forschung
        est sont était peut peuvent touche cause cas patients prix coûts recherche
        es son era puede pueden afecta causa casos pacientes precios costos investigación
        é são era pode podem afeta causa casos pacientes preços custos pesquisa
        zijn was kan kunnen treft veroorzaakt gevallen patiënten prijzen kosten onderzoek
        è sono era può possono colpisce causa casi pazienti prezzi costi ricerca
        ke ka ki se wird werden wordt worden often vaak oft häufig souvent frequently commonly usually typically
        spesso suele geralmente type typ tipo
        """
    )
)
# What may stand before the detail in a fragment: fillers and verbs of taking or being, no subject.
_FRAGMENT_LEAD = frozenset(
    _split(
        """
        btw fyi ps also still currently now just recently newly finally officially again update ok so and
        but anyway lol ugh sadly unfortunately on taking take took started starting stopped quit back been got
        getting diagnosed tested with off home since today yesterday
        noch immer wieder seit jetzt gerade leider nehme bekomme unter bin
        encore toujours depuis maintenant malheureusement sous prends en
        aún todavía ya desde ahora tomando tomo con sigo de otra vez
        ainda já desde agora tomando tomo com de
        nog steeds weer sinds nu helaas neem op aan
        ancora già da ora purtroppo prendo sotto in
        abhi phir aaj kal
        """
    )
)

# Health terms that state a condition of someone rather than name a topic.
_STATE = re.compile(
    r"(?i)(?:allerg|alérg|alerg|krankgeschrieben|arbeitsunfähig|arrêt|de~baja|baja|in~malattia|ziekgemeld|ziek|sick|off~sick)".replace(
        "~", " "
    )
)
_PERSONAL_TIME = frozenset(
    _split(
        """
        since until till again today tonight tomorrow yesterday btw lol rn currently still now
        seit bis wieder heute morgen gestern noch depuis jusqu jusqu'à encore aujourd'hui demain hier toujours
        desde hasta otra hoy mañana ayer todavía até de~novo hoje amanhã ontem ainda sinds tot weer vandaag morgen
        gisteren nog da fino ancora oggi domani ieri abhi aaj kal phir
        """
    )
)
_KIN = re.compile(r"(?i)(?<![\w-])(" + trie_pattern(KIN) + r")(?![\w-])")
_PRONOUN_NEAR = re.compile(
    r"(?i)(?<![\w'’])(?:" + trie_pattern(PRONOUNS) + r")(?![\w'’])[ \t,]+((?:[\w'’]+[ \t]+){0,3})$"
)
_POSSESSIVE_BEFORE = re.compile(r"(?i)(?<![\w'’])(?:" + trie_pattern(POSSESSIVES) + r")[ \t]+(?:\w+[ \t]+)?$")
_POSSESSED_PERSON = re.compile(
    r"(?i)(?<![\w'’])(?:" + trie_pattern(POSSESSIVES) + r")[ \t]+(?:" + trie_pattern(PARTNERS) + r")(?![\w-])"
)
_HAVE_BE = frozenset(
    _split(
        """
        has had is was got takes took hat ist war nimmt a est avait prend tiene tenía es está toma tem tinha é
        está heeft had neemt ha aveva è prende
        """
    )
)
_NAME_POSSESSIVE = re.compile(r"(?<![\w'’])([A-Z][a-zà-ÿ]{1,20})['’]s(?!\w)")
_NOT_NAMES = frozenset(
    _split(
        """
    It That What There Here Let Who Where How When Today Tomorrow Yesterday Everyone Everybody Nobody Somebody
    Someone Anyone One World Company Country Government Doctor Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday Year Week Month Team Nation State City He She This
    """
    )
)
_WORD = re.compile(r"[\w'’-]+")


def _kin_is_specific(text: str, m: re.Match[str]) -> bool:
    before = _WORD.findall(text, max(0, m.start() - 20), m.start())
    return not before or before[-1].lower() not in _GENERIC_BEFORE


def specific_person(text: str, start: int, end: int, term_start: int) -> bool:
    """Does the sentence ``text[start:end]`` name a specific person other than the speaker?

    ``term_start`` is where the health or money word is: a possessive counts only right before it."""
    near = _PRONOUN_NEAR.search(text[max(start, term_start - 40) : term_start])
    if near is not None:  # "he has …", "elle a un …", "she's on …": the pronoun is the detail's subject
        between = [w.lower() for w in _WORD.findall(near.group(1))]
        if len(between) <= 1 or any(w in _HAVE_BE for w in between):
            return True
    if any(_kin_is_specific(text, k) for k in _KIN.finditer(text, start, end)):
        return True
    if _POSSESSIVE_BEFORE.search(text[max(start, term_start - 30) : term_start]):
        return True
    if _POSSESSED_PERSON.search(text, start, end):
        return True
    return any(
        n.group(1) not in _NOT_NAMES and not n.start() <= term_start < n.end()  # not "Parkinson's disease"
        for n in _NAME_POSSESSIVE.finditer(text, start, end)
    )


def implied_speaker(text: str, start: int, term_start: int, term_end: int) -> bool:
    """Is the sentence a fragment whose dropped subject is the speaker ("allergic to X btw")?

    Only fillers and verbs of taking/being stand before the term, and the word after it does not
    continue a general statement."""
    lead = _WORD.findall(text, start, term_start)
    if len(lead) > 4 or any(w.lower() not in _FRAGMENT_LEAD for w in lead):
        return False
    rest = _WORD.match(text, term_end)  # the rest of a stem ("diabet|es")
    after = _WORD.findall(text, rest.end() if rest else term_end, _sentence_end(text, term_end))
    if any(w.lower() in _GENERAL_NEXT for w in after[:3]):
        return False
    # The detail opens the sentence ("Asthma bij kinderen …" is a topic): a state ("allergic to",
    # "krankgeschrieben") or a mark of one person's time ("… again today", "… since March") is needed.
    return bool(lead) or _STATE.match(text, term_start) is not None or any(w.lower() in _PERSONAL_TIME for w in after)


def _sentence_end(text: str, pos: int) -> int:
    end = _END.search(text, pos, pos + 120)
    return end.start() if end else min(len(text), pos + 120)


_END = re.compile(r"[.!?](?=\s|$)|\n")

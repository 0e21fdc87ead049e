"""Deterministic dental correction pass over a Whisper transcript.

Why: tiny.en hears clinical words as everyday ones ("buckle" for buccal, "carries" for
caries, "route canal"). In a dental dictation those everyday readings are (almost) never what
was meant, so a small table of phrase rewrites recovers them cheaply and predictably. Every
rule is a whole-word, case-insensitive pattern; a rule goes in only if its wrong reading is
implausible in a dental dictation. Number words are left alone (the interpreter owns them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from voice.interpreter.lexicon import ASR, SURFACE_WORDS, misheard


@dataclass(frozen=True)
class Rule:
    """One rewrite: ``pattern`` (regex over words, case-insensitive) -> ``replacement``."""

    pattern: str
    replacement: str
    why: str = ""


@dataclass(frozen=True)
class Correction:
    """A rewrite that was applied, for audit and review ("heard X, wrote Y")."""

    heard: str
    written: str
    rule: str


def _words(words: Iterable[str]) -> str:
    """An alternation of whole words from the lexicon, as a pattern."""
    return "|".join(re.escape(w) for w in words)


_S = r"[\s,-]*"  # Whisper separates sub-words with spaces, hyphens or commas

_SURFACE = "(?:" + "|".join(SURFACE_WORDS) + ")"
# A voice control is a whole utterance: its fillers before it, and nothing but courtesy after it.
_LEAD = r"(\s*(?:(?:um|uh|er|okay|ok|yep|yes|yeah|right|so)[,.]?\s+)*)"
_END = r"(?:[,\s]+please)?\s*[.!?]*\s*$"

#: The correction table. Order matters: multi-word rules before single-word ones.
#: Replacements may use group references (\\1), expanded by ``re.Match.expand``.
RULES: tuple[Rule, ...] = (
    # Surfaces
    Rule(rf"mesi{_S}low{_S}(?:buckle|buccal|buckles)", "mesiobuccal", "mesio-buccal heard as 'mesi low buckle'"),
    Rule(rf"dist(?:al|o){_S}(?:buckle|buckles)", "distobuccal", "disto-buccal"),
    Rule(_words(misheard("buccal", ASR)), "buccal", "buccal heard as 'buckle'"),
    Rule(rf"a{_S}clue{_S}sal|\w*[bckr]lu(?:s|z|ss|zz)(?:al|el|il|le)", "occlusal", "occlusal heard as 'a clue sal', 'blusal': no English word ends in -lusal"),
    Rule(_words(misheard("occlusal", ASR)), "occlusal", "occlusal"),
    Rule(_words(misheard("mesial", ASR)), "mesial", "mesial"),
    Rule(rf"(?:meso|mezio)(?={_S}(?:buccal|lingual|palatal|occlusal|distal|incisal))", "mesio", "mesio- prefix spelled 'meso'"),
    Rule(rf"(?:meso|mesio|mezio)(?!{_S}(?:buccal|lingual|palatal|occlusal|distal|incisal))", "mesial", "a lone 'mesio'/'meso' is the surface mesial"),
    Rule(rf"disto(?!{_S}(?:buccal|lingual|palatal|occlusal|incisal))", "distal", "a lone 'disto' is the surface distal"),
    Rule(_words(misheard("distal", ASR)) + r"|the\s+style|to\s+style|to\s+stout", "distal", "distal heard as 'the style' / 'to stout'"),
    Rule(r"dysto(?=\w)", "disto", "disto- heard as 'dysto'"),
    Rule(r"distobical|distobickle|dystobical", "distobuccal", "distobuccal"),
    Rule(r"mesiobal|mesiobical|mesiobickle", "mesiobuccal", "mesiobuccal heard as 'mesiobal'"),
    Rule(r"mesidol|mesiodal|mesiol", "mesial", "mesial heard as 'mesidol'"),
    Rule(_words(misheard("lingual", ASR)), "lingual", "lingual"),
    Rule(r"(mesi|dist)al(lingual|buccal|palatal|occlusal)", r"\1o\2", "'distallingual': the combined site written as one word"),
    Rule(rf"label(?={_S}(?:caries|surface|surfaces|fracture|restoration|veneer|composite|cusp|crown))", "labial",
         "labial heard as 'label' before a finding"),
    Rule(r"(?<=\d\s)label", "labial", "labial heard as 'label' after a tooth number"),
    Rule(_words(misheard("palatal", ASR)), "palatal", "palatal heard as 'palatial'"),
    Rule(_words(misheard("incisal", ASR)), "incisal", "incisal"),
    # Findings and diagnoses
    Rule(_words(misheard("caries", ASR)), "caries", "caries heard as 'carries'"),
    Rule(rf"({_SURFACE})\s+(?:carry|carrie|carey|cary|kerry|karis)(?!\s+on\s+with)", r"\1 caries", "caries after a surface heard as 'carry'"),
    Rule(rf"pulp{_S}itis|pulpitus|pulpidis|popitis|pulpites|pulpetis|pulpytis|polpitis", "pulpitis", "pulpitis"),
    Rule(r"ir+ever(?:s|c)[ai]ble|irreversable|ireversible|irversible|irversable|irriversible|irreversibel", "irreversible", "irreversible"),
    Rule(r"reversable|reversibel", "reversible", "reversible"),
    Rule(rf"peri{_S}coronitis|perry{_S}coronitis|pericoronitus|pericornitis", "pericoronitis", "pericoronitis"),
    Rule(rf"perio{_S}dontitis|periodontitus|periodontidis|perodontitis", "periodontitis", "periodontitis"),
    Rule(rf"gingi{_S}vitis|gingivitus|gingevitis|jinjivitis|jingivitis|gingividis", "gingivitis", "gingivitis"),
    Rule(r"abcess|absess", "abscess", "abscess"),
    Rule(r"access(?=\s+on\s+\d)", "abscess", "'abscess on 11' heard as 'access on 11'"),
    Rule(r"capical", "apical", "'symptomatic apical' heard as 'symptomatic, capical'"),
    Rule(r"crime(?=\s+on\s+\d)", "crown", "'crown on 36' heard as 'crime on 36'"),
    Rule(r"veneeron", "veneer on", "veneer on"),
    Rule(r"nacrosis|nekrosis", "necrosis", "necrosis"),
    Rule(rf"hyper{_S}sensitivity", "hypersensitivity", "hypersensitivity"),
    Rule(r"dental\s+hypersensitivity|dentine\s+hypersensitivity", "dentin hypersensitivity", "the catalog diagnosis is dentin hypersensitivity"),
    Rule(r"crack\s+tooth", "cracked tooth", "cracked tooth"),
    Rule(rf"({_SURFACE})\s+cuss", r"\1 cusp", "cusp heard as 'cuss' after a surface"),
    Rule(r"impact\s+at(?=\s+\d)", "impacted", "'impacted 38' heard as 'impact at 38'"),
    Rule(rf"[fp]ur{_S}cation|percation", "furcation", "furcation"),
    Rule(rf"^{_LEAD}(?:and|an|on)\s+do(?=\s+(?:that|it|the\s+last|my\s+last)\b)", r"\1undo",
         "'undo that' heard as 'and do that' (only at the start: a whole utterance)"),
    Rule(rf"^{_LEAD}except(?=(?:\s+(?:that|it|this|all|them))?{_END})", r"\1accept",
         "'accept' heard as 'except': a whole utterance 'except (that)' says nothing else"),
    Rule(rf"^{_LEAD}delta(?=\s+(?:tooth\s+|number\s+)?(?:\d|twenty|thirty|forty|fourteen|fifteen|sixteen|seventeen|eighteen|eleven|twelve|thirteen))",
         r"\1go to", "'go to 26' heard as 'Delta 26' (at the start of an utterance)"),
    Rule(rf"^{_LEAD}read\s+that(?={_END})", r"\1read back", "'read back' heard as 'Read that.' (a whole utterance)"),
    Rule(rf"^{_LEAD}(?:note|no)\s+to(?=\s+(?:tooth\s+|number\s+)?(?:\d|twenty|thirty|forty|fourteen|fifteen|sixteen|seventeen|"
         rf"eighteen|eleven|twelve|thirteen))", r"\1go to",
         "'go to 36' heard as 'note to 36' (at the start of an utterance: no note opens 'to 36')"),
    Rule(rf"^{_LEAD}(?:has|ash)(?=[\s,]+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
         rf"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty)\b)", r"\1hash",
         "'#3' read 'hash three' heard as 'has three' / 'Ash three' (at the start of an utterance, where no sentence opens so)"),
    Rule(rf"^{_LEAD}confirmed(?=(?:\s+(?:that|it|this|all))?{_END})", r"\1confirm",
         "'confirm that' heard as 'confirmed that' (a whole utterance)"),
    Rule(r"superioration|superation|supperation|suparation|supuration", "suppuration", "suppuration heard as 'superioration'"),
    # Procedures
    Rule(rf"route{_S}canal|ruth{_S}canal|root{_S}kennel", "root canal", "root canal heard as 'route canal'"),
    Rule(rf"(?<=scaling and )(?:re|root|route)?{_S}plan(?:n)?ing|(?<=scaling and )replaining", "root planing", "root planing"),
    Rule(rf"root{_S}(?:planning|plating|planting|plaining)", "root planing", "root planing heard as 'planning'"),
    Rule(rf"peri{_S}apical|periodical(?=\s+(?:radiograph|x-?ray|film|image))|periapicle", "periapical", "periapical"),
    Rule(rf"(?:there|here|perry|pery){_S}apical(?=\s+(?:radiograph|x-?ray|film|image|lesion|radiolucency))", "periapical", "periapical heard as 'there, apical'"),
    Rule(rf"bite{_S}wings?|bitewing(?!s)|by{_S}(?:doings|dings|wings)|bydoings|bydings", "bitewings", "bitewings heard as 'by doings'"),
    Rule(rf"pro{_S}phylaxis|prophylaxes|profilaxis", "prophylaxis", "prophylaxis"),
    Rule(r"amalgum|amalgame|a\s+malgam", "amalgam", "amalgam"),
    Rule(_words(misheard("sealant", ASR)), "sealant", "sealant"),
    Rule(r"venire", "veneer", "veneer"),
    Rule(r"floride|flouride", "fluoride", "fluoride"),
    Rule(rf"(?:post|posed|host|most){_S}and{_S}(?:core|cor|corps|corp)", "post and core", "post and core heard as 'host and core'"),
    Rule(r"(?:and|in|im)\s+plant(s?)", r"implant\1", "implant heard as 'and plant'"),
    Rule(r"planet(?=\s)", "plan a", "'plan a' heard as 'planet'"),
    Rule(r"(?<=to the )plant", "plan", "'to the plan' heard as 'to the plant'"),
    Rule(r"brophy|(?<=the )(?:property|profit|prophet)(?=\s*(?:[.,!?]|$|to\b|today\b))|profi(?=[\s.,])", "prophy", "prophy heard as 'Brophy' / 'the property'"),
    Rule(r"b[ie]dewings?|iduings|bydewings", "bitewings", "bitewings heard as 'bidewings'"),
    Rule(r"(?<=add a )no(?=\s)|(?<=[,.] )no(?=\s+patient\b)", "note", "'add a note' heard as 'add a no'"),
    # Descriptive tooth names
    Rule(r"up\s+a(?=\s+(?:right|left)\b)", "upper", "'upper right' heard as 'up a right'"),
    Rule(r"floor(?=\s+(?:first|second|third|left|right|molars?|premolars?|incisors?|canines?)\b)", "lower", "'lower' heard as 'floor'"),
    Rule(r"(?<=upper,\s)less|(?<=upper\s)less|(?<=lower,\s)less|(?<=lower\s)less", "left", "'upper left' heard as 'upper, less'"),
    Rule(r"molar's", "molars", "plural molars written as molar's"),
    Rule(r"great(?=\s+(?:\d|one|two|three)\b)", "grade", "'grade 3' heard as 'great 3'"),
    Rule(r"(skip|go\s+to|number|on|extraction\s+of)\s+aching", r"\1 eighteen",
         "'eighteen' heard as 'aching' where only a tooth can follow"),
    # Perio charting
    Rule(rf"to(?={_S}(?:millimeters?|millimetres?|mm)\b)", "two", "'to millimeters' is 'two millimeters'"),
    Rule(rf"for(?={_S}(?:millimeters?|millimetres?|mm)\b)", "four", "'for millimeters' is 'four millimeters'"),
    Rule(rf"perry{_S}o", "perio", "perio"),
)

_COMPILED: tuple[tuple[re.Pattern[str], Rule], ...] = tuple(
    (re.compile(rf"(?<![\w']){r.pattern}(?![\w'])", re.IGNORECASE), r) for r in RULES
)


def _match_case(found: str, replacement: str) -> str:
    if found[:1].isupper() and not replacement[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def correct_transcript_with_log(
    text: str, rules: Sequence[Rule] | None = None
) -> tuple[str, list[Correction]]:
    """Apply the table; return the corrected text and what was changed."""
    compiled: Iterable[tuple[re.Pattern[str], Rule]] = (
        _COMPILED
        if rules is None
        else tuple((re.compile(rf"(?<![\w']){r.pattern}(?![\w'])", re.IGNORECASE), r) for r in rules)
    )
    log: list[Correction] = []
    for rx, rule in compiled:
        def repl(m: re.Match[str], rule: Rule = rule) -> str:
            new = _match_case(m.group(0), m.expand(rule.replacement))
            if new != m.group(0):
                log.append(Correction(m.group(0), new, rule.why or rule.pattern))
            return new

        text = rx.sub(repl, text)
    return re.sub(r"[ ]{2,}", " ", text).strip(), log


def correct_transcript(text: str, rules: Sequence[Rule] | None = None) -> str:
    """The dental spelling of a transcript ("Buckle carries on 16" -> "Buccal caries on 16")."""
    return correct_transcript_with_log(text, rules)[0]

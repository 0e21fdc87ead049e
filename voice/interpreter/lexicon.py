"""Spoken vocabulary: phrases -> typed lexicon entries (labels, surfaces, cues, verbs...).

Kept as data so that adding a synonym (or a Whisper mishearing of one) is a one-line change.
A penalty > 0 marks a repair of a likely speech-recognition error: it lowers confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voice.interpreter.items import ItemKind


@dataclass(frozen=True)
class Label:
    """A spoken label and what it means as a finding, a planned procedure or a diagnosis.

    ``default`` picks the reading when no cue ("needs", "existing", ...) says otherwise;
    ``weak`` words ("watch", "cleaning") only count when a tooth is said with them.
    A plan label starting with "?" is ambiguous and asks ("a filling": composite or amalgam?).
    """

    find: str | None = None
    plan: str | None = None
    dx: str | None = None
    default: str = "find"
    weak: bool = False


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: its kind, a kind-specific value and a repair penalty."""

    kind: ItemKind
    value: Any = None
    penalty: float = 0.0


LEXICON: dict[tuple[str, ...], Entry] = {}

#: The surfaces a tooth has, as spoken: shared with speech recognition (its prompt vocabulary and
#: the correction pass's surface patterns, ``voice.asr``).
SURFACE_WORDS: tuple[str, ...] = (
    "mesial", "occlusal", "distal", "buccal", "lingual", "incisal", "facial", "labial", "palatal",
)

#: Speech recognition's mishearings of a clinical word: one list per term, each mishearing once, with
#: where it is repaired. ``BOTH``: the correction pass (``voice.asr.correction``) rewrites it in a
#: transcript and the tagger reads it as the term at a repair penalty; ``ASR``: only the correction
#: pass; ``TAGGER``: only the tagger. (Making every entry ``BOTH`` would change outputs: the dev set
#: has "distal karies".)
BOTH, ASR, TAGGER = "both", "asr", "tagger"
MISHEARD: dict[str, dict[str, str]] = {
    "caries": {"carries": BOTH, "caries's": BOTH, "carey's": ASR, "karis": ASR, "cary's": ASR, "kerries": ASR,
               "karies": TAGGER, "curries": TAGGER},
}


def misheard(term: str, where: str) -> tuple[str, ...]:
    """The mishearings of ``term`` repaired by ``where`` (ASR or TAGGER), in the table's order."""
    return tuple(w for w, at in MISHEARD[term].items() if at in (BOTH, where))


def _add(kind: ItemKind, phrases: str, value: Any = None, penalty: float = 0.0) -> None:
    for phrase in phrases.split("|"):
        phrase = phrase.strip()
        if phrase:
            LEXICON[tuple(phrase.split())] = Entry(kind, value, penalty)


def _label(phrases: str, penalty: float = 0.0, **kw: Any) -> None:
    _add("label", phrases, Label(**kw), penalty)


# --- findings -------------------------------------------------------------------------
_label(
    "caries|cavity|cavities|decay|decayed|carious|carious lesion|caries lesion|decay lesion|"
    "recurrent caries|secondary caries|early caries|incipient caries",
    find="caries",
)
_label("|".join(misheard("caries", TAGGER)), find="caries", penalty=0.03)
_label(
    "fracture|fractured|fractures|broken|chipped|chip|fractured cusp|cusp fracture|broken cusp|"
    "fractured tooth|broken tooth",
    find="fracture",
)
_label("restoration|restorations|restored|filled", find="restoration", plan="?filling")
# "filling on 46" is treatment to do (the material still to be chosen); "46 has a filling" is there
_label("filling|fillings", find="restoration", plan="?filling", default="plan")
# The plan labels "a filling" can be (its material): what it asks, and what "before the filling" names.
FILLING_MATERIALS = ("composite", "amalgam")
# A procedure word with no verb of state is treatment to do (voice contract, "Planned or existing");
# adjectives of state ("crowned", "sealed") say what the mouth already has.
_label(
    "crown|crowns|cap|full crown|porcelain crown|zirconia crown|pfm|pfm crown|ceramic crown",
    find="crown",
    plan="crown",
    default="plan",
)
_label("crowned", find="crown", plan="crown")
_label("crown prep|crown preparation", find="crown", plan="crown", default="plan")
_label("missing|absent|not present", find="missing")
_label("extracted|previously extracted", find="missing", plan="extraction")
_label("watch|watch list|monitor|monitoring|keep an eye on|observe", find="watch", weak=True)
_label("mobility|mobile|loose", find="mobility")
_label(
    "root canal treated|root canal filled|root filled|root treated|endo treated|"
    "endodontically treated|root canal treated tooth",
    find="root_canal_treated",
)
# "RCT on 36" is the treatment to do (like "root canal on 36"); "36 has an RCT" is there
_label("rct", find="root_canal_treated", plan="root_canal", default="plan")
_label("impacted|impaction|partially impacted|fully impacted|impacted tooth", find="impacted")
_label("implant|implants|implant fixture|dental implant", find="implant", plan="implant", default="plan")
_label("implant placement", find="implant", plan="implant", default="plan")
_label("sealant|sealants|fissure sealant|fissure sealants", find="sealant", plan="sealant", default="plan")
_label("sealed", find="sealant", plan="sealant")
_label("sealent|sealents|sealand", find="sealant", plan="sealant", default="plan", penalty=0.03)

# --- diagnoses ------------------------------------------------------------------------
_label(
    "irreversible pulpitis|symptomatic irreversible pulpitis|asymptomatic irreversible pulpitis",
    dx="irreversible_pulpitis",
    default="dx",
)
_label("reversible pulpitis", dx="reversible_pulpitis", default="dx")
# reversible pulpitis is asymptomatic by definition: "symptomatic reversible" is a contradiction to ask about
_label("symptomatic reversible pulpitis", dx="?pulpitis", default="dx")
_label("pulpitis", dx="?pulpitis", default="dx")
_label(
    "apical periodontitis|periapical periodontitis|symptomatic apical periodontitis|"
    "asymptomatic apical periodontitis|acute apical periodontitis",
    dx="apical_periodontitis",
    default="dx",
)
_label(
    "apical abscess|periapical abscess|abscess|abscessed|acute apical abscess|dental abscess|chronic apical abscess",
    dx="apical_abscess",
    default="dx",
)
_label(
    "pulp necrosis|pulpal necrosis|necrotic pulp|necrotic|necrosis|non vital|nonvital|non-vital|dead nerve|nerve is dead|"
    "nerve's dead|nerve dead|the nerve's dead",
    dx="pulp_necrosis",
    default="dx",
)
_label("gingivitis|generalized gingivitis|generalised gingivitis", dx="gingivitis", default="dx")
_label(
    "periodontitis|periodontal disease|chronic periodontitis|generalized periodontitis|generalised periodontitis",
    dx="periodontitis",
    default="dx",
)
_label("pericoronitis", dx="pericoronitis", default="dx")
_label("cracked tooth|cracked|crack|cracked tooth syndrome|crack line", dx="cracked_tooth", default="dx")
_label(
    "dentin hypersensitivity|dentine hypersensitivity|dentinal hypersensitivity|hypersensitivity|"
    "hypersensitive|dentin sensitivity|dentine sensitivity",
    dx="dentin_hypersensitivity",
    default="dx",
)
_label("sensitivity|sensitive", dx="dentin_hypersensitivity", default="dx", weak=True)

# --- procedures -----------------------------------------------------------------------
_label(
    "root canal|root canals|root canal treatment|root canal therapy|endo|endodontic treatment|"
    "endodontic therapy|endodontics",
    find="root_canal_treated",
    plan="root_canal",
    default="plan",
)
_label("route canal|root canel|roots canal", find="root_canal_treated", plan="root_canal", default="plan", penalty=0.05)
# Whisper's usual mishearings of short dental words (repairs: they lower the confidence)
_label("cram", find="crown", plan="crown", default="plan", penalty=0.08)
_label("da|dao|d a", plan="periapical_radiograph", default="plan", penalty=0.1)
_label("proffy|profi|prophie", plan="prophylaxis", default="plan", penalty=0.05)
_label(
    "extraction|extractions|extract|exo|ext|exts|simple extraction|removal of", plan="extraction", default="plan"
)
_label(
    "pull|take out|pulled|come out|comes out|to come out|take it out|coming out",
    plan="extraction",
    default="plan",
    weak=True,
)
_label(
    "surgical extraction|surgical removal|surgically extract|surgical exo|surgically remove|surgical ext",
    plan="surgical_extraction",
    default="plan",
)
_label(
    "composite|composites|composite filling|composite restoration|white filling|resin|resin filling|"
    "tooth colored filling|resin composite",
    find="restoration",
    plan="composite",
    default="plan",
)
_label("amalgam|amalgam filling|amalgam restoration|silver filling", find="restoration", plan="amalgam", default="plan")
_label(
    "pa|periapical|periapical x ray|periapical radiograph|periapical film|pa x ray|pa radiograph|"
    "periapical xray|pa xray|periapical image",
    plan="periapical_radiograph",
    default="plan",
)
_label("x ray|xray|radiograph|x rays|xrays", plan="periapical_radiograph", default="plan", weak=True)
_label(
    "bitewings|bitewing|bite wings|bite wing|bitewing x rays|bitewings x rays|bitewing radiographs|bws|bwx|bwxs|"
    "bite wing x rays|"
    "bitewing xrays|bitewing films",
    plan="bitewings",
    default="plan",
)
_label("post and core|post core|post and a core", plan="post_and_core", default="plan")
_label("post", plan="post_and_core", default="plan", weak=True)
_label(
    "implant crown|crown on the implant|implant supported crown|implant retained crown|crown on implant",
    find="implant",
    plan="implant_crown",
    default="plan",
)
_label(
    "scaling and root planing|scaling and root planning|scaling root planing|srp|deep cleaning|"
    "root planing|root planning|deep scaling|deep clean",
    plan="scaling_root_planing",
    default="plan",
)
_label("veneer|veneers|porcelain veneer|laminate veneer", plan="veneer", default="plan")
_label(
    "fluoride|fluoride varnish|fluoride treatment|varnish|fluoride application", plan="fluoride_varnish", default="plan"
)
_label("prophylaxis|prophy|scale and polish|adult prophy|prophylactic cleaning", plan="prophylaxis", default="plan")
_label("cleaning", plan="prophylaxis", default="plan", weak=True)

# --- surfaces (letters in spoken order) -------------------------------------------------
_add("surf", "mesial|mesio|mesially|mezial|measial|meso", ["M"])
_add("surf", "occlusal|occluso|occlusally", ["O"])
_add("surf", "oclusal|occlusial|inclusal|occlusive|acclusal|occlusel|oculsal", ["O"], 0.03)
_add("surf", "distal|disto|distally", ["D"])
_add("surf", "distil|distle|distill", ["D"], 0.03)
_add("surf", "buccal|bucco|buccally|mid buccal|midbuccal", ["B"])
_add("surf", "buckle|buccle|bucal|buckal", ["B"], 0.03)
_add("surf", "lingual|linguo|lingually|mid lingual|midlingual", ["L"])
_add("surf", "lingle|lingwal", ["L"], 0.03)
_add("surf", "palatal|palatally|palatinal|mid palatal", ["P"])
_add("surf", "palatial", ["P"], 0.03)
_add("surf", "facial|facially|labial|labially", ["F"])
_add("surf", "incisal|incisally|inciso", ["I"])
_add("surf", "incisial", ["I"], 0.03)
_add("surf", "mesiobuccal|mesio buccal|mesiobucal", ["M", "B"])
_add("surf", "distobuccal|disto buccal|distobucal", ["D", "B"])
_add("surf", "mesiolingual|mesio lingual", ["M", "L"])
_add("surf", "distolingual|disto lingual", ["D", "L"])
_add("surf", "mesiopalatal|mesio palatal", ["M", "P"])
_add("surf", "distopalatal|disto palatal", ["D", "P"])
_add("surf", "mesiocclusal|mesio occlusal", ["M", "O"])
_add("surf", "distocclusal|disto occlusal", ["D", "O"])
_add("surf", "mesio occlusal distal|mesiocclusodistal|mesio occluso distal", ["M", "O", "D"])

# --- perio -------------------------------------------------------------------------------
_add(
    "perio_kw",
    "pocket|pockets|pocket depth|pocket depths|probing|probing depth|probing depths|depth|depths|"
    "perio|pocketing|probe|probes|readings|reading|pd|pds",
)
_add("bleed", "bleeding|bleeds|bled|bop|bleeding on probing|bleeding point|bleeding points")
_add("every_site", "all three|all 3|all of them|all three sites|all sites|every site|all of those")
_add("recession", "recession|receded|gum recession|gingival recession|recessions")

# --- cues that pick a finding or a planned procedure ----------------------------------
_add(
    "cue_plan",
    "plan|planned|planning|treatment plan|to the plan|needs|need|needed|will need|requires|"
    "require|recommend|recommended|to be|schedule|scheduled|indicated|propose|proposed|going to|"
    "we'll|we will|plan for|place|placing|prep|restore with|do a|put a|let's put|let's do|let's place|"
    "let's plan|we should do|should get|is planned|are planned|is scheduled|is to be|is indicated|is needed|"
    "is required|for a|for an|is due|due for|going for|will get|gets a|get a|let's get|let's take|we'll take",
)
_add(
    "cue_find",
    "has|have|had|existing|there is|there's|present|old|previous|previously|already|"
    "history of|has had|has got|had a|existing old|with an existing|pre existing|preexisting|is|are|was|is a|is an|"
    "with a|with an|got a|got an|there are|in place|charted|intact|shows|showing|under|under the|beneath|underneath|around the|"
    "margin of the|next to the",
)

# --- verbs -----------------------------------------------------------------------------
_add("v_start", "start|starting|started|begin|beginning|begun|commence|commencing|let's start|lets start")
_add("v_complete", "complete|completed|done|finished|finish|finishing|wrapped up|all done|taken|seated|cemented|"
     "delivered|fitted")
_add("v_move", "move|moving|reorder|re order|bump|shift")
_add("proc_word", "procedure|treatment|appointment")
# context references: "same on 27" repeats the last item on another tooth
_add("same", "same|same thing|the same|same again|same here|ditto|likewise|do the same|same for|same on")
_add("pos", "first|top|front|to the top|to the front", 1)
_add("pos", "second", 2)
_add("pos", "third", 3)
_add("pos", "fourth", 4)
_add("pos", "fifth", 5)
_add("pos", "last|bottom|end|to the end|to the bottom", "last")
_add("pos", "up|earlier|higher|forward", "up")
_add("pos", "down|later|lower down|back", "down")
_add("item_kw", "item|item number|line|entry", "item")
_add("item_kw", "position|slot|place number|spot", "position")

# --- read-only views, flow, notes ---------------------------------------------------------
_add("show", "show|show me|open|display|pull up|bring up|view|see|go to|look at|let me see|switch to")
_add("chart", "chart|odontogram|dental chart|tooth chart|the chart")
_add(
    "history",
    "history|treatment history|dental history|past treatment|previous treatment|past treatments|"
    "previous treatments|treatment record|past work|last visit|previous visit|previous appointment|"
    "last appointment|last time|what did we do|what have we done|what was done|what we did|what's been done|"
    "what has been done|done so far|visit history|appointment history",
)
_add(
    "next",
    "next tooth|next one please|move on|go on|move to the next tooth|go to the next tooth|"
    "next please|skip to the next tooth|on to the next tooth|onto the next tooth|moving on|moving on to the next tooth|"
    "move on to the next tooth|moving to the next tooth|go to next tooth|next tooth please",
)
_add("next_weak", "next|next one|continue")
_add(
    "note",
    "note|add a note|add note|make a note|clinical note|note that|add the note|add a clinical note|"
    "please note|note to chart|chart note|make note|quick note|note colon|put a note in|put a note|put in a note|"
    "add a note in|write a note",
)

# --- talk that is not dictation: hypotheticals, stories of the past, business, talk to the patient --------------
_add("hypothetical", "if|might|eventually|down the line|in the future|someday|at some point|could end up|"
     "we'll see|wait and see|later on")
_add("past_story", "last year|last month|last week|years ago|months ago|weeks ago|yesterday|a while ago|"
     "we did|we talked about|we discussed|was done|were done|had done|had them done|had it done|did a|"
     "back when|when she was|when he was")
# "33 is fine", "the x-ray looked fine, nothing to do there": that clause charts nothing
_add("no_action", "nothing to do|no treatment needed|no treatment|looked fine|looks fine|looked good|all good|"
     "leave it alone|leave it for now|nothing needed|is fine|are fine|is healthy|are healthy|is sound|is ok|"
     "is okay|looks good|looks healthy|no problems|no issues")
_add("not_clinical", "bill|billing|invoice|insurance|claim|lab|laboratory|supplier|order more|ordered|shade|"
     "numbness|wears off|don't worry|dont worry|reminder|rang|phoned|called|receptionist|front desk|parking|"
     "payment|pay|cost|price|quote|estimate|set up for|set up|setup for|get the room ready")
# Periodontitis staging and grading (AAP/EFP): part of the diagnosis said, never pocket depths or teeth
_add("staging", "stage one|stage two|stage three|stage four|stage 1|stage 2|stage 3|stage 4|stage i|stage ii|"
     "stage iii|stage iv|grade a|grade b|grade c")

# --- function words ---------------------------------------------------------------------
_add(
    "neg",
    "no|not|isn't|is not|aren't|doesn't|does not|without|negative for|free of|no sign of|"
    "no signs of|no evidence of|nothing|none|no more|don't|do not",
)
_add("correct", "sorry|i mean|i meant|correction|actually|rather|make that|change that to|i'm sorry|no wait|wait|"
     "scratch that one|not that")
_add(
    "scratch",
    "scratch that|cancel that|never mind|nevermind|disregard that|strike that|delete that|"
    "forget that|undo that|ignore that",
)
# Said doubt about what was just said: the clinician is not sure, so nothing is proposed as certain.
_add("hedge", "maybe|perhaps|possibly|or maybe|not sure|i'm not sure|im not sure|i am not sure|not certain|i don't know|i dont know|or is it|"
     "or was it|can't remember|cannot remember|can't tell|hard to tell|unsure")
_add("destruct", "delete|remove|erase|clear|undo|cancel|drop|discard|wipe")
_add("prep", "on|of|at|in|for|to|onto|into|upon")
_add("range", "through|thru|till|until")
_add("tmark", "tooth|teeth|number|#|tooth number|tooth no|tooth #|letter|tooth letter|hash")
_add("gmark", "grade|class|degree|type|level")
_add("unit_mm", "mm|millimeter|millimeters|millimetre|millimetres|mil|mils|millimeter's")
_add(
    "unit",
    "minutes|minute|seconds|hours|hour|years|year|days|day|weeks|week|months|month|"
    "percent|times|surfaces|canals|units|ml|milligrams|mg|carpules|carpule|"
    "o'clock|am|pm|dollars|visits|visit",
)
_add("conj", "and|then|also|plus|as well as|as well|and then|and also|after that")
_add(
    "registry_verb",
    "add|mark|record|enter|log|document|put|diagnose|diagnosis|dx|charting|note down|"
    "write down|please add|add in|register",
)

PUNCT_HARD = frozenset({".", ";", "!", "?"})
PUNCT_SOFT = frozenset({",", ":"})
FILLER = frozenset(
    {
        "the",
        "a",
        "an",
        "as",
        "is",
        "are",
        "with",
        "side",
        "please",
        "ok",
        "okay",
        "um",
        "uh",
        "so",
        "there",
        "it",
        "its",
        "it's",
        "also",
        "we",
        "have",
        "got",
        "see",
        "i",
        "just",
        "yeah",
        "right",
        "hmm",
        "er",
        "like",
        "this",
        "that",
        "one",
        "some",
        "all",
        "sites",
        "site",
        "surface",
        "surfaces",
        "aspect",
        "area",
        "region",
        "around",
        "about",
        "on",
        "and",
    }
)

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

MAX_PHRASE = max(len(k) for k in LEXICON)

# Words that, in a perio context, are Whisper's mishearings of "bleeding".
BLEEDING_MISHEARD = frozenset({"leading", "pleading", "breeding", "bleating", "bleeting", "bleeping"})

# Phrases that signal an instruction aimed at the system rather than dictation.
INJECTION_PATTERNS: tuple[str, ...] = (
    r"\bignore (?:all |any |the |your |my )?(?:previous|prior|above|earlier|preceding|former|system)\b",
    r"\bignore (?:all |any |the |your )?instructions\b",
    r"\b(?:disregard|forget|override) (?:all |any |the |your )?(?:previous |prior |above |earlier )?"
    r"(?:instructions|rules|prompts?|guidelines)\b",
    r"\bsystem prompt\b",
    r"\byou are now\b",
    r"\bact as\b",
    r"\bjailbreak\b",
    r"\bdeveloper mode\b",
    r"\bnew instructions\b",
    r"\bpretend (?:to be|you are)\b",
)

# Verbs of requests to staff ("pass the suction"): no registry command starts this way.
STAFF_VERBS = frozenset(
    {
        "pass",
        "hand",
        "grab",
        "get",
        "bring",
        "give",
        "fetch",
        "hold",
        "turn",
        "adjust",
        "call",
        "tell",
        "rinse",
        "open",
        "bite",
        "close",
        "raise",
        "lower",
        "dim",
        "suction",
        "swallow",
        "relax",
        "spit",
        "sit",
        "lean",
        "tilt",
        "wait",
        "hang",
        "thanks",
        "thank",
        "can",
        "could",
        "would",
        "will",
    }
)

# Leading words of a question ("does 16 have caries?") rather than an instruction.
QUESTION_STARTS = frozenset({"what", "what's", "whats", "how", "why", "when", "where", "who", "which"})
YESNO_STARTS = frozenset({"is", "are", "does", "did", "was", "were", "has", "have", "do"})
SUBJECTS = frozenset(
    {
        "you",
        "we",
        "i",
        "it",
        "he",
        "she",
        "they",
        "the",
        "that",
        "this",
        "there",
        "tooth",
        "he's",
        "she's",
        "anyone",
        "somebody",
        "everyone",
        "your",
        "my",
        "our",
    }
)

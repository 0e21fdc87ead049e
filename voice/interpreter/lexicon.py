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

# --- shared with speech recognition (``voice.asr`` imports these; this module imports nothing of it) ---

#: The surfaces a tooth has, as spoken: shared with speech recognition (its prompt vocabulary and
#: the correction pass's surface patterns, ``voice.asr``).
SURFACE_WORDS: tuple[str, ...] = (
    "mesial", "occlusal", "distal", "buccal", "lingual", "incisal", "facial", "labial", "palatal",
)

#: Number words and their values: the interpreter reads tooth numbers and depths with them
#: (``normalize``); speech recognition says tooth numbers with them (``voice.asr.lexicon.number_words``).
NUMBER_UNITS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
NUMBER_TEENS: dict[str, int] = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
NUMBER_TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
#: Misspelt tens Whisper writes ("fourty six"): read by the interpreter, never said by recognition.
NUMBER_TENS_MISSPELT: dict[str, int] = {"fourty": 40}

#: Speech recognition's mishearings of a clinical word: one list per term, each mishearing once, with
#: where it is repaired. ``BOTH``: the correction pass (``voice.asr.correction``) rewrites it in a
#: transcript and the tagger reads it as the term; ``ASR``: only the correction pass; ``TAGGER``: only
#: the tagger. (Making every entry ``BOTH`` would change outputs: the dev set has "distal karies".)
#: Order matters for the correction pass: its rule joins them into one pattern in this order.
BOTH, ASR, TAGGER = "both", "asr", "tagger"
MISHEARD: dict[str, dict[str, str]] = {
    "caries": {"carries": BOTH, "caries's": BOTH, "carey's": ASR, "karis": ASR, "cary's": ASR, "kerries": ASR,
               "karies": TAGGER, "curries": TAGGER},
    "sealant": {"sealent": BOTH, "sealint": ASR, "sealents": TAGGER, "sealand": TAGGER},
    # surfaces (the tagger reads the mesial ones at no repair penalty, the others at a small one)
    "mesial": {"mesil": ASR, "meisal": ASR, "measial": BOTH, "measle": ASR, "mezial": BOTH, "mesual": ASR,
               "mesiel": ASR, "messial": ASR, "misial": ASR},
    "occlusal": {"oclusal": BOTH, "occlusel": BOTH, "occlusial": BOTH, "occlusive": BOTH, "inclusal": BOTH,
                 "acclusal": TAGGER, "oculsal": TAGGER},
    "distal": {"distil": BOTH, "distle": BOTH, "distill": BOTH, "distail": ASR},
    "buccal": {"buckle": BOTH, "buckles": ASR, "buccle": BOTH, "buckel": ASR, "bucal": BOTH, "bookal": ASR,
               "buckled": ASR, "buckal": TAGGER},
    "lingual": {"lingle": BOTH, "lingwal": BOTH, "lingal": ASR, "lingula": ASR, "linguel": ASR},
    "palatal": {"palatial": BOTH, "pallatal": ASR, "palletal": ASR, "palatel": ASR},
    "incisal": {"incisial": BOTH, "insizal": ASR, "incisel": ASR},
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
_label("|".join(misheard("sealant", TAGGER)), find="sealant", plan="sealant", default="plan", penalty=0.03)

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
_add("surf", "mesial|mesio|mesially|meso", ["M"])
_add("surf", "|".join(misheard("mesial", TAGGER)), ["M"])  # mishearings, at no repair penalty
_add("surf", "occlusal|occluso|occlusally", ["O"])
_add("surf", "|".join(misheard("occlusal", TAGGER)), ["O"], 0.03)
_add("surf", "distal|disto|distally", ["D"])
_add("surf", "|".join(misheard("distal", TAGGER)), ["D"], 0.03)
_add("surf", "buccal|bucco|buccally|mid buccal|midbuccal", ["B"])
_add("surf", "|".join(misheard("buccal", TAGGER)), ["B"], 0.03)
_add("surf", "lingual|linguo|lingually|mid lingual|midlingual", ["L"])
_add("surf", "|".join(misheard("lingual", TAGGER)), ["L"], 0.03)
_add("surf", "palatal|palatally|palatinal|mid palatal", ["P"])
_add("surf", "|".join(misheard("palatal", TAGGER)), ["P"], 0.03)
_add("surf", "facial|facially|labial|labially", ["F"])
_add("surf", "incisal|incisally|inciso", ["I"])
_add("surf", "|".join(misheard("incisal", TAGGER)), ["I"], 0.03)
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
# perio charting's other marks (read in a perio utterance only: the cursor's tooth and row)
_add("supp", "suppuration|suppurating|pus|exudate|purulence|suppuration on probing")
_add("plaque", "plaque|plaque present|visible plaque")
_add("furcation", "furcation|furcation involvement|furca|furcation grade|furcation class")

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
     "is okay|looks good|looks healthy|no problems|no issues|is normal|that's normal|is quite normal|is completely normal")
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
# "scratch that last one": only the last item of the utterance goes
_add("scratch_last", "scratch that last one|scratch the last one|scratch that last item|delete that last one|"
     "cancel that last one|scratch the last item|strike that last one|scratch that last bit")
# Said doubt about what was just said: the clinician is not sure, so nothing is proposed as certain.
_add("hedge", "maybe|perhaps|possibly|or maybe|not sure|i'm not sure|im not sure|i am not sure|not certain|i don't know|i dont know|or is it|"
     "or was it|can't remember|cannot remember|can't tell|hard to tell|unsure")
_add("destruct", "delete|remove|erase|clear|undo|cancel|drop|discard|wipe")
_add("prep", "on|of|at|in|for|to|onto|into|upon")
_add("range", "through|thru|till|until")
_add("tmark", "tooth|teeth|number|#|tooth number|tooth no|tooth #|letter|tooth letter|hash")
_add("gmark", "grade|class|degree|type|level")
#: Millimetre words: a unit after a depth ("2 mm"), never a tooth's place after a quadrant ("upper left six mm").
MM_WORDS: tuple[str, ...] = ("mm", "millimeter", "millimeters", "millimetre", "millimetres", "mil", "mils")
_add("unit_mm", "|".join(MM_WORDS) + "|millimeter's")
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

# --- the grammar's own words: named here so that no spoken word is written in the interpreter's code -----

# Number words and their homophones (``normalize``).
#: Symbols written for a word ("16 & 17").
WRITTEN_SYMBOLS: dict[str, str] = {"&": "and"}
#: Ordinals written with digits -> the word ("1st" -> "first").
ORDINAL_DIGITS: dict[str, str] = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
#: The number word that is also a pronoun ("this one", "the next one").
ONE = "one"
#: The words after which "one" is a pronoun, not a number.
ONE_PRONOUN_BEFORE = frozenset(
    {
        "this", "that", "the", "which", "each", "every", "next", "another", "no", "any", "other", "last", "first",
        "same", "a", "little", "big",
    }
)
#: Homophones that are numbers only next to another number ("won six" -> 16).
NUMBER_HOMOPHONES: dict[str, int] = {"won": 1, "wan": 1, "tree": 3, "free": 3, "ate": 8, "aid": 8, "fore": 4, "for": 4}
#: The homophones of four that are also a preposition ("for six" -> 46, but "a crown for 16").
FOUR_HOMOPHONES = ("for", "fore")
#: The homophones of eight ("tooth ate"), numbers also after a word that announces a tooth.
EIGHT_HOMOPHONES = ("ate", "aid")
#: Words after which a homophone of eight is the number ("tooth ate", "upper right ate").
BEFORE_A_TOOTH_NUMBER = ("tooth", "number", "#", "right", "left")
#: "three to four" while charting perio: "to" / "too" heard for two between two digits.
TWO_HOMOPHONES = ("to", "too")
#: "onto 14": read as the preposition "on".
ON_SPELT_ONTO = "onto"
#: "sun 16": Whisper's "on" before a number.
ON_HEARD_AS_SUN = "sun"
#: A digit said as a word in a transcript: spoken depths ("buccal three") and written runs ("buccal 546").
_DIGIT_WORD = r"(?:[1-9]{3}(?:[1-9]{3})?|[0-9]|" + "|".join(NUMBER_UNITS) + ")"
#: Words of perio charting ("perio" as a word: "periodontitis" and "periapical" are not charting).
PERIO_HINT_PATTERN = r"pocket|probing|depth|\bperio\b|recession|bleed|\bbop\b"
#: A probing site followed by a single-digit depth ("24 buccal, 4 millimetres", "distolingual 6 mm on 47",
#: "buccal 4 3 5"): perio, even without the word "pocket". A two-digit number after a site is a tooth.
SITE_DEPTH_PATTERN = (
    r"\b(?:mesio|disto)?[ -]?(?:buccal|lingual|palatal)(?: (?:is|of|at|depth))?[ ,]+" + _DIGIT_WORD + r"\b(?![0-9])"
    r"(?![ ,-]+(?:teen|ty)\b)"
)

# Tooth names said in words ("upper right first molar", ``descriptive``): notation-free, mapped to FDI.
#: Arch words -> U (maxillary) or L (mandibular).
TOOTH_ARCHES: dict[str, str] = {
    "upper": "U", "maxillary": "U", "top": "U", "max": "U", "maxilla": "U",
    "lower": "L", "mandibular": "L", "bottom": "L", "mandible": "L",
}
#: Side words -> R or L (the patient's side).
TOOTH_SIDES: dict[str, str] = {"right": "R", "left": "L"}
#: Words that make a name a primary (baby) tooth's.
PRIMARY_WORDS = frozenset({"primary", "deciduous", "baby", "milk"})
#: Ordinals of a tooth in its type ("first molar") or of a quadrant ("first quadrant").
TOOTH_ORDINALS: dict[str, int] = {"first": 1, "second": 2, "third": 3}
#: Tooth type word -> (positions in a quadrant, plural?); premolar/molar positions are refined by ordinals.
TOOTH_TYPES: dict[str, tuple[tuple[int, ...], bool]] = {
    "incisor": ((1, 2), False),
    "incisors": ((1, 2), True),
    "central": ((1,), False),
    "centrals": ((1,), True),
    "lateral": ((2,), False),
    "laterals": ((2,), True),
    "canine": ((3,), False),
    "canines": ((3,), True),
    "cuspid": ((3,), False),
    "cuspids": ((3,), True),
    "premolar": ((4, 5), False),
    "premolars": ((4, 5), True),
    "bicuspid": ((4, 5), False),
    "bicuspids": ((4, 5), True),
    "molar": ((6, 7, 8), False),
    "molars": ((6, 7, 8), True),
    "anterior": ((1, 2, 3), True),
    "anteriors": ((1, 2, 3), True),
    "posterior": ((4, 5, 6, 7, 8), True),
    "posteriors": ((4, 5, 6, 7, 8), True),
}
#: Two-word tooth types ("central incisor", "wisdom tooth"), as ``TOOTH_TYPES``.
TOOTH_TYPES_TWO_WORDS: dict[tuple[str, str], tuple[tuple[int, ...], bool]] = {
    ("central", "incisor"): ((1,), False),
    ("central", "incisors"): ((1,), True),
    ("lateral", "incisor"): ((2,), False),
    ("lateral", "incisors"): ((2,), True),
    ("eye", "tooth"): ((3,), False),
    ("eye", "teeth"): ((3,), True),
    ("wisdom", "tooth"): ((8,), False),
    ("wisdom", "teeth"): ((8,), True),
    ("front", "teeth"): ((1, 2, 3), True),
    ("front", "tooth"): ((1, 2, 3), False),
    ("back", "teeth"): ((6, 7, 8), True),
    ("anterior", "teeth"): ((1, 2, 3), True),
    ("posterior", "teeth"): ((4, 5, 6, 7, 8), True),
}
#: Tooth group words that, said alone, are an adjective rather than teeth ("anterior composite").
GROUP_ADJECTIVES = ("anterior", "posterior")
#: Names of every permanent tooth at once ("full mouth").
WHOLE_MOUTH: tuple[tuple[str, ...], ...] = (
    ("whole", "mouth"),
    ("full", "mouth"),
    ("entire", "mouth"),
    ("all", "teeth"),
    ("all", "quadrants"),
    ("full", "dentition"),
    ("both", "arches"),
    ("all", "4", "quadrants"),
    ("all", "the", "teeth"),
)
#: Words for a quadrant ("upper right quadrant", "quadrant 2", "first quadrant").
QUADRANT_WORDS = frozenset({"quadrant", "quad", "quadrants"})
#: Words for a whole arch after an arch word ("upper arch", "lower teeth").
ARCH_GROUP_WORDS = frozenset({"arch", "jaw", "teeth"})
#: Palmer quadrant abbreviations ("UR 6") -> FDI quadrant.
PALMER_QUADRANTS: dict[str, int] = {"ur": 1, "ul": 2, "ll": 3, "lr": 4}
#: Letters of the primary teeth of a quadrant from the midline ("lower left E", UK).
PRIMARY_LETTERS = "abcde"
#: The article "a": the primary tooth letter A only when written as a capital ("lower left A").
ARTICLE_A = "a"
#: Words joining two ordinals ("first and second molars", "first, second molars").
ORDINAL_JOINERS = ("and", ",")
#: Words of a descriptive tooth name: a comma between two of them is a breath, not a boundary (``normalize``).
TOOTH_NAME_WORDS = frozenset({
    "upper", "lower", "left", "right", "primary", "baby", "deciduous", "permanent", "first", "second", "third",
    "central", "lateral", "molar", "molars", "premolar", "premolars", "incisor", "incisors", "canine", "canines",
})
#: "pre-molar": the prefix a hyphen split off, and the words it joins back onto.
SPLIT_PREFIX = "pre"
SPLIT_PREFIX_WORDS = ("molar", "molars")

# Surfaces written as letters ("MOD", "m o d", "DO"; ``tagger``).
#: The surface letters: mesial, occlusal, distal, buccal, lingual, facial, palatal.
SURFACE_LETTERS = frozenset("modblfp")
#: Perio site abbreviations written in capitals ("ML four"): sites, even where the word is a unit (ml).
SITE_ABBREVIATIONS = frozenset({"mb", "db", "ml", "dl", "mp", "dp"})
#: Surface combinations read in lower case ("mod", "ob"): no English word.
LOWER_SURFACE_COMBOS = frozenset({"mo", "od", "mod", "ob", "dol", "mol", "mob", "modb", "modl", "mobl", "dob", "modbl"})
#: "do": the surfaces D and O, unless one of ``NOT_SURFACE_AFTER_DO`` follows ("do a crown").
DO_AS_SURFACES = "do"
NOT_SURFACE_AFTER_DO = frozenset(
    {"a", "an", "the", "you", "we", "i", "it", "that", "this", "not", "some", "so", "with", "your", "my", "what", "me", "us"}
)
#: Letters as Whisper writes them when spoken alone ("tooth kay", "tooth cake"): Universal primary teeth.
SPOKEN_LETTERS: dict[str, str] = {
    "ay": "a", "bee": "b", "cee": "c", "see": "c", "dee": "d", "ee": "e", "eff": "f", "gee": "g", "aitch": "h",
    "jay": "j", "kay": "k", "cake": "k", "el": "l", "ell": "l", "em": "m", "en": "n", "pea": "p", "pee": "p",
    "queue": "q", "are": "r", "ess": "s", "tee": "t", "tea": "t",
}

# Small words the grammar reads by themselves (``tagger``, ``anchors``, ``attach``, ``clauses``).
#: Articles, skipped between a word and what it names ("before the filling").
ARTICLES = ("the", "a", "an")
#: "of": "recession of 3", "before the filling of 16".
OF = "of"
#: "to" between two teeth makes a range ("14 to 17").
RANGE_TO = "to"
#: "no" said alone: after a tooth, a correction ("16, no, 17"); otherwise a negation.
NO = "no"
#: Words skipped when looking for what a correction or a negation is about ("sorry, the tooth 17").
NOT_SIGNIFICANT = ("the", "tooth", "um", "uh", "er")
#: Words between a preposition and its tooth or surface ("on the tooth 16", "on both").
ENTITY_GLUE = ("the", "a", "an", "tooth", "its", "both")
#: Pronouns that refer back to the session's last item ("complete it", "move that up").
REFERENCE_WORDS = frozenset({"it", "that", "this", "them", "those"})
#: "mark it as complete": the word between the pronoun and the verb.
AS = "as"
#: Words that place an item relative to another ("move it before the filling").
RELATIVE_WORDS = frozenset({"before", "after", "behind", "ahead"})
#: "history of": a finding cue that also names the history view.
HISTORY_OF = "history of"
#: Registry verbs that move the last item when a position is said ("put it first", "bump that up").
MOVE_VERBS = ("put", "bump")
#: Registry verbs that place an item at a position ("put the crown first").
PLACE_VERBS = ("put", "place")
#: The lead of a note's text that is not part of it ("note that 16 is sensitive").
NOTE_LEAD = "that "

# Talk that is not dictation (``guards``).
#: Words said to someone in the room: with nothing chart-like said, small talk.
SECOND_PERSON = frozenset({"you", "your", "you're", "yours", "me", "i'm", "we're", "let's"})
#: Fillers before a request's verb ("ok, pass the suction").
LEAD_FILLERS = frozenset({"please", "ok", "okay", "now", "so", "and", "um", "uh", "alright", "right"})
#: Words said to the patient ("your crown will be ready"): not a chart change.
TO_THE_PATIENT = frozenset({"your", "you're", "youre", "you'll", "you've", "yours"})
#: "do the same on 27": an instruction, though it starts like a yes/no question.
DO_THE_SAME = ("do", "the", "same")

# Perio charting (``perio``).
#: Words that spread bleeding over every site ("bleeding everywhere").
SCOPE_WORDS = frozenset({"everywhere", "generalized", "generalised"})
#: Prepositions inside a perio group ("bleeding on 16", "at the DB").
PERIO_PREPS = ("on", "at", "of", "in")
#: Words that sit inside a perio group without ending it.
PERIO_GLUE = FILLER | {"on", "at", "of", "in", "with", "and"} | SCOPE_WORDS
#: "all sites": "all", then one of ``SITE_WORDS``.
ALL = "all"
SITE_WORDS = ("sites", "site")
#: Words that start the sites of a bleeding after glue ("bleeding on all three", "bleeding everywhere").
SCOPE_STARTS = ("all", "everywhere")

# Doubt about a diagnosis's polarity (``doubt``, ``proposals``).
#: The words that make a pulpitis reversible or not.
REVERSIBILITY_WORDS = ("reversible", "irreversible")
#: Words whose mishearing flips a diagnosis: they must be heard surely.
POLARITY_WORDS = frozenset({*REVERSIBILITY_WORDS, "symptomatic", "asymptomatic"})

#: The first word of every lexicon phrase (the tagger tries the lexicon only at these).
FIRST_WORDS = frozenset(k[0] for k in LEXICON)

# --- voice control of an exam session (``control.py``): a whole utterance, never part of a clinical sentence ---
#: Whole utterances that control the session -> (action, extra keys of the control object).
CONTROL_PHRASES: dict[str, tuple[str, dict[str, str]]] = {}


def _control(action: str, phrases: str, **extra: str) -> None:
    for phrase in phrases.split("|"):
        CONTROL_PHRASES[phrase.strip()] = (action, dict(extra))


_control("accept", "accept|accept that|accept it|accept all|accept those|confirm|confirm that|confirm it|confirmed|"
         "yes chart it|yes chart that|chart it|chart that|yes accept|yes confirm|yes confirm that|approve|approve that|"
         "approve it|yes approve|yes that's right chart it|that's correct chart it|yes please chart it|go ahead and chart it")
_control("cancel_last", "scratch that|cancel that|delete that|cancel|cancel the last one|cancel last|scratch|"
         "scratch the last one|delete the last one|delete last|strike that|disregard that|forget that|remove that|"
         "cancel that one|delete that one|scratch that one|scratch that last one|delete that last one|"
         "cancel that last one|scratch the last one|remove the last one")
_control("undo_last", "undo that|undo|undo last|undo the last one|undo it")
_control("read_back", "read back|read it back|read that back|repeat that|repeat|repeat it|say that again|"
         "read back the tooth|read it out|what did you record|what did you chart|read back please")
_control("pause", "stop listening|pause|pause listening|pause dictation|stop dictation|mute|hold on|go to sleep")
_control("resume", "resume|resume listening|start listening|continue listening|unpause|resume dictation|wake up|"
         "start dictation|listen again")
_control("goto", "next tooth|go to the next tooth|go to next tooth|move to the next tooth|on to the next tooth|"
         "onto the next tooth|move on to the next tooth|skip to the next tooth|next tooth please", direction="next")
_control("goto", "back|go back|previous tooth|back one|go back one|back a tooth|go back a tooth|last tooth|"
         "previous|back one tooth|go to the previous tooth|one back|go back a tooth please", direction="back")
_control("goto", "next one|the next one|next tooth|let's move on|move on|moving on|go on|"
         "go to the next one|move to the next one|next one please|on to the next one", direction="next")
_control("accept", "yes that's right|that's right chart it|looks good accept|accept those|accept them|accept all of them|"
         "approve all|approve those|confirm all|yes confirm all|okay chart it|chart those|yes chart those|confirm those|"
         "accept please|yes accept that|accept everything|approve everything|accept all of those|approve all of those|"
         "confirm all of those|accept all of them|approve all of them|chart all of those")
#: "skip" alone: the cursor's tooth is skipped.
CONTROL_SKIP_HERE = ("skip", "skip this tooth", "skip this one", "skip it", "skip that tooth", "skip this")
_control("cancel_last", "never mind|nevermind|scratch that please|cancel the last|delete the last|cancel that please|"
         "delete that please|remove the last one|drop that|drop the last one|ignore that")
_control("undo_last", "undo please|undo that please|undo that last one|undo the last|undo my last change")
# How the recogniser hears them (Whisper tiny.en, measured): only a whole utterance is a control.
_control("read_back", "re bat|rebat|re-bat|read bat|red back|reed back|re back|reback|breathe back|bread back|breed back")
_control("read_back", "read that back to me|read it back to me|read back what you have|what have you got|"
         "what have you recorded|what did you get|read me back|read back that tooth|say it again|repeat please|"
         "read back the last one|repeat the last one|read that out")
_control("pause", "stop|stop recording|pause recording|pause please|stop listening please|pause the dictation|"
         "stop listening for now|pause for now|go quiet|mute please|pause listening please")
_control("resume", "start listening again|keep listening|continue dictation|resume please|resume recording|"
         "start recording|back on|unmute|listening again|resume the dictation|you can listen again|okay resume")
#: Words that lead a tooth the cursor goes to ("go to 36") or skips ("skip 18").
CONTROL_GOTO_LEADS: dict[str, str] = {"go to": "tooth", "goto": "tooth", "move to": "tooth", "jump to": "tooth",
                                      "go back to": "tooth", "back to": "tooth", "return to": "tooth",
                                      "let's go to": "tooth", "now go to": "tooth", "skip to": "tooth",
                                      "move on to": "tooth", "jump ahead to": "tooth", "cursor to": "tooth",
                                      "switch to": "tooth", "go to tooth": "tooth", "skip": "skip", "skip tooth": "skip",
                                      "skip over": "skip", "skip past": "skip"}
#: The side (row) the cursor turns to ("lingual side", "switch to palatal") -> the row's name.
CONTROL_SIDES: dict[str, str] = {"buccal": "buccal", "facial": "buccal", "labial": "buccal",
                                 "lingual": "lingual", "palatal": "palatal"}
#: Ways of naming a side: "{side} side", "switch to {side}", ...
CONTROL_SIDE_FORMS: tuple[str, ...] = ("{} side", "{} site", "switch to {}", "switch to {} side", "go to {}", "go to {} side",
                                       "go to the {} side", "switch to the {} side", "{} now", "now {}",
                                       "turn to the {} side", "{} side now", "the {} side", "over to {}",
                                       "go to the {}", "switch to the {}", "now the {} side", "now the {}",
                                       "{} side please", "let's do the {} side", "let's do the {}", "flip to {}",
                                       "flip to the {} side", "move to the {} side", "move to {}", "do the {} side",
                                       "on to the {} side", "onto the {} side", "over to the {} side")
#: Words around a control that do not make it part of a sentence ("okay, next tooth please").
CONTROL_FILLERS = frozenset({"okay", "ok", "um", "uh", "er", "erm", "so", "alright", "right", "please", "now",
                             "thanks", "thank", "you", "and", "yep", "yeah", "yes", "hold on"})

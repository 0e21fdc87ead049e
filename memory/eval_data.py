"""The labelled memory set of ``dentalagent memory eval``: memories, queries, the one right answer each.

Two families, generated deterministically (seeded): clinic protocols (semantic; each asked once
with its own words and once paraphrased, clinic-wide) and patient visit summaries (episodic;
each finding asked with catalog words and with lay synonyms, inside the patient). Plus one
clinician's systematic shorthand for the habit-learning measure.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (protocol text, query in its own words, paraphrased query)
PROTOCOLS: list[tuple[str, str, str]] = [
    ("Give amoxicillin 2 g one hour before extractions for patients with prosthetic heart valves.", "amoxicillin prosthetic heart valve", "antibiotic cover before pulling a tooth for a cardiac patient"),
    ("Apply fluoride varnish every three months to children at high caries risk.", "fluoride varnish children", "how often do kids get topical fluoride"),
    ("Sterilise handpieces in the autoclave after every patient.", "autoclave handpieces", "cleaning drills between appointments"),
    ("Patients on warfarin need an INR below 3.5 within 24 hours before an extraction.", "warfarin INR extraction", "blood thinner check before taking a tooth out"),
    ("Replace the suction tubing and saliva ejector for every patient.", "saliva ejector suction tubing", "disposable parts of the spit sucker"),
    ("Take bitewing radiographs every 12 months for adults at high caries risk.", "bitewing radiographs adults", "how often to x-ray back teeth for decay"),
    ("Local anaesthetic: articaine 4% with adrenaline is first choice for infiltration.", "articaine infiltration", "which numbing injection do we use"),
    ("Maximum lidocaine dose is 7 mg per kg with adrenaline.", "lidocaine maximum dose", "upper limit of local anesthetic per body weight"),
    ("Pregnant patients: postpone elective radiographs until after the first trimester.", "pregnant radiographs trimester", "x-rays for expecting mothers"),
    ("Record a BPE score for every adult at each recall examination.", "BPE score recall", "gum screening at checkups"),
    ("Scale and polish appointments are booked for 30 minutes with the hygienist.", "scale and polish hygienist", "how long is a cleaning visit"),
    ("Emergency patients with facial swelling are seen the same day.", "facial swelling emergency", "urgent visit for a puffy face"),
    ("Medical history is updated and signed at every course of treatment.", "medical history signed", "health questionnaire paperwork"),
    ("Composite restorations are cured for 20 seconds per 2 mm increment.", "composite cured increment", "light curing time for white fillings"),
    ("Amalgam is not placed in pregnant or breastfeeding patients or children under 15.", "amalgam pregnant children", "silver fillings restrictions"),
    ("Root canal treatment uses rubber dam isolation in every case.", "rubber dam root canal", "isolation during endodontic treatment"),
    ("Sharps are disposed of in the yellow sharps bin, never recapped by hand.", "sharps bin recapped", "getting rid of used needles"),
    ("Nitrous oxide sedation requires a second trained person in the room.", "nitrous oxide sedation", "laughing gas staffing rule"),
    ("Diabetic patients are booked in the morning after breakfast.", "diabetic morning appointments", "best time of day for patients with sugar problems"),
    ("Dentures are disinfected before they are sent to the laboratory.", "dentures disinfected laboratory", "cleaning false teeth before the lab"),
    ("Implant patients get a periapical radiograph at the one year review.", "implant periapical review", "x-ray check of a titanium post after a year"),
    ("Fissure sealants are offered on permanent molars of children aged 6 to 12.", "fissure sealants molars children", "protective coating on kids' back teeth"),
    ("Cancellations with less than 24 hours notice are charged a fee.", "cancellation fee notice", "late cancel charge"),
    ("Waterlines are flushed for two minutes at the start of each day.", "waterlines flushed", "running the dental unit water every morning"),
    ("Patients with a latex allergy are booked first in the day in a latex-free room.", "latex allergy booked first", "rubber glove sensitivity scheduling"),
    ("Bisphosphonate patients are assessed for osteonecrosis risk before extractions.", "bisphosphonate osteonecrosis", "bone drug jaw risk before removing teeth"),
    ("Crown preparations get a temporary crown cemented with non-eugenol cement.", "temporary crown non-eugenol", "interim cap luting material"),
    ("Orthodontic referrals need an OPG and study models.", "orthodontic referral OPG", "sending someone for braces paperwork"),
    ("Children under 3 use a smear of toothpaste with 1000 ppm fluoride.", "toothpaste smear 1000 ppm", "how much paste for toddlers"),
    ("Dry socket is dressed with alvogyl and reviewed after three days.", "dry socket alvogyl", "painful empty hole after extraction"),
    ("Impressions are rinsed and disinfected for ten minutes before dispatch.", "impressions disinfected", "cleaning moulds before sending them"),
    ("Hand hygiene with alcohol rub before and after every patient contact.", "hand hygiene alcohol rub", "washing hands between patients"),
    ("Clinical waste bags are orange and collected weekly.", "clinical waste orange", "rubbish from the surgery"),
    ("Patients who smoke receive cessation advice at every examination.", "smoking cessation advice", "helping people quit cigarettes"),
    ("Teeth whitening is only prescribed after a full examination, for adults over 18.", "teeth whitening adults", "bleaching rules"),
    ("Night guards are made for patients with bruxism and tooth wear.", "night guard bruxism", "splint for grinding at night"),
    ("Endodontic files are single use and discarded after each treatment.", "endodontic files single use", "root canal instruments reuse"),
    ("Post-operative instructions are given in writing after every surgical extraction.", "post-operative instructions surgical", "aftercare leaflet after oral surgery"),
    ("The defibrillator and emergency drugs are checked every Monday.", "defibrillator emergency drugs checked", "weekly resuscitation kit check"),
    ("Patients with a pacemaker must not be treated with the ultrasonic scaler.", "pacemaker ultrasonic scaler", "heart device and vibrating cleaner"),
]

# catalog label -> (summary words, lay synonym used in paraphrased queries)
FINDINGS: list[tuple[str, str, str]] = [
    ("caries", "caries", "decay"), ("missing", "missing", "tooth gone"), ("crown", "crown", "cap"),
    ("root_canal_treated", "root canal treated", "nerve treatment done"), ("fracture", "fracture", "cracked"),
    ("implant", "implant", "titanium post"), ("sealant", "sealant", "protective coating"),
    ("restoration", "restoration", "filling"), ("watch", "watch", "monitor"), ("bridge", "bridge", "fixed replacement"),
]
TEETH = ["11", "12", "14", "16", "17", "21", "24", "26", "27", "31", "34", "36", "37", "41", "44", "46", "47"]
SURFACES = ["", "O", "MO", "DO", "B", "MOD"]


@dataclass(frozen=True)
class EvalMemory:
    key: str
    kind: str  # semantic | episodic
    patient: int | None  # index of the synthetic patient (episodic)
    content: str


@dataclass(frozen=True)
class EvalQuery:
    text: str
    relevant: str  # key of the one right memory
    patient: int | None  # search inside this patient only
    family: str  # protocol-words | protocol-paraphrase | visit-words | visit-lay


def dataset(patients: int = 25, visits: int = 12, seed: int = 7) -> tuple[list[EvalMemory], list[EvalQuery]]:
    rng = random.Random(seed)
    memories: list[EvalMemory] = []
    queries: list[EvalQuery] = []
    for i, (text, words, paraphrase) in enumerate(PROTOCOLS):
        key = f"protocol-{i}"
        memories.append(EvalMemory(key, "semantic", None, f"Protocol: {text}"))
        queries.append(EvalQuery(words, key, None, "protocol-words"))
        queries.append(EvalQuery(paraphrase, key, None, "protocol-paraphrase"))
    for p in range(patients):
        used: set[tuple[str, str]] = set()
        for v in range(visits):
            while True:
                tooth, (label, words, lay) = rng.choice(TEETH), rng.choice(FINDINGS)
                if (tooth, label) not in used:
                    used.add((tooth, label))
                    break
            surfaces = rng.choice(SURFACES) if label in ("caries", "restoration", "sealant") else ""
            month = 1 + v % 12
            key = f"visit-{p}-{v}"
            other = rng.choice([t for t in TEETH if t != tooth])
            content = (f"Visit 2026-{month:02d}-{1 + (v * 7) % 28:02d}: charted tooth {tooth} {words}"
                       + (f" ({surfaces})" if surfaces else "") + f"; checked tooth {other}. [run {p:03d}{v:05d}]")
            memories.append(EvalMemory(key, "episodic", p, content))
            if v % 4 == 0:  # a quarter of the visits are asked about, twice
                queries.append(EvalQuery(f"tooth {tooth} {words}", key, p, "visit-words"))
                queries.append(EvalQuery(f"{lay} on {tooth}", key, p, "visit-lay"))
    return memories, queries


# One clinician's shorthand: "query caries" means a lesion to watch; the interpreter reads caries.
SHORTHAND_TEMPLATES = [("query caries on {t}", "watch"), ("{t} missing", "missing"), ("{t} has a cap", "crown"),
                       ("{t} fractured", "fracture")]


def shorthand_set(n: int = 60, seed: int = 11) -> list[tuple[str, str, str]]:
    """(dictation, tooth, intended label): a third of them use the shorthand."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        template, label = SHORTHAND_TEMPLATES[0] if i % 3 == 0 else rng.choice(SHORTHAND_TEMPLATES[1:])
        tooth = rng.choice(TEETH)
        out.append((template.format(t=tooth), tooth, label))
    return out

"""Perio charting: group perio items into one record per tooth and read depths by site.

Six-point charting sites are MB, B, DB (buccal row) and ML, L, DL (lingual/palatal row).
Three depths without sites are the buccal row in order; a second unnamed row is lingual; six
depths are buccal then lingual. A row word ("lingual", "buccal") names the row of the depths
next to it: before them when the clinician leads with it, after them when they trail it.
A bare "mesial"/"distal" means the current row (buccal unless lingual was named).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .items import Item
from .lexicon import ALL, NO, PERIO_GLUE, PERIO_PREPS, SCOPE_STARTS, SCOPE_WORDS, SITE_WORDS

ROW_SITES = {"B": ("MB", "B", "DB"), "L": ("ML", "L", "DL")}
ALL_SITES = ("MB", "B", "DB", "ML", "L", "DL")
_CORE = frozenset({"run", "bleed", "recession", "perio_kw", "measure", "supp", "plaque", "furcation"})
#: Marks read like bleeding: their sites follow them ("suppuration on the distal"), kept under their key.
_MARK_SITES = {"bleed": "bleeding_sites", "supp": "suppuration_sites", "plaque": "plaque_sites"}
_GROUP_STARTS = frozenset({"run", "bleed", "recession", "perio_kw", "supp", "plaque", "furcation"})


def _is_mobility(it: Item) -> bool:
    return it.kind == "label" and it.value.find == "mobility" and not it.value.plan


def _glue(it: Item) -> bool:
    return (
        it.kind in ("soft", "conj")
        or (it.kind == "word" and it.said in PERIO_GLUE)
        or (it.kind == "prep" and it.said in PERIO_PREPS)
    )


def _site_measures_as_depths(items: list[Item]) -> list[Item]:
    """'24 buccal, 4 millimetres': a measurement right after a site is that site's pocket depth
    (unless it is a recession's)."""
    out = list(items)
    for k, it in enumerate(items):
        if it.kind != "measure" or not isinstance(it.value, int) or not 0 <= it.value <= 15:
            continue
        j = k - 1
        while j >= 0 and _glue(items[j]) and items[j].kind != "conj":
            j -= 1
        after = k + 1
        while after < len(items) and _glue(items[after]):
            after += 1
        if j >= 0 and items[j].kind == "surf" and not (after < len(items) and items[after].kind == "recession"):
            out[k] = Item("run", it.i, it.j, [it.value], it.penalty, it.said)
        elif after < len(items) and items[after].kind == "surf":
            # "four millimeters mesiobuccal": a depth said before its site
            out[k] = Item("run", it.i, it.j, [it.value], it.penalty, it.said)
        elif _pocket_at_site(items, after):
            # "six millimetre pocket distobuccal": the depth of the site named after "pocket"
            out[k] = Item("run", it.i, it.j, [it.value], it.penalty, it.said)
    return _join_runs(out)


def _pocket_at_site(items: list[Item], k: int) -> bool:
    if k >= len(items) or items[k].kind != "perio_kw":
        return False
    j = k + 1
    while j < len(items) and _glue(items[j]) and items[j].kind != "conj":
        j += 1
    return j < len(items) and items[j].kind == "surf"


def _corrects(it: Item) -> bool:
    return it.kind == "correct" or (it.kind == "neg" and it.said == NO)


def _last_said_run_before_correction(items: list[Item]) -> int | None:
    """The run a correction at the end of ``items`` replaces ("two three two, no sorry, ...")."""
    n = len(items) - 1
    while n >= 0 and items[n].kind == "soft":
        n -= 1
    if n < 0 or not _corrects(items[n]):
        return None
    while n >= 0 and (items[n].kind == "soft" or _corrects(items[n])):
        n -= 1
    return n if n >= 0 and items[n].kind == "run" else None


def _corrected(before: list[int], after: list[int]) -> list[int]:
    """'four, three, sorry, two, five' replaces the last depth (4 2 5); 'three two five, sorry, three
    two four' says the row again (3 2 4): whichever reading makes a whole row of three (or six)."""
    patched = [*before[:-1], *after]
    if len(patched) in (3, 6):
        return patched
    return list(after) if len(after) in (3, 6) else patched


def _join_runs(items: list[Item]) -> list[Item]:
    """'three millimetres, three, four': a depth with its unit, then more depths, is one run."""
    out: list[Item] = []
    for it in items:
        prev = out[-2] if len(out) >= 2 and out[-1].kind == "soft" else (out[-1] if out else None)
        mm_first = prev is not None and prev.kind == "measure" and isinstance(prev.value, int) and 0 <= prev.value <= 15
        before = _last_said_run_before_correction(out) if it.kind == "run" else None
        if before is not None:
            first = out[before]
            del out[before:]
            out.append(Item("run", first.i, it.j, _corrected(first.value, it.value), first.penalty + it.penalty, first.said))
            continue
        if it.kind == "run" and mm_first and prev is not None:
            while out[-1] is not prev:
                out.pop()
            out[-1] = Item("run", prev.i, it.j, [prev.value, *it.value], prev.penalty + it.penalty, prev.said)
            continue
        out.append(it)
    return out


def _joins_group(items: list[Item], j: int, members: list[Item], perio_mode: bool) -> bool:
    """Whether ``items[j]`` belongs to the perio group read so far (``members``)."""
    cur = items[j]
    n = len(items)
    if (cur.kind in _CORE or cur.kind in ("surf", "grade", "gmark", "every_site")
            or (perio_mode and _is_mobility(cur)) or _glue(cur)):
        return True
    if cur.kind == "neg" and j + 1 < n and items[j + 1].kind in ("bleed", "recession"):
        return True
    # "bleeding on 26 mesial buccal": the tooth sits inside the phrase
    return (
        cur.kind == "teeth"
        and bool(members)
        and j + 1 < n
        and items[j + 1].kind in ("surf", "run")
        and any(m.kind in ("bleed", "perio_kw", "supp", "plaque") for m in members)
        and not any(m.kind == "teeth" for m in members)
    )


def _trim_group(items: list[Item], members: list[Item], j: int) -> tuple[list[Item], int]:
    """Drop trailing glue and negations; a trailing surface after "and" belongs to what follows."""
    while members and (_glue(members[-1]) or members[-1].kind == "neg") and members[-1].said not in SCOPE_WORDS:
        members.pop()
        j -= 1
    # a trailing surface after "and" belongs to what follows ("... and distal caries")
    if members and members[-1].kind == "surf" and j < len(items) and items[j].kind == "label" and not _is_mobility(items[j]):
        conj = max((x for x, m in enumerate(members) if m.kind == "conj"), default=None)
        if conj is not None:
            j -= len(members) - conj
            members = members[:conj]
    return members, j


def _read_group(items: list[Item], k: int, perio_mode: bool) -> list[Item]:
    """The members of the perio group starting at ``k``."""
    members: list[Item] = []
    j = k
    while j < len(items) and _joins_group(items, j, members, perio_mode) and not _new_tooth_clause(items, j, members):
        members.append(items[j])
        j += 1
    return _trim_group(items, members, j)[0]


def _new_tooth_clause(items: list[Item], j: int, members: list[Item]) -> bool:
    """ "pocket depths 16 buccal 3 4 5, bleeding on 16 buccal": a mark that names its tooth again
    starts its own record (its sites are its own, not "not said")."""
    if items[j].kind not in _MARK_SITES or not any(m.kind == "teeth" for m in members):
        return False
    n = j + 1
    while n < len(items) and _glue(items[n]) and items[n].kind != "conj":
        n += 1
    return n < len(items) and items[n].kind == "teeth"


def _is_perio_group(members: list[Item], perio_mode: bool) -> bool:
    return any(m.kind in ("run", "bleed", "recession", "supp", "plaque", "furcation") or (perio_mode and _is_mobility(m))
               for m in members)


def group_perio(items: list[Item], perio_mode: bool) -> list[Item]:
    """Replace each cluster of perio items with one ``perio`` item holding them (in ``value``)."""
    items = _site_measures_as_depths(items)
    out: list[Item] = []
    k = 0
    n = len(items)
    while k < n:
        it = items[k]
        if _starts_group(items, k, perio_mode):
            members = _read_group(items, k, perio_mode)
            if _is_perio_group(members, perio_mode):
                out.append(
                    Item(
                        "perio",
                        members[0].i,
                        members[-1].j,
                        members,
                        sum(m.penalty for m in members),
                        " ".join(m.said for m in members),
                    )
                )
                k = k + len(members)
                continue
        out.append(it)
        k += 1
    return out


def _starts_group(items: list[Item], k: int, perio_mode: bool) -> bool:
    it = items[k]
    if it.kind in _GROUP_STARTS:
        return True
    if perio_mode and _is_mobility(it):
        return True  # while perio charting, mobility is charted with the perio record (else it is a finding)
    if it.kind in ("measure", "gmark", "grade"):
        j = k + 1
        while j < len(items) and (items[j].kind in ("grade", "gmark") or _glue(items[j])):
            j += 1
        return j < len(items) and (items[j].kind in ("recession", "furcation") or (perio_mode and _is_mobility(items[j])))
    if it.kind == "neg" and k + 1 < len(items) and items[k + 1].kind == "bleed":
        return True
    if it.kind == "surf":
        j = k + 1
        while j < len(items) and (items[j].kind == "surf" or (_glue(items[j]) and items[j].kind != "conj")):
            j += 1
        return j < len(items) and items[j].kind in ("run", "bleed")
    return False


def _site(letters: list[str], row: str) -> tuple[str | None, str | None]:
    """Surface letters -> (single site or None, row named or None)."""
    s = set(letters)
    named_row = "L" if s & {"L", "P"} else ("B" if s & {"B", "F"} else None)
    r = named_row or row
    if "M" in s:
        return "M" + r, named_row
    if "D" in s:
        return "D" + r, named_row
    if named_row:
        return None, named_row  # a row word on its own
    return None, None


@dataclass
class _Reading:
    """What one perio group has said so far: values, what is missing, the members claimed."""

    values: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)


def _read_mobility(members: list[Item], idx: int, r: _Reading) -> None:
    grade = _neighbour(members, idx, ("grade",), r.used)
    if grade is not None:
        r.values["mobility_grade"] = members[grade].value
        r.used.add(grade)
    else:
        r.missing.append("mobility_grade")


def _read_recession(members: list[Item], idx: int, r: _Reading) -> None:
    if idx > 0 and members[idx - 1].kind == "neg":
        return
    val = _neighbour(members, idx, ("measure", "run", "grade"), r.used)
    if val is not None:
        v = members[val].value
        if isinstance(v, list) and len(v) == 3:  # "recession 2 1 2": by site, the current row
            row = _rows_before(members)[idx] or _named_row_after(members, idx) or "B"
            r.values["recession_mm"] = dict(zip(ROW_SITES[row], v, strict=True))
        else:
            r.values["recession_mm"] = v[0] if isinstance(v, list) else v
        r.used.add(val)
    else:
        r.missing.append("recession_mm")


def _read_furcation(members: list[Item], idx: int, r: _Reading) -> None:
    grade = _neighbour(members, idx, ("grade", "run", "measure"), r.used)
    if grade is not None:
        v = members[grade].value
        r.values["furcation_grade"] = v[0] if isinstance(v, list) else v
        r.used.add(grade)
    else:
        r.missing.append("furcation_grade")


def _read_mobility_and_recession(members: list[Item], r: _Reading) -> None:
    """Mobility, recession and furcation first: they claim their numbers."""
    for idx, m in enumerate(members):
        if _is_mobility(m):
            r.used.add(idx)
            _read_mobility(members, idx, r)
        elif m.kind == "recession":
            r.used.add(idx)
            _read_recession(members, idx, r)
        elif m.kind == "furcation":
            r.used.add(idx)
            _read_furcation(members, idx, r)


def _scope_sites(members: list[Item], j: int, cur_row: str) -> tuple[list[str], int] | None:
    """ "all three", "everywhere", "all sites" after "bleeding": the sites meant and the next index."""
    x = members[j]
    if x.kind == "every_site":  # "bleeding on all three": the sites of the row just probed
        return list(ROW_SITES[cur_row if cur_row in ROW_SITES else "B"]), j + 1
    if x.kind == "word" and x.said in SCOPE_WORDS:
        return list(ALL_SITES), j + 1
    if x.kind == "word" and x.said == ALL and j + 1 < len(members) and members[j + 1].said in SITE_WORDS:
        return list(ALL_SITES), j + 2
    return None


def _skips_in_bleeding(members: list[Item], j: int) -> bool:
    """A tooth or glue between "bleeding" and its sites ("bleeding on 26 mesial buccal", "at the DB and the MB")."""
    x = members[j]
    if x.kind == "teeth":
        return True
    if _glue(x) and _glue_then_site(members, j):
        return True
    return _glue(x) and x.kind != "conj" and j + 1 < len(members) and _glue(members[j + 1])


def _sites_after_bleeding(members: list[Item], idx: int, cur_row: str, used: set[int]) -> list[str]:
    """The sites named after the "bleeding" at ``idx``."""
    sites: list[str] = []
    j = idx + 1
    while j < len(members):
        x = members[j]
        if x.kind == "surf":
            site, named = _site(x.value, cur_row)
            if site is None and named:
                site = named  # "bleeding on the buccal" -> mid-buccal
            if site:
                sites.append(site)
            used.add(j)
            j += 1
            continue
        scope = _scope_sites(members, j, cur_row)
        if scope is not None:
            sites.extend(scope[0])
            j = scope[1]
            continue
        if _skips_in_bleeding(members, j):
            j += 1
            continue
        break
    return sites


def _site_before_bleeding(members: list[Item], idx: int, used: set[int]) -> list[str]:
    """ "distobuccal bleeding": a site word right before "bleeding" that names no depth."""
    if not (idx > 0 and members[idx - 1].kind == "surf" and (idx - 1) not in used
            and not _next_to_run(members, idx - 1)):
        return []
    site, named = _site(members[idx - 1].value, "B")
    used.add(idx - 1)
    return [site or named or "B"]


def _site_of_last_depth(members: list[Item], idx: int) -> list[str]:
    """ "distobuccal 6 with bleeding": the site just read."""
    for j in range(idx - 1, -1, -1):
        if members[j].kind == "run" and len(members[j].value) == 1:
            near = (j - 1, j + 1, j + 2)  # "6 mm pocket distobuccal with bleeding": the site after "pocket"
            spec = next((x for x in near if 0 <= x < idx and members[x].kind == "surf"), None)
            if spec is not None:
                site, named = _site(members[spec].value, "B")
                found = site or named
                if found:
                    return [found]
            return []
        if members[j].kind in ("run", "bleed"):
            return []
    return []


def _read_bleeding(members: list[Item], r: _Reading, kind: str = "bleed") -> list[str] | None:
    """Bleeding (or suppuration, plaque: ``kind``) and its sites (a negated "no bleeding" claims its
    sites but charts none); None if unsaid."""
    bleeding: list[str] = []
    bleed_said = False
    rows_before = _rows_before(members)
    for idx, m in enumerate(members):
        if m.kind != kind:
            continue
        r.used.add(idx)
        negated = idx > 0 and members[idx - 1].kind == "neg"
        sites = _sites_after_bleeding(members, idx, rows_before[idx] or "B", r.used)
        if not sites:
            sites = _site_before_bleeding(members, idx, r.used)
        if not sites:
            sites = _site_of_last_depth(members, idx)
        if negated:
            continue
        bleed_said = True
        for s in sites:
            if s not in bleeding:
                bleeding.append(s)
    return bleeding if bleed_said else None


def _sites_for_runs(members: list[Item], runs: list[int], specs: list[int]) -> dict[int, int]:
    """Each depth run takes the closest site word on the side the clinician leads with."""
    prefix = bool(specs and runs and specs[0] < runs[0])
    spec_for: dict[int, int] = {}
    taken: set[int] = set()
    for run in runs:
        spec = _closest_spec(members, run, forward=not prefix)
        if spec is None or spec in taken:
            spec = _closest_spec(members, run, forward=prefix)
        if spec is not None and spec not in taken and spec in specs:
            spec_for[run] = spec
            taken.add(spec)
    return spec_for


def _named_run(depths: dict[str, int], vals: list[int], letters: list[str], row: str, free_rows: list[str]) -> str:
    """Depths with their site word ("ML four", "lingual 3 2 4"); the row now current."""
    site, named = _site(letters, row)
    if named:
        row = named
    if site and len(vals) == 1:
        depths[site] = vals[0]
    elif named and len(vals) == 1:
        depths[named] = vals[0]
    else:
        the_row = named or row
        for s, v in zip(ROW_SITES[the_row], vals, strict=False):
            depths[s] = v
        if the_row in free_rows:
            free_rows.remove(the_row)
    return row


def _unnamed_run(depths: dict[str, int], vals: list[int], free_rows: list[str]) -> None:
    """Depths without a site word: six are both rows; three fill the next free row (buccal first)."""
    if len(vals) >= 6:
        for s, v in zip(ALL_SITES, vals, strict=False):
            depths[s] = v
        free_rows.clear()
        return
    the_row = free_rows.pop(0) if free_rows else "B"
    for s, v in zip(ROW_SITES[the_row], vals, strict=False):
        depths[s] = v


def _read_depths(members: list[Item], r: _Reading) -> None:
    """Depth runs and the site words that name them."""
    runs = [i for i, m in enumerate(members) if m.kind == "run" and i not in r.used]
    specs = [i for i, m in enumerate(members) if m.kind == "surf" and i not in r.used]
    spec_for = _sites_for_runs(members, runs, specs)
    depths: dict[str, int] = {}
    row = "B"
    free_rows = ["B", "L"]
    for run in runs:
        vals = list(members[run].value)
        if run in spec_for:
            row = _named_run(depths, vals, members[spec_for[run]].value, row, free_rows)
        else:
            _unnamed_run(depths, vals, free_rows)
    if depths:
        r.values["depths_mm"] = {s: depths[s] for s in ALL_SITES if s in depths}


def parse_group(members: list[Item], perio_mode: bool) -> tuple[dict[str, Any], list[str], float]:
    """One perio group -> (values, missing, penalty)."""
    members = _merge_sites(members)
    r = _Reading()
    _read_mobility_and_recession(members, r)
    bleeding = _read_bleeding(members, r)
    marks = {kind: _read_bleeding(members, r, kind) for kind in ("supp", "plaque")}
    _read_depths(members, r)
    if bleeding is not None:
        r.values["bleeding_sites"] = bleeding
        if not bleeding:
            r.missing.append("bleeding_sites")
    for kind, sites in marks.items():
        if sites is not None:  # "suppuration" alone marks the tooth; with sites, those sites
            key = _MARK_SITES[kind]
            r.values[key.removesuffix("_sites") if not sites else key] = sites or True
    penalty = sum(m.penalty for m in members)
    return r.values, r.missing, penalty


def _merge_sites(members: list[Item]) -> list[Item]:
    """'mesial buccal' said as two words is the one site MB (also "distal, buccal": Whisper's comma)."""
    out: list[Item] = []
    for m in members:
        if m.kind == "surf" and len(out) >= 2 and out[-1].kind == "soft" and out[-2].kind == "surf" and out[-1].said in (",", ""):
            comma = out.pop()
            if not (out[-1].value in (["M"], ["D"]) and len(m.value) == 1 and m.value[0] in "BLPF"):
                out.append(comma)
            else:
                m = Item(m.kind, out[-1].j, m.j, m.value, m.penalty, m.said)  # adjacent for the rule below
        prev = out[-1] if out else None
        if (
            prev is not None
            and m.kind == "surf"
            and prev.kind == "surf"
            and prev.j == m.i
            and prev.value in (["M"], ["D"])
            and len(m.value) == 1
            and m.value[0] in "BLPF"
        ):
            out[-1] = Item("surf", prev.i, m.j, prev.value + m.value, prev.penalty + m.penalty, f"{prev.said} {m.said}")
            continue
        out.append(m)
    return out


def _neighbour(members: list[Item], idx: int, kinds: tuple[str, ...], used: set[int]) -> int | None:
    for j in (idx + 1, idx + 2, idx - 1, idx - 2):
        if 0 <= j < len(members) and j not in used and members[j].kind in kinds:
            between = members[min(j, idx) + 1 : max(j, idx)]
            if all(_glue(b) or b.kind == "gmark" for b in between):
                return j
    return None


def _rows_before(members: list[Item]) -> list[str | None]:
    """For each member, the row (B/L) last named before it: one pass, not one scan per member."""
    out: list[str | None] = []
    named: str | None = None
    for m in members:
        out.append(named)
        if m.kind == "surf":
            named = _site(m.value, "B")[1] or named
    return out


def _named_row_after(members: list[Item], idx: int) -> str | None:
    """ "recession 2 1 2 on the lingual": the row named after the values."""
    for m in members[idx + 1 :]:
        if m.kind == "surf":
            return _site(m.value, "B")[1]
    return None


def _next_to_run(members: list[Item], idx: int) -> bool:
    for j in (idx - 1, idx + 1):
        if 0 <= j < len(members) and members[j].kind == "run":
            return True
    return False


def _glue_then_site(members: list[Item], j: int) -> bool:
    k = j + 1
    while k < len(members) and _glue(members[k]) and members[k].said not in SCOPE_STARTS:
        k += 1
    return k < len(members) and (members[k].kind in ("surf", "teeth", "every_site") or members[k].said in SCOPE_STARTS)


def _closest_spec(members: list[Item], r: int, forward: bool) -> int | None:
    """The site word nearest to run ``r`` in one direction, across glue only ("ML four": ML)."""
    step = 1 if forward else -1
    j = r + step
    while 0 <= j < len(members):
        if members[j].kind == "surf":
            return j
        if _glue(members[j]) or members[j].kind == "perio_kw":
            j += step
            continue
        return None
    return None

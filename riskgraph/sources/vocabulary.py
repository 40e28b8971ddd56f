"""Facility types and sector words → stages and sectors (inference for imported facilities).
"""
from __future__ import annotations

import re
from typing import Iterable


from riskgraph.chain.model import SECTORS, stage_table, stages_of
from riskgraph.sources._common import _key, _split_multi



# --------------------------------------------------------------------------- vocabularies

#: Facility / process words → stage, per sector. Each pipe-separated item of a
#: facility or processing type is tested against every pattern; of the stages
#: found, the most downstream one is taken (a factory that knits, dyes and
#: sews ships garments).
FACILITY_STAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "textiles": (
        (r"ginn", "ginner"),
        (r"spinn|\byarn", "spinner"),
        (r"weav|knit(?!wear)|fabric|textile or material production|^materials?$|textile mill", "weaver_knitter"),
        (r"\bdye|dyeing|print|wash|laund|finishing|wet process|tanning|tannery", "wet_processor"),
        (r"sew|cutting|\bcut\b|assembl|garment|apparel|finished goods|final product|embroider|\bcmt\b|knitwear", "garment_maker"),
        (r"cotton farm|\bfarm\b|plantation|grower", "cotton_farm"),
        (r"\bbrand\b", "brand"),
        (r"retail", "retailer"),
    ),
    "food": (
        (r"\bfarm|plantation|\bestate\b|smallholder|grower|producer group", "farm"),
        (r"cooperative|co-?op\b|\bscoops?\b|coop-?ca|union of", "cooperative"),
        (r"\btrad|export|buying (station|centre|center)|aggregat|collect", "trader"),
        (r"refin|\bmill|crush|process|grind|roast|ferment|manufacturing plant|factory|packing|packhouse|slaughter", "processor"),
        (r"retail|supermarket", "retailer"),
    ),
    "natural_stone": (
        (r"quarr|\bmine\b|mining", "quarry"),
        (r"process|cutting|polish|\bsaw|factory|workshop|\bmill", "processor"),
        (r"export", "exporter"),
        (r"import", "importer"),
        (r"wholesal|distribut|stockist", "wholesaler"),
        (r"install|contractor", "installer"),
    ),
    "gold": (
        (r"artisanal|\basm\b|small.?scale", "mine_asm"),
        (r"large.?scale|industrial min", "mine_lsm"),
        (r"recycl|scrap", "recycler"),
        (r"\btrad|export|dealer|aggregat|comptoir", "trader"),
        (r"refin|smelt", "refiner"),
        (r"bullion|\bbank\b|vault", "bullion_bank"),
        (r"jewel|manufactur|fabricat|factory", "manufacturer"),
        (r"retail|\bshop\b|store", "retailer"),
    ),
}

#: Sector words in Open Supply Hub's ``sector`` field (and similar columns) → sector.
SECTOR_WORDS: tuple[tuple[str, str], ...] = (
    (r"apparel|textile|garment|footwear|leather|accessor|fashion|\byarn|fib(re|er)|cotton|home goods", "textiles"),
    (r"food|agricultur|beverage|cocoa|coffee|palm|sugar|\btea\b|dairy|meat|fish|fruit|vegetable|grain|soy|spice|nut", "food"),
    (r"stone|marble|granite|slate|sandstone|limestone|quartzite", "natural_stone"),
    (r"\bgold\b|jewel|precious metal", "gold"),
)

METALS = ("tantalum", "tin", "gold", "tungsten")  # the order of the CMRT declaration rows
_METAL_NAMES = {"tantalum": "tantalum", "tin": "tin", "gold": "gold", "tungsten": "tungsten", "wolfram": "tungsten"}
_CID = re.compile(r"^CID\d{6}$")
_PLACEHOLDER = re.compile(r"smelter not (listed|yet identified)", re.IGNORECASE)


def _stage_rank() -> dict[tuple[str, str], int]:
    table = stage_table()
    return {(s, st): int(o) for s, st, o in zip(table["sector"], table["stage"], table["order"])}


def infer_stage(texts: Iterable[object], sector: str | None) -> str | None:
    """The stage that facility/process type texts point to in a sector, or ``None``.

    Texts may be multi-valued (``|`` or ``;`` separated). A text that is a
    stage name or label of the sector is taken as it is. Of several stages
    found, the most downstream one wins.

    >>> infer_stage(["Knitting|Dyeing|Sewing"], "textiles")
    'garment_maker'
    >>> infer_stage(["Refinery | Manufacturing Plant"], "food")
    'processor'
    >>> infer_stage(["Office / HQ"], "textiles") is None
    True
    """
    if sector not in FACILITY_STAGES:
        return None
    stages = set(stages_of(sector))
    labels = {_key(label): stage for stage, label in zip(stage_table()["stage"], stage_table()["label_en"])
              if stage in stages}
    found: set[str] = set()
    for text in texts:
        for item in _split_multi(text):
            key = _key(item)
            if key.replace(" ", "_") in stages:
                found.add(key.replace(" ", "_"))
                continue
            if key in labels:
                found.add(labels[key])
                continue
            for pattern, stage in FACILITY_STAGES[sector]:
                if re.search(pattern, key):
                    found.add(stage)
    if not found:
        return None
    rank = _stage_rank()
    return max(sorted(found), key=lambda st: rank.get((sector, st), 0))


def infer_sector(text: object) -> str | None:
    """The riskgraph sector named by a sector text such as ``Apparel|Footwear``, or ``None``.

    ``None`` too when the text names several of riskgraph's sectors.

    >>> infer_sector("Agriculture|Food|Food & Beverage"), infer_sector("Government Registry")
    ('food', None)
    """
    found = set()
    for item in _split_multi(text):
        key = _key(item)
        if key.replace(" ", "_") in SECTORS:
            found.add(key.replace(" ", "_"))
            continue
        for pattern, sector in SECTOR_WORDS:
            if re.search(pattern, key):
                found.add(sector)
    return found.pop() if len(found) == 1 else None

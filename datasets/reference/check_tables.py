"""Self-check of the generated reference tables (run at the end of build_scores.py).

Assertions on completeness, ranges, empty cells and well-known cases; the expert expectations
proper are in tests/data/reference_expectations.csv (tests/test_reference_data.py).
"""
from __future__ import annotations

import pandas as pd

from build_scores import (
    CAHRA_FLOOR,
    INDICATORS,
    THEMES,
    find,
    read_csv,
    reread,
)
from commodity_keys import KEY_RE, good_keys
from evidence import apply_dol_2024


def self_check(codes):
    cs = reread("country_scores.csv")
    assert list(cs.columns) == ["iso2", "theme", "score", "raw_value", "source", "year", "method"]
    assert len(codes) == 250 and len(cs) == 250 * len(THEMES), len(cs)
    assert not cs.duplicated(["iso2", "theme"]).any()
    assert set(cs.iso2) == set(codes) and set(cs.theme) == set(THEMES)
    assert (cs.map(lambda v: v.strip() != "")).all().all(), "empty cell"
    sc = pd.to_numeric(cs.score)
    assert sc.notna().all() and sc.between(0, 1).all()
    s = cs.assign(score=sc).set_index(["theme", "iso2"])["score"]
    d = cs.set_index(["theme", "iso2"])["method"]
    assert (cs[cs.method == "default_no_data"].source == "default").all()
    # sanity checks on well-known cases
    for iso in ("ET", "TD"):
        assert s["child_labour", iso] >= 0.75, iso
    for iso in ("NL", "CH", "DE", "DK"):
        assert s["child_labour", iso] < 0.25, iso
        assert s["forced_labour", iso] < 0.25, iso
    for iso in ("KP", "ER"):
        assert s["forced_labour", iso] >= 0.75, iso
    for iso in ("SO", "SS"):
        assert s["corruption", iso] >= 0.75, iso
    assert s["corruption", "DK"] < 0.25
    cahra = read_csv(find(INDICATORS["cahra"][0]))
    assert d["child_labour", "IN"].startswith("secondary:"), d["child_labour", "IN"]
    for iso in cahra.iso2:
        assert s["conflict_financing", iso] >= CAHRA_FLOOR, iso
    for iso in ("CD", "AF", "SD", "YE"):
        assert s["conflict_financing", iso] >= 0.75, iso
    assert s["conflict_financing", "IS"] < 0.25
    for iso in ("BR", "ID", "PY"):
        assert s["deforestation", iso] >= 0.5, iso
    for iso in ("BR", "ID", "CD", "CI", "MY"):
        assert s["deforestation", iso] > s["deforestation", "NL"], iso
    assert s["freedom_of_association", "DK"] == 0.0
    assert s["living_wage", "MG"] >= 0.75 and s["living_wage", "NL"] < 0.25
    assert s["pollution", "EE"] < 0.25 and s["land_rights", "FI"] < 0.25

    ev = reread("commodity_evidence.csv")
    assert list(ev.columns) == ["iso2", "commodity", "theme", "floor", "source", "year", "evidence"]
    assert not ev.duplicated(["iso2", "commodity", "theme"]).any()
    fl = pd.to_numeric(ev.floor)
    assert fl.between(0, 1).all() and (ev.map(lambda v: v.strip() != "")).all().all()
    assert ev.commodity.str.match(KEY_RE.pattern).all()
    assert set(ev.theme) <= set(THEMES)
    assert set(ev.iso2) <= set(codes)
    dol, _ = apply_dol_2024(read_csv(find("dol_tvpra_list.csv")))
    for col, theme in (("child_labor", "child_labour"), ("forced_labor", "forced_labour")):
        for r in dol[dol[col] == "1"].itertuples():
            for key in good_keys(r.good):
                assert ((ev.iso2 == r.iso2) & (ev.commodity == key) & (ev.theme == theme)).any()
    bench = read_csv(find("eudr_country_benchmark.csv"))
    nonlow = bench[bench.eudr_risk != "low"]
    for ek in ("cattle", "cocoa", "coffee", "oil_palm", "rubber", "soya", "wood"):
        sub = ev[(ev.commodity == ek) & (ev.theme == "deforestation")]
        assert set(sub.iso2) == set(nonlow.iso2), ek
    assert not ev[(ev.theme == "deforestation")].iso2.isin(bench[bench.eudr_risk == "low"].iso2).any()

    hubs = read_csv(find("minerals_transit_hubs.csv"))
    assert set(hubs.metal) <= {"gold", "tin", "tantalum", "tungsten"} and set(hubs.iso2) <= set(codes)
    assert not hubs.duplicated(["iso2", "metal", "source"]).any()
    for r in hubs.itertuples():
        assert ((ev.iso2 == r.iso2) & (ev.commodity == r.metal) & (ev.theme == "conflict_financing")).any(), r.iso2

    for r in read_csv(find("sector_evidence.csv")).itertuples():
        hit = ev[(ev.iso2 == r.iso2) & (ev.commodity == r.commodity) & (ev.theme == r.theme)]
        assert len(hit) == 1 and hit.evidence.iloc[0].startswith("sector finding"), (r.iso2, r.commodity)

    rs = reread("region_scores.csv")
    assert list(rs.columns) == ["region", "country", "theme", "score", "raw_value", "source", "year", "method"]
    assert not rs.duplicated(["region", "theme"]).any() and set(rs.theme) <= set(THEMES)
    assert pd.to_numeric(rs.score).between(0, 1).all() and (rs.map(lambda v: v.strip() != "")).all().all()
    assert set(rs.country) <= set(codes)

    al = reread("commodity_aliases.csv")
    assert list(al.columns) == ["alias", "commodity", "eudr_commodity"]
    assert al.alias.is_unique and (al.alias == al.alias.str.lower()).all()
    assert set(ev.commodity) <= set(al.commodity)
    for k in set(al.commodity):
        assert ((al.alias == k) & (al.commodity == k)).any(), k
    am = al.set_index("alias").commodity
    for a, k in {"palm oil": "oil_palm", "palmolie": "oil_palm", "soja": "soya", "cacao": "cocoa",
                 "koffie": "coffee", "rundvlees": "cattle", "natuursteen": "stones", "graniet": "granite",
                 "katoen": "cotton", "goud": "gold", "hout": "wood", "timber": "wood",
                 "bananen": "bananas", "palm fruit": "oil_palm"}.items():
        assert am[a] == k, (a, am[a])

    sr = reread("stage_relevance.csv")
    assert list(sr.columns) == ["sector", "stage", "theme", "weight", "rationale"]
    stages = {
        "gold": ["mine_asm", "mine_lsm", "recycler", "trader", "refiner", "bullion_bank", "manufacturer", "retailer"],
        "natural_stone": ["quarry", "processor", "exporter", "importer", "wholesaler", "installer"],
        "textiles": ["cotton_farm", "ginner", "spinner", "weaver_knitter", "wet_processor", "garment_maker", "brand", "retailer"],
        "food": ["farm", "cooperative", "processor", "trader", "manufacturer", "retailer"],
    }
    want = {(sec, st, th) for sec, sts in stages.items() for st in sts for th in THEMES}
    got = set(zip(sr.sector, sr.stage, sr.theme))
    assert got == want and len(sr) == len(want), (want - got, got - want)
    w = pd.to_numeric(sr.weight)
    assert w.between(0, 1).all() and (sr.rationale.str.len() > 20).all()

    sv = reread("theme_severity.csv")
    assert list(sv.columns) == ["theme", "severity", "rationale"] and set(sv.theme) == set(THEMES)
    assert pd.to_numeric(sv.severity).between(1, 5).all() and len(sv) == len(THEMES)
    ct = reread("category_thresholds.csv")
    assert list(ct.columns) == ["category", "min_score"]
    ms = pd.to_numeric(ct.min_score)
    assert ms.iloc[0] == 0 and ms.is_monotonic_increasing and ms.between(0, 1).all()
    print("self-check: all assertions passed")

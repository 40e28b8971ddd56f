"""Commodity evidence for the reference tables (used by build_scores.py; SOURCES.md, section 3).

US DOL TVPRA listings (2022 edition with the sourced 2024 removals), the EUDR benchmark as a floor
for the EUDR commodities, the transit/trading hubs (raw/minerals_transit_hubs.csv, the table the
minerals module reads too) as a conflict-financing floor for their metal, and
sector findings (raw/sector_evidence.csv: a documented hazard of one good's production in one country,
for example building collapses and fires in Bangladesh's garment factories) scored by the rules of
``REGION_RULES``.
"""
from __future__ import annotations

import sys

import pandas as pd

from build_scores import DOL_FLOOR, EUDR_FLOOR, GOLD_HUB_FLOOR, REGION_RULES, THEMES, find, read_csv
from commodity_keys import KEY_EUDR, good_keys


def apply_dol_2024(dol: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Apply the sourced changes of the 2024 TVPRA edition to the 2022 list.

    Removals (raw/dol_tvpra_2024_changes.csv): the four removals take away the child-labour
    designation (ILAB's stated reason is that child labour in these sectors "has been reduced to no
    more than isolated incidents"); a forced-labour designation on the same row (Thailand, shrimp) is
    kept, because the sources read do not say it was removed.

    Additions (raw/dol_tvpra_2024_additions.csv): only the country-good pairs that secondary sources
    name with their designation (Mauritius and Burma garments, forced labour) are appended, as rows
    of edition 2024 with their source; the other additions are named without their country or good
    in the sources read and cannot be applied (SOURCES.md, section 3).

    Returns the list with a ``source`` column (empty for the 2022 rows) and notes keyed
    ``(iso2, good, edition)`` for the evidence text.
    """
    path = find("dol_tvpra_2024_changes.csv")
    changes = read_csv(path)
    dol = dol.copy()
    notes = {}
    for c in changes[changes["change"] == "REMOVED"].itertuples(index=False):
        keys = good_keys(c.good)
        hit = (dol["country"] == c.country) & dol["good"].map(lambda g, keys=keys: good_keys(g) == keys)
        if hit.sum() != 1:
            sys.exit(f"{path.name}: removal {c.country}/{c.good} matches {hit.sum()} rows of the 2022 list")
        dol.loc[hit, "child_labor"] = "0"
        row = dol[hit].iloc[0]
        notes[(row["iso2"], row["good"], row["edition"])] = (f"the 2024 edition removed '{c.good}' from {c.country} ({path.name}: "
                                             f"{c.source_url}); the forced-labour designation is kept because "
                                             f"the sources read do not say it was removed")
    dol["source"] = ""
    added_path = find("dol_tvpra_2024_additions.csv")
    added = read_csv(added_path)
    for a in added.itertuples(index=False):
        same = (dol["iso2"] == a.iso2) & (dol["good"] == a.good) & (dol["edition"] == a.edition)
        if same.any():
            sys.exit(f"{added_path.name}: {a.country}/{a.good} is already in the list as edition {a.edition}")
        if not (a.source_url.startswith("http") and a.second_source_url.startswith("http") and a.source_quote):
            sys.exit(f"{added_path.name}: {a.country}/{a.good} needs two sources and a quote")
        notes[(a.iso2, a.good, a.edition)] = (f"added in the 2024 edition as reported by {a.source_title} "
                                              f"({a.source_url}) and {a.second_source_url}")
    added = added.assign(source=[f"US DOL ILAB TVPRA List, 2024 edition: addition named in secondary sources "
                                 f"({added_path.name}: {u})" for u in added["source_url"]])
    dol = pd.concat([dol, added[list(dol.columns)]], ignore_index=True)
    dol = dol[(dol["child_labor"] == "1") | (dol["forced_labor"] == "1")].reset_index(drop=True)
    return dol, notes


def transit_hub_evidence() -> dict[tuple, dict]:
    """Transit and trading hubs (raw/minerals_transit_hubs.csv) -> a conflict-financing floor for the metal.

    The table has one row per country, metal and source (The Sentry 2020, the UN Group of Experts on
    the DRC 2020); the riskgraph minerals module reads the same table for its transit-hub flag.  A
    country named by several sources gets one evidence row that cites them all.
    """
    path = find("minerals_transit_hubs.csv")
    hubs = read_csv(path)
    rows = {}
    for (iso2, metal), group in hubs.groupby(["iso2", "metal"], sort=True):
        group = group.sort_values("source")
        bases = "; ".join(f"{r.basis} ({r.source_title.split(',')[0]} {r.year})" for r in group.itertuples())
        rows[(iso2, metal, "conflict_financing")] = dict(
            iso2=iso2, commodity=metal, theme="conflict_financing", floor=GOLD_HUB_FLOOR,
            source=" + ".join(f"{r.source_title}, {r.source_url}" for r in group.itertuples()) + f" ({path.name})",
            year=";".join(sorted(set(group["year"]))),
            evidence=(f"{metal} transit/trading hub: {bases}. OECD Due Diligence Guidance for Minerals, Annex II and "
                      f"Supplement on Gold: {metal} claimed to originate from, or transported via, a country through "
                      f"which {metal} from conflict-affected and high-risk areas is known to transit is a red flag"))
    return rows


def sector_evidence(codes) -> dict[tuple, dict]:
    """Sector findings (raw/sector_evidence.csv) -> commodity evidence rows keyed (iso2, commodity, theme).

    A row records a hazard that a government, UN or comparable report documents in the production of
    one good in one country (Rana Plaza and Tazreen in Bangladesh's garment factories); its ``rule``
    is one of ``REGION_RULES`` and sets the floor, as for a sub-national finding.  The stages the
    finding describes are those of the good in ``evidence_stages.csv``.
    """
    path = find("sector_evidence.csv")
    rows = {}
    for r in read_csv(path).itertuples(index=False):
        if r.iso2 not in codes:
            sys.exit(f"{path.name}: unknown country {r.iso2!r}")
        if r.theme not in THEMES:
            sys.exit(f"{path.name}: unknown theme {r.theme!r}")
        if r.rule not in REGION_RULES:
            sys.exit(f"{path.name}: unknown rule {r.rule!r} (one of {', '.join(REGION_RULES)})")
        if not (r.source_url.startswith("http") and r.quote.strip()):
            sys.exit(f"{path.name}: {r.iso2}/{r.commodity} needs a source address and a quote")
        rows[(r.iso2, r.commodity, r.theme)] = dict(
            iso2=r.iso2, commodity=r.commodity, theme=r.theme, floor=REGION_RULES[r.rule],
            source=f"{r.source_title}, {r.source_url} ({path.name})", year=r.year,
            evidence=f"sector finding ({r.rule}={REGION_RULES[r.rule]:g}): {r.value}")
    return rows


def build_evidence(dol: pd.DataFrame, good_map, bench: pd.DataFrame, eudr_keys, codes, dol_notes=None):
    rows = {}
    dol_notes = dol_notes or {}
    dol_src = (f"US DOL ILAB TVPRA List ({find('dol_tvpra_list.csv').name}, with the 2024 removals of "
               f"{find('dol_tvpra_2024_changes.csv').name})")
    flag_theme = {"child_labor": "child_labour", "forced_labor": "forced_labour"}
    words = {"child_labour": "child labour", "forced_labour": "forced labour"}
    for r in dol.itertuples(index=False):
        for col, theme in flag_theme.items():
            if str(getattr(r, col)).strip() != "1":
                continue
            for key in good_map[r.good]:
                k = (r.iso2, key, theme)
                src = r.source or f"{dol_src}, {r.edition} edition"
                e = rows.setdefault(k, dict(iso2=r.iso2, commodity=key, theme=theme,
                                            floor=DOL_FLOOR[theme], source=src,
                                            year=str(r.edition), goods=[], country=r.country, notes=[]))
                e["goods"].append(r.good)
                if (r.iso2, r.good, r.edition) in dol_notes:
                    e["notes"].append(dol_notes[(r.iso2, r.good, r.edition)])
    for e in rows.values():
        goods = ", ".join(f"'{g}'" for g in sorted(set(e.pop("goods"))))
        country = e.pop("country")
        notes = e.pop("notes")
        e["evidence"] = (f"US DOL TVPRA List {e['year']}: {goods} from {country} listed as produced "
                         f"with {words[e['theme']]}" + "".join(f"; {n}" for n in notes))
    rows.update(transit_hub_evidence())
    for k, row in sector_evidence(codes).items():
        if k in rows:
            sys.exit(f"sector_evidence.csv: {k} is already evidence of another source")
        rows[k] = row
    bench_src = f"EUDR country benchmark, Implementing Regulation (EU) 2025/1093 ({find('eudr_country_benchmark.csv').name})"
    eudr_for_key = dict(KEY_EUDR)
    for r in bench.itertuples(index=False):
        risk = r.eudr_risk.strip()
        if risk not in EUDR_FLOOR:
            if risk != "low":
                sys.exit(f"unknown EUDR class {risk!r}")
            continue
        for key, ek in sorted(eudr_for_key.items()):
            k = (r.iso2, key, "deforestation")
            via = "" if key == ek else f" ('{key}' falls under EUDR commodity '{ek}', Annex I)"
            rows[k] = dict(iso2=r.iso2, commodity=key, theme="deforestation", floor=EUDR_FLOOR[risk],
                           source=bench_src, year="2025",
                           evidence=f"EUDR benchmark 2025: {r.country} classified '{risk}' risk; "
                                    f"{ek} is an EUDR relevant commodity (Reg. (EU) 2023/1115 Art. 2(1)){via}")
    df = pd.DataFrame(rows.values(), columns=["iso2", "commodity", "theme", "floor", "source", "year", "evidence"])
    return df.sort_values(["iso2", "commodity", "theme"]).reset_index(drop=True)

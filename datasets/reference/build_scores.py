#!/usr/bin/env python3
"""Build the riskgraph reference tables from ``datasets/reference/raw/``.

Run from anywhere:  python datasets/reference/build_scores.py

Inputs (``raw/``, copied from the public sources with their provenance, see raw/SOURCES.md,
raw/SOURCES-2.md and raw/indicators/SOURCES.md):
  raw/indicators/*.csv                         country indicators (iso2,iso3,country,value,year,unit)
  raw/indicators/deforestation_gfw_*.csv       GFW/Hansen tree-cover loss per country and year
  raw/indicators/*_national_estimates.csv      secondary national figures where the primary source has none
  raw/dol_tvpra_list.csv, dol_tvpra_2024_changes.csv   US DOL ILAB TVPRA list (2022) and its sourced 2024 changes
  raw/dol_tvpra_2024_additions.csv             2024 additions named with country and good in secondary sources
  raw/eudr_country_benchmark.csv, eudr_commodities.csv EUDR benchmark and relevant commodities
  raw/minerals_transit_hubs.csv                transit/trading hubs per metal and source (The Sentry, UN Group of Experts);
                                               also read by riskgraph.regulation.minerals
  raw/living_wage_migrant_workforce_states.csv states whose workforce is largely migrant (ILO)
  raw/region_evidence.csv                      sub-national findings (ISO 3166-2), each with its source
  raw/sector_evidence.csv                      findings about one good's production in one country (commodity evidence)

Outputs (next to this script):
  country_scores.csv       iso2,theme,score,raw_value,source,year,method
  region_scores.csv        region,country,theme,score,raw_value,source,year,method
  commodity_evidence.csv   iso2,commodity,theme,floor,source,year,evidence (DOL, EUDR, gold hubs, sector findings)
  commodity_aliases.csv    alias,commodity,eudr_commodity

Hand-maintained tables that this script only validates:
  stage_relevance.csv, theme_severity.csv, category_thresholds.csv

Every theme's transform from raw value to score is defined once, in ``SCALES`` below, on fixed
anchors stated there and in SOURCES.md (section 2.1): a score never depends on which other
countries a table happens to hold.  Indicator files are located by file-name pattern; when
several editions are present, the last in sorted order (the newest) is used.  Output is
deterministic: rows are sorted and floats are rounded to 6 decimals.  Only pandas (and its numpy
dependency) and pycountry are used.

Read the outputs with ``keep_default_na=False``: the iso2 code of Namibia is "NA".
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
sys.path.insert(0, str(HERE))
from commodity_keys import KEY_EUDR, build_aliases

THEMES = [
    "child_labour", "forced_labour", "deforestation", "living_wage", "health_safety",
    "freedom_of_association", "land_rights", "pollution", "conflict_financing", "corruption",
]
TIERS = ["primary", "secondary", "fallback", "proxy", "default"]

# ---------------------------------------------------------------------------------------------
# Parameters (documented in SOURCES.md)
# ---------------------------------------------------------------------------------------------
DOL_FLOOR = {"child_labour": 0.8, "forced_labour": 0.8}      # DOL TVPRA listing -> floor
EUDR_FLOOR = {"high": 1.0, "standard": 0.6}                   # EUDR benchmark -> floor, EUDR commodities only
CAHRA_FLOOR = 0.75                                            # EU CAHRA listed -> conflict floor
GOLD_HUB_FLOOR = 0.75                                         # OECD Annex II transit red flag -> gold floor
MIN_R2 = 0.30                                                 # proxy models with a weaker fit are not used
GFW_HALF_LIFE = 5.0                                           # years: weight of a year's loss halves every 5 years
KOSOVO = ("XK", "Kosovo")

# Region scores: how a sourced sub-national finding becomes a score (SOURCES.md, section 2.5); the same
# rules turn a sector finding (raw/sector_evidence.csv) into a commodity floor (SOURCES.md, section 3).
# `measured:<scale>` applies the country scale of that name to a measured regional value.
REGION_RULES = {
    "legal_presumption": 0.95,           # a statute presumes the abuse for all goods of the region (rebuttable)
    "cahra_conflict_affected": 0.95,     # EU CAHRA list: the region itself is conflict-affected
    "cahra_high_risk": 0.85,             # EU CAHRA list: the region itself is high-risk
    "official_finding_systematic": 0.9,  # a government, UN or DOL report documents the abuse in the region's sector
}

# Dependent territories -> state whose score is used when the territory has no primary or
# fallback value of its own for a theme; model proxies are not applied to these territories.
# Hong Kong and Macao (separate legal and customs systems), Taiwan, Holy See, Western Sahara,
# Kosovo and Antarctica deliberately have no parent.
PARENT = {
    "AI": "GB", "AS": "US", "AW": "NL", "AX": "FI", "BL": "FR", "BM": "GB", "BQ": "NL",
    "BV": "NO", "CC": "AU", "CK": "NZ", "CW": "NL", "CX": "AU", "FK": "GB", "FO": "DK",
    "GF": "FR", "GG": "GB", "GI": "GB", "GL": "DK", "GP": "FR", "GS": "GB", "GU": "US",
    "HM": "AU", "IM": "GB", "IO": "GB", "JE": "GB", "KY": "GB", "MF": "FR",
    "MP": "US", "MQ": "FR", "MS": "GB", "NC": "FR", "NF": "AU", "NU": "NZ",
    "PF": "FR", "PM": "FR", "PN": "GB", "PR": "US", "RE": "FR", "SH": "GB", "SJ": "NO",
    "SX": "NL", "TC": "GB", "TF": "FR", "TK": "NZ", "UM": "US", "VG": "GB", "VI": "US",
    "WF": "FR", "YT": "FR",
}


# ---------------------------------------------------------------------------------------------
# Theme transforms: fixed anchors, one place per theme (SOURCES.md, section 2.1)
# ---------------------------------------------------------------------------------------------
class LogScale:
    """Piecewise linear in log10(x) through fixed ``(value, score)`` breakpoints.

    Below the first breakpoint the score is 0, above the last it is 1.  Prevalence and rate data
    are right-skewed; on a log scale a doubling counts the same everywhere on the scale.
    """

    def __init__(self, name: str, points: list[tuple[float, float]], unit: str):
        self.name, self.points, self.unit = name, points, unit
        self.lx = np.log10([p[0] for p in points])
        self.ys = np.array([p[1] for p in points])
        self.method = f"logscale:{name}[" + ",".join(f"{x:g}{unit}={y:g}" for x, y in points) + "]"

    def __call__(self, x):
        x = pd.Series(x, dtype=float)
        with np.errstate(divide="ignore"):
            lx = np.log10(x.clip(lower=0))
        return pd.Series(np.interp(lx, self.lx, self.ys, left=0.0, right=1.0), index=x.index).where(x.notna())


class LinearScale:
    """Linear from ``zero_at`` (score 0) to ``one_at`` (score 1), clipped to [0, 1]."""

    def __init__(self, name: str, zero_at: float, one_at: float):
        self.name, self.zero_at, self.one_at = name, zero_at, one_at
        self.method = f"linear:{name}[{zero_at:g}=0,{one_at:g}=1]"

    def __call__(self, x):
        x = pd.Series(x, dtype=float)
        return ((x - self.zero_at) / (self.one_at - self.zero_at)).clip(0, 1)


SCALES = {
    # Child labour, % of children 5-17 (UNICEF/ILO definition).  2 % -> 0.25, 5 % -> 0.5 (the
    # regional prevalence of Asia-Pacific, Latin America and Europe-Central Asia in ILO/UNICEF 2021),
    # 10 % -> 0.75 (about the 2020 world prevalence, 9.6 %), 25 % -> 1 (about sub-Saharan Africa,
    # 23.9 %).  0.1 % -> 0, so the lowest measured country (Turkmenistan 0.28 %) is not 0.
    "child_labour": LogScale("child_labour_pct", [(0.1, 0), (2, .25), (5, .5), (10, .75), (25, 1)], "%"),
    # Modern slavery per 1,000 (Walk Free GSI).  The world figure, 50 million in 2021 (ILO, Walk
    # Free, IOM 2022), is about 6 per 1,000: 5 -> 0.5, 12 -> 0.75 (twice the world figure),
    # 30 -> 1 (Mauritania 32, third highest); 2 -> 0.25; 0.2 -> 0, below every GSI country (min 0.5).
    "forced_labour": LogScale("gsi_per_1000", [(0.2, 0), (2, .25), (5, .5), (12, .75), (30, 1)], ""),
    # Fatal occupational injuries per 100,000 workers (ILOSTAT).  The best-recording high-income
    # countries (Germany 0.97, United Kingdom 0.83) score below 0.25; 5 -> 0.5, 10 -> 0.75,
    # 25 -> 1 (Palestine 38, Cuba 25); 0.3 -> 0.
    "health_safety": LogScale("fatal_per_100k", [(0.3, 0), (2, .25), (5, .5), (10, .75), (25, 1)], ""),
    # Deforestation, three parts averaged (SOURCES.md 2.3): recent-weighted GFW tree-cover loss as
    # % of FAO forest area per year (intensity), the same loss in ha per year (scale of the
    # frontier) and the FAO 2010-2020 net loss of forest area in % per year (permanence: rotation
    # forestry and fire regrow, conversion to farmland does not).
    "deforestation_rate": LogScale("loss_pct_of_forest_per_yr", [(0.1, 0), (2.5, 1)], "%"),
    "deforestation_area": LogScale("loss_ha_per_yr", [(100, 0), (1e6, 1)], "ha"),
    "deforestation_net": LogScale("net_forest_loss_pct_per_yr", [(0.02, 0), (2, 1)], "%"),
    # World Bank WGI estimates are standard-normal units, published range about -2.5..+2.5.
    "wgi": LinearScale("wgi_estimate", 2.5, -2.5),
    # Political stability / absence of violence: +1.5 (the most stable states) -> 0, -2.5 -> 1.
    "wgi_pv": LinearScale("wgi_political_stability", 1.5, -2.5),
    # Yale EPI 0-100: 80 -> 0, 20 -> 1 (2024 range 24.5-75.3).
    "epi": LinearScale("epi_score", 80.0, 20.0),
    "cpi": LinearScale("cpi_0_100", 100.0, 0.0),
    "pct": LinearScale("pct_0_100", 0.0, 100.0),
}
ITUC_SCALE = {"1": 0.0, "2": 0.2, "3": 0.4, "4": 0.6, "5": 0.8, "5+": 1.0}

# Indicator files: key -> (glob pattern under raw/, label used in the `source` column)
INDICATORS = {
    "unicef_cl": ("indicators/child_labour_unicef_sowc*.csv", "UNICEF SOWC child labour %"),
    "gsi": ("indicators/forced_labour_gsi_*_prevalence.csv", "Walk Free GSI prevalence"),
    "cpi": ("indicators/corruption_cpi_*.csv", "TI CPI"),
    "wgi_cc": ("indicators/governance_wgi_control_of_corruption_*.csv", "World Bank WGI control of corruption"),
    "wgi_rl": ("indicators/governance_wgi_rule_of_law_*.csv", "World Bank WGI rule of law"),
    "wgi_va": ("indicators/governance_wgi_voice_accountability_*.csv", "World Bank WGI voice and accountability"),
    "wgi_pv": ("indicators/conflict_wgi_political_stability_*.csv", "World Bank WGI political stability"),
    "ituc": ("indicators/freedom_of_association_ituc_gri_*.csv", "ITUC Global Rights Index"),
    "ilo_fatal": ("indicators/health_safety_ilostat_fatal_injury_rate*.csv", "ILOSTAT fatal occupational injury rate"),
    "fao_area_2020": ("indicators/deforestation_fao_fra*_forest_area_2020.csv", "FAO FRA forest area 2020"),
    "fao_area_2010": ("indicators/deforestation_fao_fra*_forest_area_2010.csv", "FAO FRA forest area 2010"),
    "forest_national": ("indicators/forest_area_national_estimates.csv", "national forest inventory (secondary)"),
    "epi": ("indicators/environment_epi_*.csv", "Yale EPI"),
    "pov3": ("indicators/living_wage_wdi_poverty_3usd_*.csv", "World Bank WDI poverty headcount $3.00"),
    "pov830": ("indicators/living_wage_wdi_poverty_8_30usd_*.csv", "World Bank WDI poverty headcount $8.30"),
    "cahra": ("indicators/conflict_eu_cahra_listed_*.csv", "EU indicative CAHRA list"),
}


def find(pattern: str) -> Path:
    hits = sorted(RAW.glob(pattern))
    if not hits:
        sys.exit(f"missing input: raw/{pattern}")
    return hits[-1]


def read_csv(path: Path) -> pd.DataFrame:
    # keep_default_na=False: "NA" is Namibia, not a missing value.
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def universe() -> list[str]:
    return sorted({c.alpha_2 for c in pycountry.countries} | {KOSOVO[0]})


class Indicator:
    """One raw indicator file with its transformed score."""

    def __init__(self, key: str):
        pattern, label = INDICATORS[key]
        self.key = key
        self.path = find(pattern)
        self.source = f"{label} ({self.path.name})"
        df = read_csv(self.path)
        df = df[df["value"].str.strip() != ""]
        if df["iso2"].duplicated().any():
            sys.exit(f"duplicate iso2 in {self.path.name}")
        df = df.set_index("iso2").sort_index()
        self.text = df["value"].str.strip()
        self.year = df["year"].str.strip()
        self.value = pd.to_numeric(self.text, errors="coerce")
        self.score: pd.Series | None = None
        self.method = ""

    def scaled(self, scale) -> Indicator:
        self.score = scale(self.value.dropna()).dropna()
        self.method = scale.method
        return self

    def has(self, iso: str) -> bool:
        return self.score is not None and iso in self.score.index


def load_indicators() -> dict[str, Indicator]:
    I = {k: Indicator(k) for k in INDICATORS}
    I["unicef_cl"].scaled(SCALES["child_labour"])
    I["gsi"].scaled(SCALES["forced_labour"])
    I["ilo_fatal"].scaled(SCALES["health_safety"])
    for k in ("wgi_cc", "wgi_rl", "wgi_va"):
        I[k].scaled(SCALES["wgi"])
    I["wgi_pv"].scaled(SCALES["wgi_pv"])
    I["epi"].scaled(SCALES["epi"])
    I["cpi"].scaled(SCALES["cpi"])
    I["pov830"].scaled(SCALES["pct"])
    I["pov3"].scaled(SCALES["pct"])
    ituc = I["ituc"]
    bad = sorted(set(ituc.text) - set(ITUC_SCALE))
    if bad:
        sys.exit(f"unknown ITUC ratings {bad}")
    ituc.score, ituc.method = ituc.text.map(ITUC_SCALE).astype(float), "scale:ituc_1_5plus"
    cahra = I["cahra"]
    cahra.score, cahra.method = (cahra.value == 1).astype(float), "flag:listed"
    return I


class Estimated:
    """A proxy input taken from another theme's model-proxy rows (an estimated indicator)."""

    def __init__(self, name: str, theme: Theme, fn, raw_name: str):
        rows = {k: r for k, r in theme.rows.items() if r["sub"] == "proxy_model"}
        self.name, self.raw_name = name, raw_name
        self.score = fn(pd.Series({k: r["score"] for k, r in rows.items()}, dtype=float))
        self.text = {k: f"{r['score']:.3f} ({r['raw_value']})" for k, r in rows.items()}
        self.year = {k: r["year"] for k, r in rows.items()}
        self.source = {k: r["source"] for k, r in rows.items()}


class EstimatedFrom:
    """An observed Feature in the shape of :class:`Estimated` (per-country text, year, source)."""

    def __init__(self, feat: Feature):
        self.name, self.raw_name, self.score = feat.name, feat.raw_name, feat.score
        self.text, self.year = feat.ind.text, feat.ind.year
        self.source = {k: feat.ind.source for k in feat.score.index}


class Feature:
    """A proxy input: a transformed indicator (or a function of one) in [0,1]."""

    def __init__(self, name: str, ind: Indicator, fn=None, raw_name: str | None = None):
        self.name, self.ind = name, ind
        self.raw_name = raw_name or name
        self.score = ind.score if fn is None else fn(ind.score)


# ---------------------------------------------------------------------------------------------
# Theme assembly: primary -> fallback -> proxy (territories: parent state; others: model) -> default
# ---------------------------------------------------------------------------------------------
class Theme:
    def __init__(self, name: str, codes: list[str]):
        self.name = name
        self.codes = codes
        self.rows: dict[str, dict] = {}
        self.notes: list[str] = []
        self.models: dict[tuple, tuple] = {}

    def _set(self, iso, score, raw, source, year, method, tier, sub=None):
        if iso in self.rows or iso not in self.codes:
            return
        if score is None or not np.isfinite(score):
            return
        self.rows[iso] = dict(iso2=iso, theme=self.name, score=float(min(1.0, max(0.0, score))),
                              raw_value=str(raw), source=source, year=str(year), method=method,
                              tier=tier, sub=sub or tier)

    def primary_scores(self) -> pd.Series:
        return pd.Series({k: r["score"] for k, r in self.rows.items() if r["tier"] == "primary"},
                         dtype=float)

    def primary(self, ind: Indicator):
        for iso, s in ind.score.items():
            self._set(iso, s, ind.text[iso], ind.source, ind.year[iso], ind.method, "primary")

    def primary_mean(self, parts: list[tuple[str, Indicator]]):
        """Mean of several transformed indicators where all of them have a value."""
        common = sorted(set.intersection(*[set(i.score.index) for _, i in parts]))
        method = "mean(" + ",".join(f"{i.method}[{n}]" for n, i in parts) + ")"
        for iso in common:
            score = float(np.mean([i.score[iso] for _, i in parts]))
            raw = ";".join(f"{n}={i.text[iso]}" for n, i in parts)
            years = ";".join(dict.fromkeys(i.year[iso] for _, i in parts))
            src = " + ".join(i.source for _, i in parts)
            self._set(iso, score, raw, src, years, method, "primary")

    def fallback_linked(self, name: str, ind: Indicator, target: pd.Series | None = None):
        """Quantile (equipercentile) link of another source onto the primary scale.

        The fallback's own [0,1] score is turned into its percentile among the countries that
        have both values, and the primary score at that percentile is used.  Monotone, and it
        keeps the primary's distribution, so fallback and primary scores are comparable.
        """
        target = self.primary_scores() if target is None else target
        both = sorted(set(target.index) & set(ind.score.index))
        if len(both) < 10:
            self.notes.append(f"fallback {name}: too few overlapping countries ({len(both)}), skipped")
            return
        x = np.sort(ind.score[both].to_numpy())
        y = np.sort(target[both].to_numpy())
        q = np.linspace(0.0, 1.0, len(x))
        ux = np.unique(x)
        uq = np.array([q[x == v].mean() for v in ux])
        rho = pd.concat([ind.score[both], target[both]], axis=1).corr(method="spearman").iloc[0, 1]
        self.notes.append(f"fallback {name}: quantile link on n={len(both)} countries, "
                          f"Spearman rho={rho:.3f}")
        method = f"quantile_link:{ind.method}[{name}]"
        for iso, s in ind.score.items():
            if iso in self.rows:
                continue
            pct = float(np.interp(s, ux, uq)) if len(ux) > 1 else 0.5
            score = float(np.interp(pct, q, y))
            self._set(iso, score, f"{name}={ind.text[iso]}", ind.source, ind.year[iso], method,
                      "fallback")

    def proxy_ols(self, specs: list[list[Feature]]):
        """Ordinary least squares of the primary score on proxy features, fitted on the
        countries with a primary value; the first spec whose inputs a country has is used."""
        target = self.primary_scores()
        for feats in specs:
            names = [f.name for f in feats]
            X = pd.concat([f.score.rename(f.name) for f in feats], axis=1).dropna()
            both = sorted(set(X.index) & set(target.index))
            A = np.c_[np.ones(len(both)), X.loc[both].to_numpy()]
            b, *_ = np.linalg.lstsq(A, target[both].to_numpy(), rcond=None)
            res = target[both].to_numpy() - A @ b
            tss = ((target[both] - target[both].mean()) ** 2).sum()
            r2 = 1 - float(res @ res) / float(tss)
            formula = f"{b[0]:.3f}" + "".join(f"{c:+.3f}*{n}" for c, n in zip(b[1:], names))
            method = f"proxy:ols({formula})"
            self.models[tuple(names)] = (b, formula)
            if r2 < MIN_R2:
                self.notes.append(f"proxy ols({', '.join(names)}): R2={r2:.3f} on n={len(both)} "
                                  f"is below {MIN_R2}, not used")
                continue
            used = 0
            for iso in X.index:
                if iso in self.rows or iso not in self.codes or iso in PARENT:
                    continue
                pred = float(b[0] + X.loc[iso].to_numpy() @ b[1:])
                raw = ";".join(dict.fromkeys(f"{f.raw_name}={f.ind.text[iso]}" for f in feats))
                years = ";".join(dict.fromkeys(f.ind.year[iso] for f in feats))
                src = " + ".join(dict.fromkeys(f.ind.source for f in feats))
                self._set(iso, pred, raw, src, years, method, "proxy", "proxy_model")
                used += 1
            self.notes.append(f"proxy ols({', '.join(names)}): score = {formula}; fitted on "
                              f"n={len(both)}, R2={r2:.3f}; used for {used} countries")

    def proxy_apply(self, fitted: list[str], feats: list[Feature], note: str):
        """Apply an already fitted proxy model with estimated inputs (two-stage proxy)."""
        b, formula = self.models[tuple(fitted)]
        X = pd.concat([f.score.rename(f.name) for f in feats], axis=1).dropna()
        method = f"proxy:ols({formula})[{note}]"
        used = 0
        for iso in X.index:
            if iso in self.rows or iso not in self.codes or iso in PARENT:
                continue
            pred = float(b[0] + X.loc[iso].to_numpy() @ b[1:])
            raw = ";".join(f"{f.raw_name}={f.text[iso]}" for f in feats)
            years = ";".join(f.year[iso] for f in feats)
            src = " + ".join(f.source[iso] for f in feats)
            self._set(iso, pred, raw, src, years, method, "proxy", "proxy_model")
            used += 1
        self.notes.append(f"proxy ols({', '.join(fitted)}) applied with {note}; used for {used} countries")

    def overlay_floor(self, flag: Indicator, floor: float, tag: str):
        n = raised = 0
        for iso, r in self.rows.items():
            if flag.has(iso) and flag.score[iso] >= 1:
                raised += r["score"] < floor
                r["score"] = max(r["score"], floor)
                r["raw_value"] += f";{tag}={flag.text[iso]}"
                r["source"] += f" + {flag.source}"
                r["year"] += f";{flag.year[iso]}"
                r["method"] += f";{tag}_floor:{floor}"
                n += 1
        self.notes.append(f"{tag} floor {floor} applied to {n} listed countries, raising {raised}")

    def parent_state(self):
        """Dependent territories without own data take their state's score.  Model proxies skip
        territories, so this runs after the states' proxies and before the default."""
        used = 0
        for iso in self.codes:
            p = PARENT.get(iso)
            if iso in self.rows or p is None or p not in self.rows:
                continue
            pr = self.rows[p]
            if pr["tier"] == "default":
                continue
            self._set(iso, pr["score"], f"parent {p}: {pr['raw_value']}",
                      f"parent state {p}: {pr['source']}", pr["year"],
                      f"proxy:parent_state[{p}]<-{pr['method']}", "proxy", "proxy_parent")
            used += 1
        self.notes.append(f"parent-state substitution used for {used} territories")

    def default(self):
        have = [r["score"] for r in self.rows.values()]
        value = float(np.median(have))
        missing = [c for c in self.codes if c not in self.rows]
        for iso in missing:
            self._set(iso, value, "no_data", "default", "no_data", "default_no_data", "default")
        self.notes.append(f"default = median of the {len(have)} scored countries = {value:.6f}; "
                          f"used for {len(missing)}: {' '.join(missing) or '-'}")
        self.default_value = value

    def frame(self) -> pd.DataFrame:
        assert set(self.rows) == set(self.codes), self.name
        return pd.DataFrame([self.rows[c] for c in self.codes])


# ---------------------------------------------------------------------------------------------
# Theme-specific inputs
# ---------------------------------------------------------------------------------------------
def national_child_labour(codes) -> list[dict]:
    """Secondary national child-labour estimates (raw/indicators/child_labour_national_estimates.csv).

    Used only where UNICEF has no value; the file's own age range and definition are carried into
    ``method`` so that the difference from the UNICEF 5-17 definition stays visible.
    """
    paths = sorted(RAW.glob("indicators/child_labour_national_estimates*.csv"))
    table = pd.concat([read_csv(p).assign(file=p.name) for p in paths], ignore_index=True)
    if table["country"].duplicated().any():
        sys.exit("child_labour_national_estimates*.csv: a country appears twice")
    out = []
    for r in table.itertuples(index=False):
        iso = pycountry.countries.lookup(r.country).alpha_2
        if iso not in codes:
            continue
        value = float(r.value_pct)
        out.append(dict(iso2=iso, score=float(SCALES["child_labour"]([value]).iloc[0]),
                        raw=f"{r.value_pct} ({r.indicator}, age {r.age_range})",
                        source=f"{r.survey} {r.survey_year} via {r.source_url} and {r.corroborating_source_url} "
                               f"(secondary; {r.file})",
                        year=r.survey_year,
                        method=f"secondary:national_estimate;{SCALES['child_labour'].method}"))
    return out


def deforestation_inputs(I: dict[str, Indicator]) -> pd.DataFrame:
    """Per country: recent-weighted GFW loss, forest area (FAO or national) and FAO net change.

    The GFW file omits country-years without recorded loss; those years count as 0 ha.  Weights
    halve every ``GFW_HALF_LIFE`` years back from the last year, so 2019-2023 carry about half of
    the total weight.
    """
    path = find("indicators/deforestation_gfw_tree_cover_loss_*.csv")
    gfw = read_csv(path)
    gfw["ha"] = pd.to_numeric(gfw["tree_cover_loss_ha"])
    gfw["year"] = gfw["year"].astype(int)
    years = np.arange(gfw["year"].min(), gfw["year"].max() + 1)
    weights = 0.5 ** ((years[-1] - years) / GFW_HALF_LIFE)
    weights = pd.Series(weights / weights.sum(), index=years)
    loss = gfw.pivot_table(index="iso3", columns="year", values="ha", aggfunc="sum").reindex(columns=years).fillna(0.0)
    iso2 = {c.alpha_3: c.alpha_2 for c in pycountry.countries}
    loss.index = [iso2.get(i, i) for i in loss.index]
    loss = loss[[len(i) == 2 for i in loss.index]]
    weighted = loss @ weights
    recent = loss[years[-5:]].mean(axis=1)
    a20, a10, nat = I["fao_area_2020"], I["fao_area_2010"], I["forest_national"]
    df = pd.DataFrame({"loss_ha": weighted, "loss_recent5": recent, "in_gfw": True})
    # FAO countries with forest but no row at all in the GFW file: no loss recorded in 2001-2023.
    absent = [c for c in I["fao_area_2020"].value.index if c not in df.index]
    df = pd.concat([df, pd.DataFrame({"loss_ha": 0.0, "loss_recent5": 0.0, "in_gfw": False}, index=absent)])
    df["area_kha"], df["area_src"], df["area_year"] = a20.value, a20.source, a20.year
    df["area_text"] = a20.text
    for iso in nat.value.index:  # secondary forest area only where FAO has none
        if iso in df.index and pd.isna(df.loc[iso, "area_kha"]):
            df.loc[iso, ["area_kha", "area_src", "area_year", "area_text"]] = [
                nat.value[iso], nat.source, nat.year[iso], nat.text[iso]]
    net = (a20.value - a10.value) / a10.value / 10.0 * 100.0      # % per year, 2010-2020
    df["net_pct"] = net
    df["rate_pct"] = df["loss_ha"] / (df["area_kha"] * 1000.0) * 100.0
    df.attrs.update(source_gfw=f"GFW/Hansen tree cover loss ({path.name})", years=f"{years[0]}-{years[-1]}",
                    recent=f"{years[-5]}_{years[-1]}",
                    net_source=f"{a20.source} + {a10.source}")
    return df


def build_deforestation(t: Theme, I: dict[str, Indicator]):
    """Deforestation: mean of the rate, area and net-loss parts (SCALES, SOURCES.md 2.3)."""
    d = deforestation_inputs(I)
    s_rate = SCALES["deforestation_rate"](d["rate_pct"])
    s_area = SCALES["deforestation_area"](d["loss_ha"])
    s_net = SCALES["deforestation_net"](-d["net_pct"]).where(d["net_pct"].notna())
    method = ("mean(" + ",".join([SCALES["deforestation_rate"].method, SCALES["deforestation_area"].method,
                                  SCALES["deforestation_net"].method]) + f");gfw_half_life={GFW_HALF_LIFE:g}y")
    for iso in d.index:
        r = d.loc[iso]
        if not (r["area_kha"] > 0) or pd.isna(s_rate[iso]):
            continue
        parts = [s_rate[iso], s_area[iso]] + ([s_net[iso]] if pd.notna(s_net[iso]) else [])
        secondary = "secondary" in str(r["area_src"])
        tier = "secondary" if secondary else ("primary" if r["in_gfw"] else "fallback")
        raw = (f"loss_weighted_ha={r['loss_ha']:.0f};loss_{d.attrs['recent']}_mean_ha={r['loss_recent5']:.0f};"
               f"forest_area_kha={r['area_text']};loss_rate_pct={r['rate_pct']:.3f}")
        if pd.notna(r["net_pct"]):
            raw += f";fao_net_change_2010_2020_pct_per_yr={r['net_pct']:.3f}"
        src = f"{d.attrs['source_gfw']} + {r['area_src']}" + ("" if secondary else f" + {I['fao_area_2010'].source}")
        year = f"{d.attrs['years']};{r['area_year']}" + ("" if secondary else ";2010-2020")
        m = method if len(parts) == 3 else method.replace("mean(", "mean_without_net(")
        prefix = ("secondary:national_forest_area;" if secondary else "") + (
            "" if r["in_gfw"] else "fallback:no_gfw_loss_recorded_2001_2023;")
        t._set(iso, float(np.mean(parts)), raw, src, year, prefix + m, tier)
    # FAO reports no forest at all: nothing to deforest.
    area = I["fao_area_2020"]
    for iso in area.value[area.value == 0].index:
        t._set(iso, 0.0, f"forest_area_kha={area.text[iso]}", area.source, area.year[iso],
               "fao_forest_area_zero", "primary")
    t.notes.append(f"GFW weights: half-life {GFW_HALF_LIFE:g} years over {d.attrs['years']}")


def overlay_migrant_workforce(t: Theme, I: dict[str, Indicator]):
    """Living wage in states whose workforce is largely migrant (raw/living_wage_migrant_workforce_states.csv).

    A national poverty headcount describes resident households, not the migrant workforce that
    carries the living-wage risk under sponsorship (kafala) systems; there the score is raised to
    the mean of the forced-labour (GSI) and freedom-of-association (ITUC) scores.
    """
    path = find("living_wage_migrant_workforce_states.csv")
    gsi, ituc = I["gsi"], I["ituc"]
    raised = []
    for r in read_csv(path).itertuples(index=False):
        if r.iso2 not in t.rows or not (gsi.has(r.iso2) and ituc.has(r.iso2)):
            continue
        floor = float(np.mean([gsi.score[r.iso2], ituc.score[r.iso2]]))
        row = t.rows[r.iso2]
        if floor <= row["score"]:
            continue
        row["score"] = floor
        row["raw_value"] += f";gsi={gsi.text[r.iso2]};ituc={ituc.text[r.iso2]}"
        row["source"] += f" + {gsi.source} + {ituc.source} + ILO migrant workforce share ({path.name})"
        row["year"] += f";{gsi.year[r.iso2]};{ituc.year[r.iso2]};{r.year}"
        row["method"] += f";migrant_workforce_floor:mean({gsi.method}[gsi],{ituc.method}[ituc])"
        raised.append(r.iso2)
    t.notes.append(f"migrant-workforce floor raised {len(raised)}: {' '.join(raised)}")


def build_country_scores(I: dict[str, Indicator], codes: list[str]):
    F = {
        "pov_8_30": Feature("pov_8_30", I["pov830"]),
        "sqrt_pov_8_30": Feature("sqrt_pov_8_30", I["pov830"], np.sqrt, raw_name="pov_8_30"),
        "epi": Feature("epi", I["epi"]),
        "wgi_rl": Feature("wgi_rl", I["wgi_rl"]),
        "wgi_va": Feature("wgi_va", I["wgi_va"]),
    }
    themes: dict[str, Theme] = {}

    t = themes["forced_labour"] = Theme("forced_labour", codes)
    t.primary(I["gsi"])
    t.proxy_ols([[F["wgi_va"], F["wgi_rl"]], [F["wgi_rl"]]])

    t = themes["deforestation"] = Theme("deforestation", codes)
    build_deforestation(t, I)

    t = themes["living_wage"] = Theme("living_wage", codes)
    t.primary(I["pov830"])
    t.fallback_linked("pov_3_00", I["pov3"])
    t.proxy_ols([[F["epi"], F["wgi_rl"]], [F["wgi_rl"]]])

    # Child labour: UNICEF, then national estimates (secondary), then the poverty + rule-of-law
    # model; countries without a poverty survey use the living-wage proxy's poverty estimate in
    # the same model (two stages, labelled).  This runs before the migrant-workforce floor so that
    # the floor does not feed into the poverty estimate.
    t = themes["child_labour"] = Theme("child_labour", codes)
    t.primary(I["unicef_cl"])
    for r in national_child_labour(codes):
        t._set(r["iso2"], r["score"], r["raw"], r["source"], r["year"], r["method"], "secondary")
    t.proxy_ols([[F["sqrt_pov_8_30"], F["wgi_rl"]]])
    est = Estimated("sqrt_pov_8_30", themes["living_wage"], np.sqrt, raw_name="pov_8_30_est")
    t.proxy_apply(["sqrt_pov_8_30", "wgi_rl"], [est, EstimatedFrom(F["wgi_rl"])],
                  "two-stage: pov_8_30 estimated by the living_wage proxy")
    overlay_migrant_workforce(themes["living_wage"], I)

    t = themes["health_safety"] = Theme("health_safety", codes)
    t.primary(I["ilo_fatal"])
    t.proxy_ols([[F["wgi_va"], F["wgi_rl"]], [F["wgi_rl"]]])

    t = themes["freedom_of_association"] = Theme("freedom_of_association", codes)
    t.primary(I["ituc"])
    t.fallback_linked("wgi_va", I["wgi_va"])

    t = themes["land_rights"] = Theme("land_rights", codes)
    t.primary_mean([("wgi_rl", I["wgi_rl"]), ("wgi_va", I["wgi_va"])])
    t.fallback_linked("wgi_rl", I["wgi_rl"])
    t.fallback_linked("wgi_va", I["wgi_va"])

    t = themes["pollution"] = Theme("pollution", codes)
    t.primary(I["epi"])
    t.proxy_ols([[F["wgi_rl"], F["pov_8_30"]], [F["wgi_rl"]]])

    # Conflict financing: WGI political stability and absence of violence/terrorism (a conflict
    # measure without the GPI's militarisation and external-conflict parts), then the EU CAHRA
    # floor.  The gold transit/refining-hub basis is commodity evidence (build_evidence).
    t = themes["conflict_financing"] = Theme("conflict_financing", codes)
    t.primary(I["wgi_pv"])
    t.overlay_floor(I["cahra"], CAHRA_FLOOR, "cahra")

    t = themes["corruption"] = Theme("corruption", codes)
    t.primary(I["cpi"])
    t.fallback_linked("wgi_cc", I["wgi_cc"])

    for t in themes.values():
        t.parent_state()
        t.default()
    df = pd.concat([themes[n].frame() for n in THEMES], ignore_index=True)
    return df, themes


# ---------------------------------------------------------------------------------------------
# Region scores (ISO 3166-2)
# ---------------------------------------------------------------------------------------------
def build_region_scores(codes) -> pd.DataFrame:
    """Sourced sub-national findings -> scores by the rules in ``REGION_RULES``.

    Two inputs: every region of the EU CAHRA list (conflict financing, by its conflict-affected or
    high-risk status) and ``region_evidence.csv`` (findings and measured values for any theme).
    """
    rows = []
    cahra_path = find("indicators/conflict_eu_cahra_regions_*.csv")
    aliases = {"IN-CT": "IN-CG"}  # the CAHRA data uses Chhattisgarh's former ISO 3166-2 code
    for r in read_csv(cahra_path).itertuples(index=False):
        region = aliases.get(r.region, r.region)
        if r.iso2 not in codes or not pycountry.subdivisions.get(code=region):
            sys.exit(f"{cahra_path.name}: {r.region} is not an ISO 3166-2 code")
        rule = {"conflict_affected": "cahra_conflict_affected", "high_risk": "cahra_high_risk"}[r.status]
        rows.append(dict(region=region, country=r.iso2, theme="conflict_financing", score=REGION_RULES[rule],
                         raw_value=f"{r.name}: {r.status.replace('_', '-')}" + (
                             f" (listed as {r.region})" if region != r.region else ""),
                         source=f"{INDICATORS['cahra'][1]}, region entries, https://www.cahraslist.net/ "
                                f"({cahra_path.name})",
                         year=r.year, method=f"rule:{rule}={REGION_RULES[rule]:g}"))
    path = find("region_evidence.csv")
    ev = read_csv(path)
    for r in ev.itertuples(index=False):
        country = r.region.split("-")[0]
        if country not in codes or not pycountry.subdivisions.get(code=r.region):
            sys.exit(f"{path.name}: {r.region} is not an ISO 3166-2 code")
        if r.theme not in THEMES:
            sys.exit(f"{path.name}: unknown theme {r.theme!r}")
        if r.rule.startswith("measured:"):
            scale = SCALES[r.rule.split(":", 1)[1]]
            score = float(scale([float(r.value)]).iloc[0])
            method = f"{r.rule};{scale.method}"
            raw = f"{r.value} {r.unit}"
        elif r.rule in REGION_RULES:
            score, method, raw = REGION_RULES[r.rule], f"rule:{r.rule}={REGION_RULES[r.rule]:g}", r.value
        else:
            sys.exit(f"{path.name}: unknown rule {r.rule!r}")
        rows.append(dict(region=r.region, country=country, theme=r.theme, score=score, raw_value=raw,
                         source=f"{r.source_title}, {r.source_url} ({path.name})", year=r.year, method=method))
    df = pd.DataFrame(rows, columns=["region", "country", "theme", "score", "raw_value", "source", "year", "method"])
    if df.duplicated(["region", "theme"]).any():
        sys.exit(f"{path.name}: duplicate region x theme")
    return df.sort_values(["region", "theme"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Output and checks
# ---------------------------------------------------------------------------------------------
def write(df: pd.DataFrame, name: str):
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(6)
    out.to_csv(HERE / name, index=False, lineterminator="\n", float_format="%.6f")


def reread(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / name, dtype=str, keep_default_na=False)


def main():
    from evidence import apply_dol_2024, build_evidence

    codes = universe()
    I = load_indicators()
    for k, ind in I.items():
        extra = ""
        if ind.score is not None and len(ind.score):
            extra = f" score range=[{ind.score.min():.3f}, {ind.score.max():.3f}] median={ind.score.median():.3f}"
        print(f"{ind.path.relative_to(RAW)}: n={len(ind.value.dropna())} {ind.method}{extra}")

    scores, themes = build_country_scores(I, codes)
    out = scores.sort_values(["iso2", "theme"])[["iso2", "theme", "score", "raw_value", "source", "year", "method"]]
    write(out, "country_scores.csv")

    print("\nPer-theme notes:")
    for n in THEMES:
        for note in themes[n].notes:
            print(f"  {n}: {note}")

    counts = scores.pivot_table(index="theme", columns="tier", values="iso2", aggfunc="count", fill_value=0)
    counts = counts.reindex(index=THEMES, columns=TIERS, fill_value=0)
    sub = scores.pivot_table(index="theme", columns="sub", values="iso2", aggfunc="count", fill_value=0)
    counts["of which proxy_parent"] = sub.get("proxy_parent", pd.Series(0, index=sub.index)).reindex(THEMES).fillna(0).astype(int)
    counts["total"] = counts[TIERS].sum(axis=1)
    print("\nCountries per theme and tier (250 = 249 ISO 3166-1 + XK):")
    print(counts.to_string())
    summary = scores.groupby("theme")["score"].describe()[["mean", "25%", "50%", "75%"]].reindex(THEMES)
    print("\nScore distribution per theme:")
    print(summary.round(3).to_string())

    dol = read_csv(find("dol_tvpra_list.csv"))
    dol_applied, dol_notes = apply_dol_2024(dol)
    regions = build_region_scores(codes)
    write(regions, "region_scores.csv")
    print(f"\nregion_scores.csv: {len(regions)} rows for {regions.region.nunique()} regions")
    eudr = read_csv(find("eudr_commodities.csv"))
    bench = read_csv(find("eudr_country_benchmark.csv"))
    aliases, good_map, eudr_keys = build_aliases(dol, list(eudr["commodity"]))
    for name, k in eudr_keys.items():
        if KEY_EUDR.get(k) != k:
            sys.exit(f"EUDR commodity {name!r} -> {k!r} missing from KEY_EUDR")
    write(aliases, "commodity_aliases.csv")
    ev = build_evidence(dol_applied, good_map, bench, eudr_keys, codes, dol_notes)
    write(ev, "commodity_evidence.csv")
    print(f"\ncommodity_aliases.csv: {len(aliases)} aliases for {aliases.commodity.nunique()} keys")
    print(f"commodity_evidence.csv: {len(ev)} rows; per theme/floor:")
    print(ev.groupby(["theme", "floor"]).size().to_string())
    print("\nDOL good -> key:")
    for g, ks in good_map.items():
        print(f"  {g} -> {', '.join(ks)}")
    from check_tables import self_check

    self_check(codes)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Build the riskgraph reference tables from ``datasets/reference/raw/``.

Run from anywhere:  python datasets/reference/build_scores.py

Inputs (``raw/``, copied unchanged from the public sources, see raw/SOURCES.md and
raw/indicators/SOURCES.md):
  raw/indicators/*.csv            country indicators (iso2,iso3,country,value,year,unit)
  raw/dol_tvpra_list.csv          US DOL ILAB TVPRA list (country,iso2,good,child_labor,forced_labor,edition)
  raw/eudr_country_benchmark.csv  EUDR country benchmark (iso2,iso3,country,eudr_risk)
  raw/eudr_commodities.csv        EUDR relevant commodities (commodity,example_hs_codes,cutoff_date)

Outputs (next to this script):
  country_scores.csv       iso2,theme,score,raw_value,source,year,method
  commodity_evidence.csv   iso2,commodity,theme,floor,source,year,evidence
  commodity_aliases.csv    alias,commodity,eudr_commodity

Hand-maintained tables that this script only validates:
  stage_relevance.csv, theme_severity.csv, category_thresholds.csv

Indicator files are located by file-name pattern; when several editions of one indicator are
present, the last one in sorted order (the newest edition) is used.  A new edition can therefore
be dropped into raw/ and the script re-run.  Output is deterministic: rows are sorted and floats
are rounded to 6 decimals.  Only pandas (and its numpy dependency) and pycountry are used.

Read the outputs with ``keep_default_na=False``: the iso2 code of Namibia is "NA".
"""
from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"

THEMES = [
    "child_labour", "forced_labour", "deforestation", "living_wage", "health_safety",
    "freedom_of_association", "land_rights", "pollution", "conflict_financing", "corruption",
]
TIERS = ["primary", "fallback", "proxy", "default"]

# ---------------------------------------------------------------------------------------------
# Parameters (documented in SOURCES.md)
# ---------------------------------------------------------------------------------------------
DOL_FLOOR = {"child_labour": 0.8, "forced_labour": 0.8}      # DOL TVPRA listing -> floor
EUDR_FLOOR = {"high": 1.0, "standard": 0.6}                   # EUDR benchmark -> floor; low: no row
CAHRA_FLOOR = 0.75                                            # EU CAHRA listed -> conflict floor
MIN_R2 = 0.30                                                 # proxy models with a weaker fit are not used
ITUC_SCALE = {"1": 0.0, "2": 0.2, "3": 0.4, "4": 0.6, "5": 0.8, "5+": 1.0}
KOSOVO = ("XK", "Kosovo")

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
    "fao_share": ("indicators/deforestation_fao_fra*_share_of_forest.csv", "FAO FRA deforestation % of forest/yr"),
    "fao_ha": ("indicators/deforestation_fao_fra*_annual_ha.csv", "FAO FRA deforestation 1000 ha/yr"),
    "epi": ("indicators/environment_epi_*.csv", "Yale EPI"),
    "pov3": ("indicators/living_wage_wdi_poverty_3usd_*.csv", "World Bank WDI poverty headcount $3.00"),
    "pov830": ("indicators/living_wage_wdi_poverty_8_30usd_*.csv", "World Bank WDI poverty headcount $8.30"),
    "gpi": ("indicators/conflict_gpi_*.csv", "IEP Global Peace Index"),
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
    codes = sorted({c.alpha_2 for c in pycountry.countries} | {KOSOVO[0]})
    return codes


# ---------------------------------------------------------------------------------------------
# Indicators and their [0,1] transforms (higher score = riskier)
# ---------------------------------------------------------------------------------------------
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

    def minmax(self, higher: str, log: bool = False) -> "Indicator":
        v = self.value.dropna()
        if log:
            if (v < 0).any():
                sys.exit(f"log transform on negative values in {self.path.name}")
            v = np.log1p(v)
        lo, hi = v.min(), v.max()
        if not hi > lo:
            sys.exit(f"no spread in {self.path.name}")
        s = (v - lo) / (hi - lo)
        if higher == "better":
            s = 1.0 - s
        self.score = s.clip(0, 1)
        self.method = f"minmax{'_log1p' if log else ''}:higher_{higher}"
        self.range = (float(self.value.dropna().min()), float(self.value.dropna().max()))
        return self

    def scale(self, name: str, fn) -> "Indicator":
        self.score = fn(self).clip(0, 1).dropna()
        self.method = f"scale:{name}"
        return self

    def has(self, iso: str) -> bool:
        return self.score is not None and iso in self.score.index


def load_indicators() -> dict[str, Indicator]:
    I = {k: Indicator(k) for k in INDICATORS}
    I["unicef_cl"].minmax("worse", log=True)
    I["gsi"].minmax("worse", log=True)
    I["ilo_fatal"].minmax("worse", log=True)
    I["fao_share"].minmax("worse", log=True)
    I["fao_ha"].minmax("worse", log=True)
    I["gpi"].minmax("worse")
    for k in ("wgi_cc", "wgi_rl", "wgi_va", "wgi_pv", "epi"):
        I[k].minmax("better")
    I["cpi"].scale("cpi_0_100", lambda x: (100.0 - x.value) / 100.0)
    I["pov830"].scale("pct_0_100", lambda x: x.value / 100.0)
    I["pov3"].scale("pct_0_100", lambda x: x.value / 100.0)

    def ituc(x):
        bad = sorted(set(x.text) - set(ITUC_SCALE))
        if bad:
            sys.exit(f"unknown ITUC ratings {bad}")
        return x.text.map(ITUC_SCALE).astype(float)

    I["ituc"].scale("ituc_1_5plus", ituc)
    cahra = I["cahra"]
    cahra.score = (cahra.value == 1).astype(float)
    cahra.method = "flag:listed"
    return I


class Estimated:
    """A proxy input taken from another theme's model-proxy rows (an estimated indicator)."""

    def __init__(self, name: str, theme: "Theme", fn, raw_name: str):
        rows = {k: r for k, r in theme.rows.items() if r["sub"] == "proxy_model"}
        self.name, self.raw_name = name, raw_name
        self.score = fn(pd.Series({k: r["score"] for k, r in rows.items()}, dtype=float))
        self.text = {k: f"{r['score']:.3f} ({r['raw_value']})" for k, r in rows.items()}
        self.year = {k: r["year"] for k, r in rows.items()}
        self.source = {k: r["source"] for k, r in rows.items()}


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

    def proxy_group_median(self, label: str, groups: pd.Series, source: str, year: str):
        """Median score (primary + fallback) of the countries in the same group."""
        have = pd.Series({k: r["score"] for k, r in self.rows.items()}, dtype=float)
        g = groups[groups.index.isin(have.index)]
        med = have[g.index].groupby(g).median()
        cnt = have[g.index].groupby(g).size()
        used = 0
        for iso, grp in groups.items():
            if iso in self.rows or grp not in med.index or iso in PARENT:
                continue
            self._set(iso, float(med[grp]), f"{label}={grp}", source, year,
                      f"proxy:{label}_median[{grp}]", "proxy", "proxy_group")
            used += 1
        self.notes.append(f"proxy {label} median: " + ", ".join(
            f"{k}={med[k]:.3f} (n={cnt[k]})" for k in med.index) + f"; used for {used} countries")

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


def build_country_scores(I: dict[str, Indicator], codes: list[str]):
    F = {
        "pov_8_30": Feature("pov_8_30", I["pov830"]),
        "sqrt_pov_8_30": Feature("sqrt_pov_8_30", I["pov830"], np.sqrt, raw_name="pov_8_30"),
        "epi": Feature("epi", I["epi"]),
        "wgi_rl": Feature("wgi_rl", I["wgi_rl"]),
        "wgi_va": Feature("wgi_va", I["wgi_va"]),
    }
    bench = read_csv(find("eudr_country_benchmark.csv")).set_index("iso2")["eudr_risk"]
    themes: dict[str, Theme] = {}

    t = themes["forced_labour"] = Theme("forced_labour", codes)
    t.primary(I["gsi"])
    t.proxy_ols([[F["wgi_va"], F["wgi_rl"]], [F["wgi_rl"]]])

    t = themes["deforestation"] = Theme("deforestation", codes)
    t.primary_mean([("share", I["fao_share"]), ("ha", I["fao_ha"])])
    target = t.primary_scores()
    t.fallback_linked("ha", I["fao_ha"], target)
    t.fallback_linked("share", I["fao_share"], target)
    t.proxy_group_median("eudr_class", bench, f"EUDR country benchmark class ({find('eudr_country_benchmark.csv').name})"
                         " + FAO FRA scores of the same class", "2025")

    t = themes["living_wage"] = Theme("living_wage", codes)
    t.primary(I["pov830"])
    t.fallback_linked("pov_3_00", I["pov3"])
    t.proxy_ols([[F["epi"], F["wgi_rl"]], [F["wgi_rl"]]])

    # child labour after living wage: countries without a poverty survey use the poverty
    # estimate of the living-wage proxy as input to the same child-labour model (two stages).
    t = themes["child_labour"] = Theme("child_labour", codes)
    t.primary(I["unicef_cl"])
    t.proxy_ols([[F["sqrt_pov_8_30"]]])
    est = Estimated("sqrt_pov_8_30", themes["living_wage"], np.sqrt, raw_name="pov_8_30_est")
    t.proxy_apply(["sqrt_pov_8_30"], [est], "pov_8_30 estimated by living_wage proxy")

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

    t = themes["conflict_financing"] = Theme("conflict_financing", codes)
    t.primary(I["gpi"])
    t.fallback_linked("wgi_pv", I["wgi_pv"])
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
# Commodity keys and aliases
# ---------------------------------------------------------------------------------------------
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")

# DOL good names whose key is not simply the name without its parenthetical note.
DOL_KEY_OVERRIDES = {
    "Palm Fruit": ["oil_palm"],
    "Oil (Palm)": ["oil_palm"],
    "Beans (green, soy, yellow)": ["beans", "soya"],
    "Soy": ["soya"], "Soybeans": ["soya"],
    "Cattle": ["cattle"], "Beef": ["cattle"], "Bovines": ["cattle"],
    "Timber": ["wood"],
    "Tin ore (cassiterite)": ["tin"],
    "Tantalum ore (coltan)": ["tantalum"],
    "Tungsten ore (wolframite)": ["tungsten"],
    "Cobalt ore (heterogenite)": ["cobalt"],
    "Gravel (crushed stones)": ["gravel"],
    "Stones (limestone)": ["limestone"],
    "Stones (pumice)": ["pumice"],
    "Furniture (steel)": ["steel_furniture"],
    "Khat/Miraa (stimulant plant)": ["khat"],
    "Manioc/Cassava": ["cassava"],
    "Brazil Nuts/Chestnuts": ["brazil_nuts"],
    "Leather Goods/Accessories": ["leather_goods"],
    "Thread/Yarn": ["yarn"],
    "Fruit (Pome and Stone)": ["pome_and_stone_fruit"],
    "Pyrotechnics": ["fireworks"],
    "Sugar Beets": ["sugar_beets"],
}

# Keys that are, or fall under, an EUDR relevant commodity (Regulation (EU) 2023/1115 Art. 2(1)
# and Annex I).  eudr_commodity uses the normalised key of the Art. 2(1) commodity.
KEY_EUDR = {
    "cattle": "cattle", "leather": "cattle",                       # 0102, 0201/0202, ex4101/4104/4107
    "cocoa": "cocoa", "coffee": "coffee", "oil_palm": "oil_palm",
    "rubber": "rubber", "rubber_gloves": "rubber",                 # 4001, ex4015
    "soya": "soya",
    "wood": "wood", "teak": "wood", "charcoal": "wood",            # 4403/4407, 4402
    "furniture": "wood", "paper": "wood",                          # 9401/9403 (wooden), ch. 47/48
}


def ascii_fold(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def good_keys(good: str) -> list[str]:
    if good in DOL_KEY_OVERRIDES:
        return DOL_KEY_OVERRIDES[good]
    base = re.sub(r"\s*\(.*?\)\s*", " ", good)           # drop parenthetical qualifier
    key = re.sub(r"[^a-z0-9]+", "_", ascii_fold(base).lower()).strip("_")
    return [key]


# alias -> key.  English and Dutch terms as written in supplier lists.  Every key maps to
# itself automatically, and every DOL good name (lower case) maps to its key.
ALIASES = {
    # EUDR: oil palm
    "oil_palm": ["palm oil", "oil palm", "palm", "palm fruit", "fresh fruit bunches", "ffb",
                 "crude palm oil", "cpo", "palm kernel", "palm kernels", "palm kernel oil",
                 "palm kernel expeller", "palm olein", "palm stearin", "palmolie", "palmpitolie",
                 "palmpitten", "oliepalm", "palmvruchten", "ruwe palmolie"],
    # EUDR: soya
    "soya": ["soy", "soya", "soybean", "soybeans", "soya beans", "soy beans", "soybean meal",
             "soy meal", "soya meal", "soybean oil", "soy oil", "soya oil", "soja", "sojabonen",
             "sojaboon", "sojaschroot", "sojameel", "sojaolie"],
    # EUDR: cocoa
    "cocoa": ["cacao", "cocoa beans", "cacao beans", "cocoa butter", "cocoa powder", "cocoa paste",
              "cocoa liquor", "chocolate", "cacaobonen", "cacaoboter", "cacaopoeder",
              "cacaomassa", "chocolade"],
    # EUDR: coffee
    "coffee": ["coffee beans", "green coffee", "roasted coffee", "koffie", "koffiebonen",
               "groene koffie"],
    # EUDR: cattle
    "cattle": ["beef", "cow", "cows", "bovine", "bovines", "live cattle", "veal", "rundvee",
               "rundvlees", "runderen", "koeien", "kalfsvlees", "vee"],
    "leather": ["hides", "bovine leather", "cattle hides", "leer", "huiden", "rundleer",
                "runderhuiden"],
    # EUDR: rubber
    "rubber": ["natural rubber", "latex", "tyres", "tires", "natuurrubber", "banden"],
    "rubber_gloves": ["latex gloves", "rubberhandschoenen"],
    # EUDR: wood
    "wood": ["timber", "lumber", "logs", "sawnwood", "sawn wood", "plywood", "tropical hardwood",
             "hardwood", "wood products", "hout", "houtproducten", "gezaagd hout", "rondhout",
             "triplex", "tropisch hardhout", "hardhout"],
    "teak": ["teak wood", "teakhout"],
    "charcoal": ["houtskool"],
    "furniture": ["wooden furniture", "meubels", "meubilair", "houten meubels"],
    "paper": ["pulp", "pulp and paper", "cardboard", "paperboard", "papier", "karton", "pulp en papier",
              "papierpulp"],
    # natural stone
    "stones": ["natural stone", "stone", "dimension stone", "cobblestones", "setts", "marble",
               "slate", "quartzite", "basalt", "paving stones", "natuursteen", "kasseien", "marmer", "leisteen",
               "kwartsiet", "basalt steen"],
    "granite": ["graniet", "granite slabs", "granietplaten"],
    "sandstone": ["zandsteen"],
    "limestone": ["kalksteen", "hardsteen", "blauwe hardsteen", "belgian bluestone"],
    "gravel": ["crushed stone", "aggregates", "grind", "steenslag"],
    "pumice": ["puimsteen"],
    "bricks": ["brick", "clay bricks", "baksteen", "bakstenen"],
    # textiles
    "cotton": ["raw cotton", "cotton lint", "cotton fibre", "cotton fiber", "seed cotton", "katoen",
               "ruwe katoen", "katoenvezel", "biokatoen", "organic cotton"],
    "cottonseed": ["cotton seed", "katoenzaad"],
    "yarn": ["thread", "cotton yarn", "garen", "katoengaren", "draad"],
    "textiles": ["textile", "fabric", "fabrics", "woven fabric", "knitted fabric", "textiel",
                 "weefsel", "stoffen"],
    "garments": ["apparel", "clothing", "clothes", "kleding", "kledingstukken", "confectie"],
    "footwear": ["shoes", "sandals", "schoenen", "schoeisel", "sandalen"],
    "silk_fabric": ["silk", "zijde"],
    # minerals and metals
    "gold": ["goud", "gold bullion", "gold bars", "gold dore", "gold doré", "dore", "doré",
             "gold jewellery", "gold jewelry", "goudbaren", "gouden sieraden", "scrap gold",
             "oud goud"],
    "silver": ["zilver"],
    "tin": ["tin ore", "cassiterite", "cassiteriet", "tinerts"],
    "tantalum": ["coltan", "tantalum ore", "tantaal"],
    "tungsten": ["wolframite", "tungsten ore", "wolfraam", "wolframiet"],
    "cobalt": ["kobalt", "cobalt ore"],
    "mica": ["mica flakes", "mica poeder"],
    "coal": ["steenkool", "kolen"],
    "diamonds": ["diamond", "diamant", "diamanten"],
    "gems": ["gemstones", "edelstenen"],
    # food and agriculture
    "bananas": ["banana", "bananen", "banaan"],
    "sugarcane": ["sugar cane", "cane sugar", "suikerriet", "rietsuiker"],
    "sugar_beets": ["sugar beet", "beet sugar", "suikerbiet", "suikerbieten", "bietsuiker"],
    "tea": ["thee"],
    "rice": ["rijst"],
    "hazelnuts": ["hazelnut", "hazelnoten", "hazelnoot"],
    "cashews": ["cashew", "cashew nuts", "cashewnoten"],
    "vanilla": ["vanille"],
    "tobacco": ["tabak"],
    "shrimp": ["prawns", "garnalen"],
    "fish": ["vis"],
    "tomatoes": ["tomato", "tomaten"],
    "coconuts": ["coconut", "kokosnoten", "kokosnoot"],
    "citrus_fruits": ["citrus", "oranges", "citrusvruchten", "sinaasappels"],
    "grapes": ["druiven"],
    "strawberries": ["aardbeien"],
    "blueberries": ["blauwe bessen"],
    "olives": ["olijven", "olive oil", "olijfolie"],
    "peanuts": ["groundnuts", "pinda's", "pindas", "aardnoten"],
    "sesame": ["sesame seeds", "sesamzaad"],
    "cumin": ["komijn"],
    "cloves": ["kruidnagel"],
    "pepper": ["black pepper", "zwarte peper"],
    "wheat": ["tarwe"],
    "corn": ["maize", "mais", "maïs"],
    "potatoes": ["aardappelen"],
    "onions": ["uien"],
    "garlic": ["knoflook"],
    "poultry": ["chicken", "pluimvee", "kip"],
    "dairy_products": ["dairy", "milk", "zuivel", "melk"],
    "hogs": ["pigs", "pork", "varkens", "varkensvlees"],
    "sheep": ["schapen"],
    "goats": ["geiten"],
    "cassava": ["manioc", "maniok", "cassave"],
    "brazil_nuts": ["brazil nut", "paranoten"],
    "carpets": ["rugs", "tapijten", "vloerkleden"],
    "fireworks": ["vuurwerk"],
    "matches": ["lucifers"],
    "glass": ["glas"],
    "toys": ["speelgoed"],
    "electronics": ["elektronica"],
    "polysilicon": ["solar polysilicon"],
    "jute": ["jute bags"],
    "salt": ["zout"],
}


def build_aliases(dol: pd.DataFrame, eudr_names: list[str]):
    keys: set[str] = set()
    pairs: dict[str, str] = {}

    def add(alias: str, key: str):
        a = alias.strip().lower()
        if not a:
            return
        if a in pairs and pairs[a] != key:
            sys.exit(f"alias conflict: {a!r} -> {pairs[a]} and {key}")
        pairs[a] = key

    good_map = {}
    for good in sorted(dol["good"].unique()):
        ks = good_keys(good)
        good_map[good] = ks
        keys.update(ks)
    eudr_keys = {}
    for name in eudr_names:
        k = good_keys(name)[0]
        eudr_keys[name] = k
        keys.add(k)
    keys.update(KEY_EUDR)
    keys.update(ALIASES)
    for k in keys:
        if not KEY_RE.match(k):
            sys.exit(f"bad commodity key {k!r}")
        add(k, k)
        add(k.replace("_", " "), k)
    for good, ks in good_map.items():
        add(good, ks[0])
        add(ascii_fold(good), ks[0])
    for name, k in eudr_keys.items():
        add(name, k)
    for k, al in ALIASES.items():
        for a in al:
            add(a, k)
    df = pd.DataFrame(sorted(pairs.items()), columns=["alias", "commodity"])
    df["eudr_commodity"] = df["commodity"].map(KEY_EUDR).fillna("")
    return df, good_map, eudr_keys


# ---------------------------------------------------------------------------------------------
# Commodity evidence
# ---------------------------------------------------------------------------------------------
def build_evidence(dol: pd.DataFrame, good_map, bench: pd.DataFrame, eudr_keys, codes):
    rows = {}
    dol_src = f"US DOL ILAB TVPRA List ({find('dol_tvpra_list.csv').name})"
    flag_theme = {"child_labor": "child_labour", "forced_labor": "forced_labour"}
    words = {"child_labour": "child labour", "forced_labour": "forced labour"}
    for r in dol.itertuples(index=False):
        for col, theme in flag_theme.items():
            if str(getattr(r, col)).strip() != "1":
                continue
            for key in good_map[r.good]:
                k = (r.iso2, key, theme)
                e = rows.setdefault(k, dict(iso2=r.iso2, commodity=key, theme=theme,
                                            floor=DOL_FLOOR[theme], source=f"{dol_src}, {r.edition} edition",
                                            year=str(r.edition), goods=[], country=r.country))
                e["goods"].append(r.good)
    for e in rows.values():
        goods = ", ".join(f"'{g}'" for g in sorted(set(e.pop("goods"))))
        country = e.pop("country")
        e["evidence"] = (f"US DOL TVPRA List {e['year']}: {goods} from {country} listed as produced "
                         f"with {words[e['theme']]}")
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
    for iso in cahra.iso2:
        assert s["conflict_financing", iso] >= CAHRA_FLOOR, iso
    for iso in ("CD", "AF", "SD", "YE"):
        assert s["conflict_financing", iso] >= 0.75, iso
    assert s["conflict_financing", "IS"] < 0.25
    for iso in ("BR", "ID", "PY"):
        assert s["deforestation", iso] >= 0.5, iso
    assert s["deforestation", "NL"] < 0.25
    assert s["freedom_of_association", "DK"] == 0.0
    assert s["living_wage", "MG"] >= 0.75 and s["living_wage", "NL"] < 0.25
    assert s["pollution", "EE"] < 0.25 and s["land_rights", "FI"] < 0.25
    assert d["child_labour", "IN"].startswith("proxy:")

    ev = reread("commodity_evidence.csv")
    assert list(ev.columns) == ["iso2", "commodity", "theme", "floor", "source", "year", "evidence"]
    assert not ev.duplicated(["iso2", "commodity", "theme"]).any()
    fl = pd.to_numeric(ev.floor)
    assert fl.between(0, 1).all() and (ev.map(lambda v: v.strip() != "")).all().all()
    assert ev.commodity.str.match(KEY_RE.pattern).all()
    assert set(ev.theme) <= set(THEMES)
    assert set(ev.iso2) <= set(codes)
    dol = read_csv(find("dol_tvpra_list.csv"))
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


def main():
    codes = universe()
    I = load_indicators()
    for k, ind in I.items():
        extra = ""
        if ind.method.startswith("minmax"):
            v = ind.value.dropna()
            extra = f" range=[{ind.range[0]:g}, {ind.range[1]:g}] skew={v.skew():.2f}"
            if "log1p" in ind.method:
                extra += f" skew_after_log1p={np.log1p(v).skew():.2f}"
        print(f"{ind.path.relative_to(RAW)}: n={len(ind.score)} {ind.method}{extra}")

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
    eudr = read_csv(find("eudr_commodities.csv"))
    bench = read_csv(find("eudr_country_benchmark.csv"))
    aliases, good_map, eudr_keys = build_aliases(dol, list(eudr["commodity"]))
    for name, k in eudr_keys.items():
        if KEY_EUDR.get(k) != k:
            sys.exit(f"EUDR commodity {name!r} -> {k!r} missing from KEY_EUDR")
    write(aliases, "commodity_aliases.csv")
    ev = build_evidence(dol, good_map, bench, eudr_keys, codes)
    write(ev, "commodity_evidence.csv")
    print(f"\ncommodity_aliases.csv: {len(aliases)} aliases for {aliases.commodity.nunique()} keys")
    print(f"commodity_evidence.csv: {len(ev)} rows; per theme/floor:")
    print(ev.groupby(["theme", "floor"]).size().to_string())
    print("\nDOL good -> key:")
    for g, ks in good_map.items():
        print(f"  {g} -> {', '.join(ks)}")
    self_check(codes)


if __name__ == "__main__":
    main()

"""Shared machinery of the dataset builders: places, names, material balance, writers.

Each ``build_<sector>.py`` describes its chain (who trades with whom, where
material enters, how much is lost at each stage) and this module turns that
description into the data-contract files (DESIGN §2):

* **Places** are real: an anchor (a town or district with its coordinates) and
  a radius in degrees; actors are placed at a seeded random point near the
  anchor.
* **Names** are invented: pronounceable stems from a seeded syllable
  generator, put into templates per stage and country ("<stem> Gold Trading
  LLC"). No real company is named.
* **Volumes** come from a material balance. Material enters at chain starts
  (``produce``); every actor passes on ``yield`` × its throughput, of which
  ``keep`` goes to recorded buyers in proportion to the link weights of the
  year; the rest is sold outside the modelled chain. Per material family and
  year the throughputs solve ``t = s + Mᵀ t`` with ``M[u, v] = yield_u ·
  keep_u · share(u → v)``, so loops (gold recycling) are exact as long as they
  leak. Flows are rounded and then trimmed so that no actor ships more than it
  receives, except the actors a builder marks on purpose.

Only numpy and pandas are used, and every random draw comes from one seeded
generator per dataset, so a rebuild gives byte-identical files.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
YEARS = (2024, 2025)
ACTOR_COLUMNS = ["id", "name", "stage", "country", "sector", "commodity", "lat", "lon", "region", "smelter_id", "os_id"]
FLOW_COLUMNS = ["source", "target", "commodity", "volume", "unit", "year"]
EARTH_M_PER_DEG = 111_320.0


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Place:
    """A real location: ISO country, region label, anchor coordinates, spread in degrees."""

    country: str
    region: str
    lat: float
    lon: float
    spread: float = 0.05


def jitter(rng: np.random.Generator, place: Place) -> tuple[float, float]:
    """A point uniformly distributed in a disc of ``place.spread`` degrees around the anchor."""
    r = place.spread * math.sqrt(rng.random())
    a = 2 * math.pi * rng.random()
    lat = place.lat + r * math.sin(a)
    lon = place.lon + r * math.cos(a) / max(math.cos(math.radians(place.lat)), 0.2)
    return lat, lon


def offset_m(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """Move a coordinate by metres north and east (local flat approximation)."""
    return (lat + north_m / EARTH_M_PER_DEG,
            lon + east_m / (EARTH_M_PER_DEG * math.cos(math.radians(lat))))


# --------------------------------------------------------------------------- names


class Names:
    """Invented, pronounceable name stems, unique within one dataset."""

    ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
              "b", "d", "k", "l", "m", "n", "r", "s", "t", "v", "br", "dr", "kr", "tr", "st", "pr"]
    VOWELS = ["a", "e", "i", "o", "u", "a", "o", "e", "i", "a", "ia", "eo"]
    CODAS = ["", "", "", "", "n", "r", "s", "l", "x", "m", "t", "nd"]

    #: Stems the generator can produce that are real words, places or brands; never used.
    BLOCKED = {"benin", "nasa", "bizar", "zebraman", "verifin", "sedona", "toyota", "lada", "nokia", "mars",
               "sonata", "vero", "katu", "repot", "totas", "bobat", "previa", "brava", "savia", "galia", "daria",
               "leora", "tomas", "ronan", "palos", "nedroma", "moros", "kalos", "bazil", "sabon", "moster", "tesla",
               "lidl", "aldi", "jumbo", "plus", "dirk", "vomar", "hema", "zeeman", "nike", "puma", "vans", "mango",
               "zara", "primark", "cargill", "olam", "wilmar", "bunge", "nestle", "mars", "barry", "tony", "valcambi",
               "metalor", "pamp", "umicore", "heraeus", "argor", "tata", "adani", "vale", "soma", "dole", "chiquita",
               "delmonte", "fyffes", "rabo", "lotus", "nova", "viva", "sola", "luna", "terra", "rosa", "maria",
               "sara", "lima", "roma", "toledo", "dakar", "tirana", "bamako", "kano", "lagos", "minsk", "sofia",
               "bralo", "brador", "drene", "gazit", "masan", "sabra", "trane", "trimet", "vimar", "trovan", "zovir",
               "vitalex", "prade", "raven", "lemon", "tomato", "latin", "sedan", "kristen", "lidia", "doria",
               "korat", "manas", "pasar", "vasten", "teoria", "triade", "senat", "kovar", "panam", "manis", "safia",
               "tamis", "mites", "nines", "prosa", "tovar", "balat", "saman", "panis", "kibet", "bistar", "stesa"}

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.taken: set[str] = set(self.BLOCKED)

    def stem(self, syllables: int | None = None) -> str:
        for _ in range(1000):
            n = syllables or int(self.rng.choice([2, 2, 3]))
            parts = [self.rng.choice(self.ONSETS) + self.rng.choice(self.VOWELS) for _ in range(n)]
            word = "".join(parts) + self.rng.choice(self.CODAS)
            word = word.replace("aa", "a").replace("ii", "i").replace("uu", "u")
            if 5 <= len(word) <= 9 and word not in self.taken:
                self.taken.add(word)
                return word.capitalize()
        raise RuntimeError("name space exhausted")


# --------------------------------------------------------------------------- chain


@dataclass
class Link:
    source: str
    target: str
    family: str
    weights: dict[int, float]


class ChainBuilder:
    """Collects actors, links and production of one dataset and solves the volumes."""

    def __init__(self, sector: str, prefix: str, seed: int, *, unit: str, decimals: int = 1,
                 stage_codes: dict[str, str], stage_order: list[str], chain_starts: set[str]) -> None:
        self.sector = sector
        self.prefix = prefix
        self.rng = np.random.default_rng(seed)
        # names draw from their own generator, so renaming never changes the structure or the volumes
        self.names = Names(np.random.default_rng(seed + 1))
        self.unit = unit
        self.decimals = decimals
        self.stage_codes = stage_codes
        self.stage_order = stage_order
        self.chain_starts = chain_starts
        self.actors: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self.links: list[Link] = []
        self.supply: dict[tuple[str, str, int], float] = {}
        self.yields: dict[str, float] = {}
        self.keep: dict[str, float] = {}
        self.gaps: dict[str, float] = {}       # actor → out/in ratio wanted (mass-balance gap)
        self.missing: list[tuple[str, str, int]] = []
        self.missing_rules: list = []
        self._counters: dict[tuple[str, str], int] = {}

    # ---------------------------------------------------------------- actors
    def actor(self, stage: str, place: Place, name: str, *, commodity: str | None = None,
              smelter_id: str | None = None, os_id: str | None = None,
              at: tuple[float, float] | None = None, yield_: float = 1.0,
              keep: float | dict[int, float] = 1.0) -> str:
        """Add an actor; ``keep`` (a number, or one per year) is the share of its output sold to recorded buyers."""
        code = self.stage_codes[stage]
        key = (code, place.country)
        self._counters[key] = self._counters.get(key, 0) + 1
        actor_id = f"{self.prefix}-{code}-{place.country}-{self._counters[key]:02d}"
        lat, lon = at if at is not None else jitter(self.rng, place)
        row = {"id": actor_id, "name": name, "stage": stage, "country": place.country, "sector": self.sector,
               "commodity": commodity, "lat": lat, "lon": lon, "region": place.region,
               "smelter_id": smelter_id, "os_id": os_id}
        self.actors.append(row)
        self.by_id[actor_id] = row
        self.yields[actor_id] = yield_
        self.keep[actor_id] = keep
        return actor_id

    def stage_of(self, actor_id: str) -> str:
        return self.by_id[actor_id]["stage"]

    # ---------------------------------------------------------------- links and production
    def link(self, source: str, target: str, family: str, weight: float = 1.0, *,
             years: tuple[int, ...] = YEARS, change: float = 0.15, w2025: float | None = None) -> None:
        """A supplier relation; its weight varies by ``change`` (lognormal σ) between years."""
        if source == target:
            raise ValueError(f"self-loop {source}")
        weights = {}
        for year in years:
            w = weight * float(self.rng.lognormal(0.0, change))
            if year == 2025 and w2025 is not None:
                w = w2025 * float(self.rng.lognormal(0.0, change))
            weights[year] = w
        for existing in self.links:
            if (existing.source, existing.target, existing.family) == (source, target, family):
                existing.weights.update(weights)
                return
        self.links.append(Link(source, target, family, weights))

    def connect(self, sources: list[str], targets: list[str], family: str, k: tuple[int, int] = (1, 2),
                weight: float = 1.0, **kwargs) -> None:
        """Each source sells to k random targets; every target gets at least one source."""
        covered = set()
        for s in sources:
            n = min(int(self.rng.integers(k[0], k[1] + 1)), len(targets))
            for i in sorted(self.rng.choice(len(targets), size=n, replace=False)):
                self.link(s, targets[int(i)], family, weight, **kwargs)
                covered.add(targets[int(i)])
        for t in targets:
            if t not in covered and sources:
                self.link(sources[int(self.rng.integers(0, len(sources)))], t, family, weight, **kwargs)

    def produce(self, actor_id: str, family: str, base: float, *, years: tuple[int, ...] = YEARS,
                change: float = 0.1, factor2025: float = 1.0) -> None:
        """Material entering the chain at ``actor_id`` (a mine, quarry, farm, recycler)."""
        for year in years:
            volume = base * float(self.rng.lognormal(0.0, change)) * (factor2025 if year == 2025 else 1.0)
            self.supply[(actor_id, family, year)] = self.supply.get((actor_id, family, year), 0.0) + volume

    def gap(self, actor_id: str, ratio: float) -> None:
        """Make ``actor_id`` ship about ``ratio`` × what it receives (a documented mass-balance gap)."""
        self.gaps[actor_id] = ratio

    def missing_volume(self, year: int, where) -> None:
        """Blank the volume of one flow of ``year`` among those where ``where(source, target)`` holds.

        The flow chosen is the one with the smallest share of its target's
        inputs, so the blank does not by itself look like a mass-balance gap.
        """
        self.missing_rules.append((year, where))

    def loose_ends(self, ends: set[str]) -> None:
        """Report actors without a supplier (other than chain starts and producers) or without a buyer."""
        sources = {l.source for l in self.links}
        targets = {l.target for l in self.links}
        producers = {a for (a, _, _) in self.supply}
        for row in self.actors:
            a, stage = row["id"], row["stage"]
            if stage not in self.chain_starts and a not in targets and a not in producers:
                print(f"  WARNING {a} ({stage}) has no supplier")
            if stage not in ends and a not in sources:
                print(f"  WARNING {a} ({stage}) has no buyer")

    # ---------------------------------------------------------------- solving
    def _keep(self, actor_id: str, year: int) -> float:
        keep = self.keep[actor_id]
        return keep[year] if isinstance(keep, dict) else keep

    def _solve_once(self) -> pd.DataFrame:
        rows = []
        families = sorted({l.family for l in self.links} | {f for (_, f, _) in self.supply})
        for family in families:
            for year in YEARS:
                links = [l for l in self.links if l.family == family and l.weights.get(year, 0) > 0]
                nodes = sorted({l.source for l in links} | {l.target for l in links}
                               | {a for (a, f, y) in self.supply if f == family and y == year})
                if not nodes:
                    continue
                index = {n: i for i, n in enumerate(nodes)}
                n = len(nodes)
                m = np.zeros((n, n))
                totals: dict[str, float] = {}
                for l in links:
                    totals[l.source] = totals.get(l.source, 0.0) + l.weights[year]
                for l in links:
                    u = l.source
                    share = l.weights[year] / totals[u]
                    m[index[u], index[l.target]] += self.yields[u] * self._keep(u, year) * share
                s = np.zeros(n)
                for (a, f, y), v in self.supply.items():
                    if f == family and y == year:
                        s[index[a]] += v
                t = np.linalg.solve(np.eye(n) - m.T, s)
                for l in links:
                    u, v = index[l.source], index[l.target]
                    rows.append({"source": l.source, "target": l.target, "family": family,
                                 "year": year, "volume": m[u, v] * t[u]})
        return pd.DataFrame(rows)

    def solve(self) -> pd.DataFrame:
        """Flows with volumes, rounded and balanced; marked gaps and missing volumes applied."""
        flows = self._solve_once()
        if self.gaps:
            inflow = flows.groupby(["target", "family", "year"])["volume"].sum()
            for actor_id, ratio in self.gaps.items():
                for (target, family, year), v in inflow.items():
                    if target == actor_id:
                        y = self.yields[actor_id] * self._keep(actor_id, year)
                        # out = y·(in + extra) = ratio·in  →  extra = in·(ratio / y − 1)
                        self.supply[(actor_id, family, year)] = v * (ratio / y - 1.0)
            flows = self._solve_once()
        step = 10.0 ** -self.decimals
        flows["volume"] = flows["volume"].round(self.decimals)
        small = flows["volume"] < step
        if small.any():
            print(f"  {self.sector}: {int(small.sum())} flows below {step} {self.unit} dropped")
            flows = flows.loc[~small].reset_index(drop=True)
        flows = self._balance(flows, step)
        flows = flows.sort_values(["year", "source", "target", "family"], kind="stable").reset_index(drop=True)
        for year, where in self.missing_rules:
            inflow = flows[flows["year"] == year].groupby("target")["volume"].sum()
            hit = (flows["year"] == year) & np.array([bool(where(s, t)) for s, t in zip(flows["source"], flows["target"])])
            if not hit.any():
                raise ValueError(f"no flow of {year} matches a missing-volume rule")
            share = flows.loc[hit, "volume"] / flows.loc[hit, "target"].map(inflow)
            chosen = share.idxmin()
            self.missing.append((flows.at[chosen, "source"], flows.at[chosen, "target"], year))
            flows.loc[chosen, "volume"] = np.nan
        return flows

    def _exempt(self) -> set[str]:
        """Actors allowed to ship more than they receive: material enters there."""
        return {a for (a, _, _), v in self.supply.items() if v > 0}

    def _balance(self, flows: pd.DataFrame, step: float) -> pd.DataFrame:
        """Trim rounding excess so that out ≤ in for every actor without own supply."""
        exempt = self._exempt()
        order = {s: i for i, s in enumerate(self.stage_order)}
        actors = sorted({*flows["source"]}, key=lambda a: (order[self.stage_of(a)], a))
        for _ in range(5):
            changed = False
            for year in YEARS:
                in_year = flows["year"] == year
                for a in actors:
                    if a in exempt:
                        continue
                    inflow = flows.loc[in_year & (flows["target"] == a), "volume"].sum()
                    out_mask = in_year & (flows["source"] == a)
                    outflow = flows.loc[out_mask, "volume"].sum()
                    excess = round(outflow - inflow, self.decimals + 3)
                    if excess > 1e-9:
                        biggest = flows.loc[out_mask, "volume"].idxmax()
                        flows.loc[biggest, "volume"] = round(flows.loc[biggest, "volume"] - math.ceil(excess / step) * step,
                                                             self.decimals)
                        changed = True
            if not changed:
                break
        return flows

    # ---------------------------------------------------------------- output
    def actors_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.actors, columns=ACTOR_COLUMNS)
        return frame

    def flows_frame(self, flows: pd.DataFrame, label=None) -> pd.DataFrame:
        """Data-contract flows; ``label(family, source_stage)`` names the commodity of a flow."""
        commodity = [label(f, self.stage_of(s)) if label else f for f, s in zip(flows["family"], flows["source"])]
        return pd.DataFrame({"source": flows["source"], "target": flows["target"], "commodity": commodity,
                             "volume": flows["volume"], "unit": self.unit, "year": flows["year"].astype(int)},
                            columns=FLOW_COLUMNS)


# --------------------------------------------------------------------------- writers


def _cell(value, decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if decimals is not None:
        return f"{float(value):.{decimals}f}"
    return str(value)


def write_csv(frame: pd.DataFrame, path: Path, decimals: dict[str, int]) -> None:
    """Write a table with fixed decimals per numeric column and empty cells for missing values."""
    text = pd.DataFrame({c: [_cell(v, decimals.get(c)) for v in frame[c]] for c in frame.columns},
                        columns=list(frame.columns))
    path.parent.mkdir(parents=True, exist_ok=True)
    text.to_csv(path, index=False, lineterminator="\n")


def write_chain(out: Path, actors: pd.DataFrame, flows: pd.DataFrame, *, volume_decimals: int) -> None:
    write_csv(actors, out / "actors.csv", {"lat": 5, "lon": 5})
    write_csv(flows, out / "flows.csv", {"volume": volume_decimals})


# --------------------------------------------------------------------------- plots


def fmt(x: float, decimals: int = 6) -> str:
    return f"{x:.{decimals}f}"


def point_geometry(lat: float, lon: float, *, decimals: int = 6, swap: bool = False) -> str:
    a, b = (fmt(lat, decimals), fmt(lon, decimals)) if swap else (fmt(lon, decimals), fmt(lat, decimals))
    return '{"type": "Point", "coordinates": [' + a + ", " + b + "]}"


def polygon_ring(rng: np.random.Generator, lat: float, lon: float, area_ha: float,
                 vertices: int | None = None) -> list[tuple[float, float]]:
    """An irregular, counter-clockwise ring (lon, lat) of about ``area_ha`` around a centre, not closed."""
    k = vertices or int(rng.integers(5, 10))
    # vertices spread round the centre, so the ring is simple and looks like a field
    angles = np.sort((np.arange(k) + rng.uniform(-0.3, 0.3, k)) * 2 * math.pi / k + rng.uniform(0, 2 * math.pi))
    radii = rng.uniform(0.75, 1.25, k)
    x = radii * np.cos(angles)
    y = radii * np.sin(angles)
    area_unit = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    scale = math.sqrt(area_ha * 10_000 / area_unit)  # metres per unit
    ring = []
    for xi, yi in zip(x * scale, y * scale):
        la, lo = offset_m(lat, lon, yi, xi)
        ring.append((lo, la))
    if _signed_area(ring) < 0:
        ring.reverse()
    return ring


def _signed_area(ring: list[tuple[float, float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def polygon_geometry(ring: list[tuple[float, float]], *, decimals: int = 6, closed: bool = True) -> str:
    points = ring + [ring[0]] if closed else ring
    coords = ", ".join("[" + fmt(lo, decimals) + ", " + fmt(la, decimals) + "]" for lo, la in points)
    return '{"type": "Polygon", "coordinates": [[' + coords + "]]}"


def ring_area_ha(ring: list[tuple[float, float]]) -> float:
    """Area of a (lon, lat) ring in hectares, local equal-area approximation."""
    lat0 = sum(la for _, la in ring) / len(ring)
    pts = [(lo * EARTH_M_PER_DEG * math.cos(math.radians(lat0)), la * EARTH_M_PER_DEG) for lo, la in ring]
    return abs(_signed_area(pts)) / 10_000


def write_plots(features: list[dict], path: Path) -> None:
    """Write a GeoJSON FeatureCollection; geometry text is written verbatim (decimals as generated)."""
    lines = []
    for f in features:
        props = json.dumps(f["properties"], ensure_ascii=False)
        lines.append('{"type": "Feature", "properties": ' + props + ', "geometry": ' + f["geometry"] + "}")
    path.write_text('{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


# --------------------------------------------------------------------------- summary


def summary(name: str, actors: pd.DataFrame, flows: pd.DataFrame) -> None:
    """Print what a reviewer checks first: counts per stage and country, volumes per year."""
    print(f"{name}: {len(actors)} actors, {len(flows)} flows")
    print("  actors per stage:", actors.groupby("stage", sort=False).size().to_dict())
    print("  actors per country:", actors["country"].value_counts().to_dict())
    print("  flows per year:", flows.groupby("year").size().to_dict())

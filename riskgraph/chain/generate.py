"""Synthetic chains of any size, with a sector's stage structure: for benchmarks and tests.

The shape follows real chains: many actors at the origin (farms, mines,
quarries), few in the middle (refiners, traders, spinners) and a handful of
brands and retailers; buyers are chosen with Zipf weights, so a few hubs
receive most material (heavy-tailed in-degrees) while most origins sell to one
or two buyers. Countries per stage come from
``datasets/vocabulary/generator_countries.csv``; origin actors get
coordinates near a real populated place of their country. The same seed gives
the same chain, byte for byte.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from riskgraph._resources import dataset_path
from riskgraph.errors import InputError
from riskgraph.chain.model import SECTORS, Chain, stage_table

#: Share of actors per stage position, from origin downstream (renormalised per sector).
_STAGE_PROFILE = np.array([0.70, 0.14, 0.07, 0.04, 0.025, 0.015, 0.006, 0.004])
COMMODITY = {"gold": "gold", "natural_stone": "granite", "textiles": "cotton", "food": "cocoa"}
UNIT = {"gold": "kg", "natural_stone": "t", "textiles": "t", "food": "t"}


def _countries(sector: str) -> pd.DataFrame:
    table = pd.read_csv(dataset_path("vocabulary", "generator_countries.csv"), keep_default_na=False)
    return table[table["sector"] == sector]


def _levels(sector: str) -> list[list[str]]:
    """Stages grouped by position: e.g. gold → [[mine_asm, mine_lsm, recycler], [trader], …]."""
    table = stage_table()
    table = table[table["sector"] == sector]
    return [list(g["stage"]) for _, g in table.groupby("order", sort=True)]


def _zipf(n: int, rng: np.random.Generator, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return rng.permutation(weights / weights.sum())


def generate_chain(sector: str, actors: int, *, flows: int | None = None, seed: int = 0,
                   years: tuple[int, ...] = (2024, 2025)) -> Chain:
    """A synthetic chain of ``sector`` with about ``actors`` actors and ``flows`` flows.

    Parameters
    ----------
    sector : {"gold", "natural_stone", "textiles", "food"}
    actors : int
        Number of actors (at least one per stage).
    flows : int, optional
        Approximate number of flows; default five per actor.
    seed : int
        Random seed; the same seed gives the same chain.
    years : tuple of int
        Years the flows are spread over.

    Examples
    --------
    >>> chain = generate_chain("gold", 200, seed=1)
    >>> len(chain.actors)
    200
    """
    if sector not in SECTORS:
        raise InputError(f"sector must be one of {list(SECTORS)}, not {sector!r}")
    levels = _levels(sector)
    if actors < sum(len(level) for level in levels):
        raise InputError(f"a {sector} chain needs at least {sum(len(l) for l in levels)} actors (one per stage)")
    flows = flows if flows is not None else 5 * actors
    rng = np.random.default_rng(seed)
    profile = _STAGE_PROFILE[: len(levels)] / _STAGE_PROFILE[: len(levels)].sum()
    per_level = np.maximum(np.floor(profile * actors).astype(int), [len(l) for l in levels])
    per_level[0] += actors - per_level.sum()

    countries = _countries(sector)
    frames = []
    start = 0
    for level, (stages, count) in enumerate(zip(levels, per_level)):
        stage = np.array(stages)[rng.integers(0, len(stages), count)] if len(stages) > 1 else np.repeat(stages, count)
        stage[: len(stages)] = stages  # every stage present
        country = np.empty(count, dtype=object)
        for s in stages:
            options = countries[countries["stage"] == s]
            where = stage == s
            p = options["weight"].to_numpy(float)
            country[where] = rng.choice(options["country"].to_numpy(), size=int(where.sum()), p=p / p.sum())
        ids = np.char.add(f"{sector[:2]}{level}-", np.arange(start, start + count).astype(str))
        frames.append(pd.DataFrame({"id": ids, "stage": stage, "country": country, "level": level}))
        start += count
    table = pd.concat(frames, ignore_index=True)
    table["name"] = table["stage"].str.replace("_", " ").str.title() + " " + table["id"].str.split("-").str[1]
    table["sector"] = sector
    table["commodity"] = COMMODITY[sector]
    _locate_origins(table, rng)

    # Flows: each actor sells to buyers one level down (sometimes two), chosen by Zipf weight.
    sellers = table[table["level"] < len(levels) - 1]
    mean_degree = max(flows / max(len(sellers), 1), 1.0)
    parts = []
    for level in range(len(levels) - 1):
        seller_ids = table.loc[table["level"] == level, "id"].to_numpy()
        degree = 1 + rng.poisson(mean_degree - 1, size=len(seller_ids))
        skip = rng.random(len(seller_ids)) < 0.05
        for jump, mask in ((1, ~skip), (2, skip)):
            target_level = min(level + jump, len(levels) - 1)
            buyers = table.loc[table["level"] == target_level, "id"].to_numpy()
            source = np.repeat(seller_ids[mask], degree[mask])
            target = buyers[rng.choice(len(buyers), size=len(source), p=_zipf(len(buyers), rng))]
            parts.append(pd.DataFrame({"source": source, "target": target}))
    flow_table = pd.concat(parts, ignore_index=True)
    # Every non-origin actor buys from someone: unknown origin is a finding, not noise.
    orphans = table.loc[(table["level"] > 0) & ~table["id"].isin(flow_table["target"])]
    extra = []
    for level, group in orphans.groupby("level"):
        upstream = table.loc[table["level"] == level - 1, "id"].to_numpy()
        extra.append(pd.DataFrame({"source": upstream[rng.integers(0, len(upstream), len(group))],
                                   "target": group["id"].to_numpy()}))
    flow_table = pd.concat([flow_table, *extra], ignore_index=True)
    if sector == "gold":
        flow_table = pd.concat([flow_table, _recycling(table, rng)], ignore_index=True)
    n = len(flow_table)
    flow_table["commodity"] = COMMODITY[sector]
    flow_table["volume"] = np.round(rng.lognormal(mean=3.0, sigma=1.2, size=n), 3)
    flow_table["unit"] = UNIT[sector]
    flow_table["year"] = np.asarray(years)[rng.integers(0, len(years), n)]
    # A seller drawn twice for one buyer in one year is one flow (its volumes added), as validation would
    # read it: the generated chain passes `riskgraph validate` without a warning.
    keys = ["source", "target", "commodity", "unit", "year"]
    flow_table = (flow_table.groupby(keys, sort=False, as_index=False)["volume"].sum()
                  .assign(volume=lambda f: f["volume"].round(3))[["source", "target", "commodity", "volume", "unit",
                                                                   "year"]])
    columns = ["id", "name", "stage", "country", "sector", "commodity", "lat", "lon"]
    return Chain(actors=table[columns], flows=flow_table, name=f"synthetic-{sector}-{actors}-seed{seed}")


def _locate_origins(table: pd.DataFrame, rng: np.random.Generator) -> None:
    """Coordinates for origin actors: a real populated place of their country, jittered ~5 km."""
    table["lat"] = np.nan
    table["lon"] = np.nan
    origin = table["level"] == 0
    from riskgraph.geo.places import places as populated_places, swapped_in_country

    places = populated_places()
    for country, rows in table[origin].groupby("country").groups.items():
        candidates = places[places["cc"] == country]
        if candidates.empty:
            continue
        pick = candidates.iloc[rng.integers(0, len(candidates), len(rows))]
        lat = np.round(pick["lat"].to_numpy() + rng.normal(0, 0.05, len(rows)), 6)
        lon = np.round(pick["lon"].to_numpy() + rng.normal(0, 0.05, len(rows)), 6)
        # near a border the jitter can leave the country so that only the swapped pair lies in it, which
        # validation reports as swapped coordinates: such actors sit on the place itself
        odd = swapped_in_country(lat, lon, np.full(len(rows), country, dtype=object))
        lat[odd], lon[odd] = pick["lat"].to_numpy()[odd], pick["lon"].to_numpy()[odd]
        table.loc[rows, "lat"] = lat
        table.loc[rows, "lon"] = lon


def _recycling(table: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Scrap from manufacturers to recyclers (a leaking loop back to refiners)."""
    makers = table.loc[table["stage"] == "manufacturer", "id"].to_numpy()
    recyclers = table.loc[table["stage"] == "recycler", "id"].to_numpy()
    if not len(makers) or not len(recyclers):
        return pd.DataFrame(columns=["source", "target"])
    chosen = makers[rng.random(len(makers)) < 0.3]
    return pd.DataFrame({"source": chosen, "target": recyclers[rng.integers(0, len(recyclers), len(chosen))]})

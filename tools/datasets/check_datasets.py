"""Check the sector datasets: validation, mass balance, origins, loops, locations, plots.

Run from the repository root: ``python tools/datasets/check_datasets.py [sector ...]``.
Prints, per dataset, the validation errors and warnings of ``riskgraph.read_chain``
and the findings the README documents, so a rebuild can be compared with it.
Exit status 1 when a dataset has validation errors.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import riskgraph as rg  # noqa: E402
from riskgraph.geo.places import country_at  # noqa: E402
from riskgraph.graph import cycles, input_shares  # noqa: E402
from riskgraph.chain.model import stage_table  # noqa: E402

SECTORS = ("gold", "natural_stone", "textiles", "food")


def mass_balance(actors: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """Per actor and year: recorded input, output and output / input."""
    known = flows.dropna(subset=["volume"])
    inflow = known.groupby(["target", "year"])["volume"].sum().rename("in")
    outflow = known.groupby(["source", "year"])["volume"].sum().rename("out")
    inflow.index.names = outflow.index.names = ["id", "year"]
    table = pd.concat([inflow, outflow], axis=1).fillna(0.0).reset_index()
    table = table.merge(actors[["id", "stage"]], on="id")
    table["ratio"] = np.where(table["in"] > 0, table["out"] / table["in"].where(table["in"] > 0, 1), np.inf)
    return table


def check(sector: str) -> bool:
    folder = ROOT / "datasets" / sector
    chain = rg.read_chain(folder)
    report = chain.report
    actors, flows = chain.actors, chain.flows
    print(f"== {sector}: {len(actors)} actors, {len(flows)} flows, {len(chain.plots)} plots")
    print(f"   errors: {len(report.errors)}")
    for message in report.errors["message"].head(20):
        print("     E", message)
    print(f"   warnings: {len(report.warnings)}")
    for message in report.warnings["message"]:
        print("     W", message)

    starts = set(stage_table().query("sector == @sector and chain_start")["stage"])
    # unknown origin: non-start actors that ship but receive nothing
    receives = set(flows["target"])
    ships = set(flows["source"])
    unknown = actors[~actors["stage"].isin(starts) & actors["id"].isin(ships) & ~actors["id"].isin(receives)]
    print("   unknown origin (non-start, ships, no inputs):", unknown["id"].tolist())
    # mass balance
    balance = mass_balance(actors, flows)
    gaps = balance[(balance["in"] > 0) & (balance["ratio"] > 1.2)]
    print("   mass-balance gaps (out > 1.2 × in):",
          [f"{r.id} {r.year}: {r.ratio:.2f} ({r.stage})" for r in gaps.itertuples()])
    over = balance[(balance["in"] > 0) & (balance["ratio"] > 1.0 + 1e-9) & ~balance["stage"].isin(starts)]
    print("   non-start actors with out > in:", sorted(set(over["id"])))
    print("   flows without volume:",
          flows.loc[flows["volume"].isna(), ["source", "target", "year"]].values.tolist())
    print("   cycles:", cycles(chain))
    # orphans and actors active in only one year
    active = set(flows["source"]) | set(flows["target"])
    print("   actors without flows:", sorted(set(actors["id"]) - active))
    years = flows.groupby("year").apply(lambda f: set(f["source"]) | set(f["target"]), include_groups=False)
    if len(years) == 2:
        a, b = years.iloc[0], years.iloc[1]
        print(f"   only in {years.index[0]}:", sorted(a - b))
        print(f"   only in {years.index[1]}:", sorted(b - a))
    # input shares: equal splits, spectral radius of S on cycles
    shares = input_shares(chain)
    print("   actors with equal split:", shares.equal_split[shares.equal_split].index.tolist())
    # locations: nearest populated place in the declared country
    located = actors.dropna(subset=["lat", "lon"])
    found = country_at(located["lat"].to_numpy(), located["lon"].to_numpy())
    wrong = located.loc[found != located["country"].to_numpy(), ["id", "country", "region"]].assign(nearest=found[found != located["country"].to_numpy()])
    print("   actors whose nearest place lies in another country:", wrong.values.tolist())
    # per stage × year volumes (unit of the chain)
    stage_of = actors.set_index("id")["stage"]
    vol = flows.assign(stage=flows["source"].map(stage_of)).groupby(["stage", "year"])["volume"].agg(["count", "sum", "median", "min", "max"])
    print(vol.round(1).to_string())
    if sector == "food":
        check_plots(folder, actors)
    return report.ok


def check_plots(folder: Path, actors: pd.DataFrame) -> None:
    raw = (folder / "plots.geojson").read_text(encoding="utf-8")
    data = json.loads(raw)
    country = actors.set_index("id")["country"]
    print(f"   plots: {len(data['features'])}")
    lines = raw.splitlines()[1:-1]
    for line, feature in zip(lines, data["features"]):
        p, g = feature["properties"], feature["geometry"]
        notes = []
        decimals = [len(d) for d in re.findall(r"-?\d+\.(\d+)", line.split('"geometry"')[1])]
        if min(decimals) < 6:
            notes.append(f"{min(decimals)} decimals")
        if g["type"] == "Point" and p["area_ha"] > 4:
            notes.append(f"point with {p['area_ha']} ha")
        if g["type"] == "Polygon" and g["coordinates"][0][0] != g["coordinates"][0][-1]:
            notes.append("unclosed ring")
        if p.get("forest_loss_ha_after_2020", 0) > 0:
            notes.append(f"forest loss after 2020: {p['forest_loss_ha_after_2020']} ha")
        if "forest_loss_year" in p:
            notes.append(f"forest loss in {p['forest_loss_year']}")
        lon, lat = (g["coordinates"] if g["type"] == "Point" else g["coordinates"][0][0])
        here = country_at([lat], [lon])[0] if abs(lat) <= 90 else "?"
        if here != country[p["actor_id"]]:
            notes.append(f"first position lies in {here}, actor in {country[p['actor_id']]}")
        if notes:
            print(f"     {p['plot_id']} ({p['actor_id']}, {g['type']}): " + "; ".join(notes))


if __name__ == "__main__":
    chosen = sys.argv[1:] or [s for s in SECTORS if (ROOT / "datasets" / s / "actors.csv").is_file()]
    ok = [check(s) for s in chosen]
    sys.exit(0 if all(ok) else 1)

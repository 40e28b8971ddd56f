"""EUDR due-diligence data for one operator (Regulation (EU) 2023/1115, Art. 9 and Annex II).

For a company node and a year: the relevant commodities with their HS codes
and quantities, the countries of production, the geolocation of every plot
whose material reaches the company, exported as the GeoJSON the EU
information system takes (``ProducerName``, ``ProducerCountry``,
``ProductionPlace``, ``Area``), plus the risk-assessment summary (country
benchmark, plots with findings, plots with forest loss after the 2020-12-31
cut-off) and a list of what is still missing to complete the statement.

Only plots that pass the project's own geolocation checks go into the
GeoJSON; the others are listed in ``plots_to_fix`` with the rule they break,
so the export can be submitted as it is and the rest fixed at the source.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from riskgraph.errors import InputError
from riskgraph.chain.model import Chain, chain_start_stages
from riskgraph.risk.reference import commodity_key, eudr_benchmark, eudr_commodities, eudr_hs_codes

CUTOFF = "2020-12-31"


@dataclass
class EudrStatement:
    """The data an EUDR due-diligence statement needs, for one node and year."""

    node: str
    year: int | None
    commodities: pd.DataFrame
    production: pd.DataFrame
    plots: pd.DataFrame
    plots_to_fix: pd.DataFrame
    forest_loss: pd.DataFrame
    missing: pd.DataFrame
    risk: dict = field(default_factory=dict)
    geojson: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        from riskgraph.output import to_jsonable

        return {
            "node": self.node, "year": self.year, "cutoff_date": CUTOFF,
            "commodities": to_jsonable(self.commodities), "production_countries": to_jsonable(self.production),
            "plots": len(self.plots), "plots_to_fix": to_jsonable(self.plots_to_fix),
            "forest_loss_after_cutoff": to_jsonable(self.forest_loss), "risk_assessment": to_jsonable(self.risk),
            "missing": to_jsonable(self.missing),
        }

    def write(self, folder: Path | str) -> Path:
        """Write ``plots.geojson``, ``statement.json`` and the tables as CSV into a folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "plots.geojson").write_text(_dump_geojson(self.geojson), encoding="utf-8")
        (folder / "statement.json").write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
        for name in ("commodities", "production", "plots_to_fix", "forest_loss", "missing"):
            getattr(self, name).to_csv(folder / f"{name}.csv", index=False)
        return folder


def _dump_geojson(collection: dict) -> str:
    """FeatureCollection text with each geometry written verbatim (its coordinate literals kept)."""
    features = []
    for feature in collection.get("features", []):
        features.append('{"type": "Feature", "properties": ' + json.dumps(feature["properties"], ensure_ascii=False)
                        + ', "geometry": ' + feature["geometry"] + "}")
    return '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}\n"


def eudr_statement(chain: Chain, node: str, *, year: int | None = None, assessment=None) -> EudrStatement:
    """Collect the EUDR due-diligence data of ``node`` for ``year`` (all years when ``None``).

    Raises
    ------
    InputError
        When ``node`` is not an actor of the chain.
    """
    from riskgraph.geo.plots import plot_checks
    from riskgraph.risk import upstream_weights

    if node not in set(chain.actors["id"]):
        raise InputError(f"actor '{node}' is not in the chain")
    weights = upstream_weights(chain, nodes=[node], year=year)[node]
    upstream = weights[weights > 0]
    actors = chain.actors.set_index("id").loc[upstream.index].copy()
    actors["weight"] = upstream.to_numpy()
    key = actors["commodity"].astype(object).map(commodity_key)
    actors["eudr_commodity"] = key.map(lambda k: eudr_commodities().get(k) if isinstance(k, str) else None)
    in_scope = actors[actors["eudr_commodity"].notna()]
    starts = chain_start_stages()
    is_origin = np.fromiter(((s, st) in starts for s, st in zip(in_scope["sector"], in_scope["stage"])), dtype=bool,
                            count=len(in_scope))
    origins = in_scope[is_origin]

    flows = chain.flows if year is None else chain.flows[chain.flows["year"] == year]
    received = flows[flows["target"] == node].copy()
    received["eudr_commodity"] = received["commodity"].astype(object).map(commodity_key).map(
        lambda k: eudr_commodities().get(k) if isinstance(k, str) else None)
    commodity_rows = []
    for commodity in sorted(set(in_scope["eudr_commodity"])):
        mine = received[received["eudr_commodity"] == commodity]
        commodity_rows.append({
            "commodity": commodity, "hs_codes": eudr_hs_codes().get(commodity, ""),
            "quantity": float(mine["volume"].sum()) if len(mine) else np.nan,
            "unit": ";".join(sorted(set(mine["unit"].dropna()))) if len(mine) else "",
            "flows_without_volume": int(mine["volume"].isna().sum()) if len(mine) else 0,
        })
    commodities = pd.DataFrame(commodity_rows, columns=["commodity", "hs_codes", "quantity", "unit",
                                                        "flows_without_volume"])
    benchmark = eudr_benchmark()
    production = (origins.groupby(["eudr_commodity", "country"])
                  .agg(share=("weight", "sum"), producers=("name", "size")).reset_index()
                  .rename(columns={"eudr_commodity": "commodity"}))
    production["benchmark"] = production["country"].map(lambda c: benchmark.get(c, "standard"))

    plots = chain.plots[chain.plots["actor_id"].isin(origins.index)].reset_index(drop=True)
    checks = plot_checks(plots, chain.actors) if len(plots) else None
    errors = checks.findings[checks.findings["severity"] == "error"] if checks is not None else pd.DataFrame(
        columns=["plot", "rule", "detail"])
    bad = set(errors["plot"])
    good = plots[~plots["plot_id"].isin(bad)]
    features = []
    for plot in good.itertuples(index=False):
        producer = origins.loc[plot.actor_id]
        features.append({"properties": {
            "ProducerName": producer["name"], "ProducerCountry": producer["country"],
            "ProductionPlace": plot.plot_id, "Area": None if pd.isna(plot.area_ha) else float(plot.area_ha),
            "plot_id": plot.plot_id, "actor_id": plot.actor_id, "commodity": producer["eudr_commodity"],
        }, "geometry": plot.geometry})
    loss = plots[plots["forest_loss_ha_after_2020"].fillna(0) > 0][["plot_id", "actor_id", "forest_loss_ha_after_2020"]]

    missing = []
    for actor, row in origins.iterrows():
        if actor not in set(plots["actor_id"]):
            missing.append({"item": "plot", "actor": actor, "detail": f"{row['name']} ({row['country']}, "
                            f"{row['eudr_commodity']}) has no plot with geolocation"})
    for plot, group in errors.groupby("plot"):
        missing.append({"item": "geolocation", "actor": plots.loc[plots["plot_id"] == plot, "actor_id"].iloc[0]
                        if (plots["plot_id"] == plot).any() else None,
                        "detail": f"plot {plot}: " + "; ".join(sorted(set(group["rule"])))})
    from riskgraph.risk import assess

    assessment = assessment or assess(chain, year=year)
    unknown = float(assessment.unknown_share[node])
    if unknown > 0:
        missing.append({"item": "origin", "actor": None,
                        "detail": f"{unknown:.1%} of the material has no recorded origin (a supplier without inputs)"})
    for row in commodities.itertuples(index=False):
        if row.flows_without_volume:
            missing.append({"item": "quantity", "actor": None,
                            "detail": f"{row.flows_without_volume} deliveries of {row.commodity} have no quantity"})
    risk = {
        "countries": production[["commodity", "country", "benchmark", "share"]].to_dict("records"),
        "negligible_risk_possible": bool(len(production)) and bool((production["benchmark"] == "low").all())
                                    and not len(loss) and not len(errors),
        "plots_checked": int(len(plots)), "plots_with_errors": int(len(bad)),
        "plots_with_forest_loss_after_cutoff": int(len(loss)),
    }
    return EudrStatement(
        node=node, year=year, commodities=commodities, production=production, plots=good,
        plots_to_fix=errors[["plot", "rule", "detail"]].reset_index(drop=True), forest_loss=loss.reset_index(drop=True),
        missing=pd.DataFrame(missing, columns=["item", "actor", "detail"]), risk=risk,
        geojson={"type": "FeatureCollection", "features": features},
    )

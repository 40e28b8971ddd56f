"""The chain data model: actors, flows and the optional plots, indicators and relevance.

A :class:`Chain` is a handful of pandas DataFrames with fixed columns and
dtypes (DESIGN §2). It is a plain value: constructing one conforms the tables
(adds the optional columns, casts dtypes, keeps extra columns) but does not
validate them; :func:`riskgraph.chain.validate.validate_chain` does that, and the
readers in :mod:`riskgraph.chain.io` validate while they read.

The sector stage vocabularies and the theme list are data
(``datasets/vocabulary/``), loaded once and exposed here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from riskgraph import _vocabulary
from riskgraph._resources import dataset_path
from riskgraph._text import STRING, as_text, map_distinct  # noqa: F401  (re-exported: the column helpers)

if TYPE_CHECKING:
    from riskgraph.chain.validate import ValidationReport

# Column name → dtype. The order is the order of columns in written files.
ACTOR_COLUMNS: dict[str, str] = {
    "id": "string",
    "name": "string",
    "stage": "string",
    "country": "string",
    "sector": "string",
    "commodity": "string",
    "lat": "float64",
    "lon": "float64",
    "region": "string",
    "smelter_id": "string",
    "os_id": "string",
}
FLOW_COLUMNS: dict[str, str] = {
    "source": "string",
    "target": "string",
    "commodity": "string",
    "volume": "float64",
    "unit": "string",
    "year": "Int64",
}
PLOT_COLUMNS: dict[str, str] = {
    "plot_id": "string",
    "actor_id": "string",
    "area_ha": "float64",
    "forest_loss_ha_after_2020": "float64",
    # GeoJSON geometry text with the coordinate literals as written in the
    # source file, so that decimal places can be counted (a float parser drops
    # trailing zeros) and a written file round-trips exactly.
    "geometry": "string",
}
INDICATOR_COLUMNS: dict[str, str] = {
    "country": "string",
    "theme": "string",
    "score": "float64",
    "commodity": "string",
    "source": "string",
}
RELEVANCE_COLUMNS: dict[str, str] = {
    "sector": "string",
    "stage": "string",
    "theme": "string",
    "weight": "float64",
}

#: The tables of a chain, their columns, and the columns a file must have.
TABLES: dict[str, dict[str, str]] = {
    "actors": ACTOR_COLUMNS,
    "flows": FLOW_COLUMNS,
    "plots": PLOT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "relevance": RELEVANCE_COLUMNS,
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "actors": ("id", "stage", "country", "sector"),
    "flows": ("source", "target"),
    "plots": ("plot_id", "geometry"),
    "indicators": ("country", "theme", "score"),
    "relevance": ("stage", "theme", "weight"),
}
OPTIONAL_TABLES = ("plots", "indicators", "relevance")


@lru_cache(maxsize=None)
def stage_table() -> pd.DataFrame:
    """The stage vocabulary: ``sector, stage, order, chain_start, label_en, label_nl``."""
    table = pd.read_csv(dataset_path("vocabulary", "stages.csv"), dtype={"sector": str, "stage": str})
    table["chain_start"] = table["chain_start"].astype(bool)
    return table


@lru_cache(maxsize=None)
def theme_table() -> pd.DataFrame:
    """The themes with their English and Dutch labels."""
    return pd.read_csv(dataset_path("vocabulary", "themes.csv"), dtype=str)


SECTORS: tuple[str, ...] = _vocabulary.sectors()
THEMES: tuple[str, ...] = _vocabulary.themes()


def stages_of(sector: str) -> tuple[str, ...]:
    """The stages of a sector's chain, from origin to consumer.

    >>> stages_of("gold")[:3]
    ('mine_asm', 'mine_lsm', 'recycler')
    """
    table = stage_table()
    return tuple(table.loc[table["sector"] == sector].sort_values("order", kind="stable")["stage"])


def chain_start_stages() -> frozenset[tuple[str, str]]:
    """(sector, stage) pairs where material enters a chain (mines, quarries, farms, recyclers)."""
    table = stage_table()
    start = table.loc[table["chain_start"], ["sector", "stage"]]
    return frozenset(map(tuple, start.to_numpy()))


def stage_order() -> dict[str, int]:
    """Position of each stage name in the downstream direction (the smallest over sectors)."""
    table = stage_table()
    return table.groupby("stage")["order"].min().to_dict()


def conform(frame: pd.DataFrame | None, table: str) -> pd.DataFrame:
    """Return ``frame`` with the table's columns in order and dtypes set, extras kept after them.

    Missing optional columns are added empty. Values are cast, not checked:
    a value that cannot be cast raises ``ValueError`` (validate first).
    """
    spec = TABLES[table]
    if frame is None:
        frame = pd.DataFrame(columns=list(spec))
    frame = frame.reset_index(drop=True)
    out = {}
    for column, dtype in spec.items():
        values = frame[column] if column in frame.columns else pd.Series(pd.NA, index=frame.index)
        out[column] = _cast(values, dtype)
    for column in frame.columns:
        if column not in spec:
            out[column] = _cast(frame[column], "string")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _cast(values: pd.Series, dtype: str) -> pd.Series:
    if dtype == "string":
        return as_text(values)
    if dtype == "Int64":
        return pd.to_numeric(values, errors="raise").astype("Int64")
    return pd.to_numeric(values, errors="raise").astype(dtype)


@dataclass(frozen=True, eq=False)
class Chain:
    """A value chain: actors (nodes) and material flows (edges), plus optional tables.

    Parameters
    ----------
    actors : DataFrame
        One row per actor: ``id, name, stage, country, sector`` and the
        optional ``commodity, lat, lon, region, smelter_id, os_id``.
    flows : DataFrame
        One row per material flow ``source → target`` with optional
        ``commodity, volume, unit, year``.
    plots, indicators, relevance : DataFrame, optional
        EUDR production plots, indicator overrides and stage-relevance
        overrides (DESIGN §2). Absent tables are empty frames.
    name : str
        A label for reports, usually the folder or workbook name.

    Notes
    -----
    The constructor conforms columns and dtypes but does not validate: build
    chains from files with :func:`riskgraph.read_chain`, or pass an in-memory
    chain through :func:`riskgraph.validate_chain`.

    Examples
    --------
    >>> import pandas as pd
    >>> chain = Chain(
    ...     actors=pd.DataFrame({"id": ["m", "r"], "stage": ["mine_asm", "refiner"],
    ...                          "country": ["UG", "CH"], "sector": ["gold", "gold"]}),
    ...     flows=pd.DataFrame({"source": ["m"], "target": ["r"], "volume": [10.0]}),
    ... )
    >>> chain
    Chain(2 actors, 1 flows, sectors: gold)
    """

    actors: pd.DataFrame
    flows: pd.DataFrame
    plots: pd.DataFrame = field(default=None)  # type: ignore[assignment]
    indicators: pd.DataFrame = field(default=None)  # type: ignore[assignment]
    relevance: pd.DataFrame = field(default=None)  # type: ignore[assignment]
    name: str = ""
    #: The validation report of the files this chain was read from, if any.
    report: "ValidationReport | None" = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for table in TABLES:
            object.__setattr__(self, table, conform(getattr(self, table), table))
        names = self.actors["name"]
        if names.isna().any():
            self.actors["name"] = names.fillna(self.actors["id"])

    def __repr__(self) -> str:
        sectors = ", ".join(sorted(self.actors["sector"].dropna().unique())) or "none"
        label = f"{self.name!r}, " if self.name else ""
        extra = "".join(
            f", {len(getattr(self, t))} {t}" for t in OPTIONAL_TABLES if len(getattr(self, t))
        )
        return f"Chain({label}{len(self.actors)} actors, {len(self.flows)} flows{extra}, sectors: {sectors})"

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """The chain's tables by name, optional ones only when not empty."""
        out = {"actors": self.actors, "flows": self.flows}
        out.update({t: getattr(self, t) for t in OPTIONAL_TABLES if len(getattr(self, t))})
        return out

    @property
    def actor_ids(self) -> pd.Index:
        """The actor ids as an index (row order)."""
        return pd.Index(self.actors["id"], name="id")

    def replace(self, **tables: pd.DataFrame | str) -> "Chain":
        """A new chain with some tables replaced, e.g. ``chain.replace(flows=fewer)``.

        The validation report is kept only when no table changes: a changed
        chain has not been validated (use :func:`riskgraph.validate_chain`).
        """
        current = {t: getattr(self, t) for t in TABLES}
        current["name"] = self.name
        current["report"] = None if any(t in TABLES for t in tables) else self.report
        current.update(tables)
        return Chain(**current)

    def for_year(self, year: int) -> "Chain":
        """The chain as it was in one year: the flows of that year, every actor and plot.

        >>> chain.for_year(2025)  # doctest: +SKIP
        """
        return self.replace(flows=self.flows[self.flows["year"] == year])

    def without(self, actors) -> "Chain":
        """A what-if: the chain without these actors, their flows and their plots.

        Downstream actors keep their other suppliers; their input shares are
        recomputed from what remains.
        """
        drop = set([actors] if isinstance(actors, str) else actors)
        unknown = drop - set(self.actors["id"])
        if unknown:
            from riskgraph.errors import InputError

            raise InputError(f"not actor ids of the chain: {sorted(unknown)}")
        flows = self.flows[~self.flows["source"].isin(drop) & ~self.flows["target"].isin(drop)]
        plots = self.plots[~self.plots["actor_id"].isin(drop)] if len(self.plots) else self.plots
        return self.replace(actors=self.actors[~self.actors["id"].isin(drop)], flows=flows, plots=plots)

    def equals(self, other: object) -> bool:
        """True when both chains hold the same tables (values, dtypes, column order)."""
        if not isinstance(other, Chain):
            return False
        return all(getattr(self, t).equals(getattr(other, t)) for t in TABLES) and all(
            list(getattr(self, t).columns) == list(getattr(other, t).columns) for t in TABLES
        )

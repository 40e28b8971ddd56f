"""Satellite evidence of forest and forest loss per production plot, offline.

* :mod:`riskgraph.forest.tiles` — Hansen GFC and JRC GFC2020 tiles found in a
  folder by their georeferencing, read by window;
* :mod:`riskgraph.forest.area` — exact cell and plot areas on the WGS84 ellipsoid;
* :mod:`riskgraph.forest.plots` — :func:`plot_forest`: forest on 31 December
  2020 and loss after it, per plot (exactextract's fractional coverage);
* :mod:`riskgraph.forest.findings` — where the member's declaration, the
  rasters and Whisp disagree.
"""
from riskgraph.forest.area import cell_area_ha, circles, geodesic_area_ha
from riskgraph.forest.findings import FINDING_COLUMNS, forest_findings
from riskgraph.forest.plots import DECLARED_LOSS, FOREST_COLUMNS, footprints, plot_forest
from riskgraph.forest.tiles import ForestTiles, GfcTile, Tile, find_tiles, hansen_name, write_tile

__all__ = [
    "DECLARED_LOSS",
    "FINDING_COLUMNS",
    "FOREST_COLUMNS",
    "ForestTiles",
    "GfcTile",
    "Tile",
    "cell_area_ha",
    "circles",
    "find_tiles",
    "footprints",
    "forest_findings",
    "geodesic_area_ha",
    "hansen_name",
    "plot_forest",
    "write_tile",
]

"""The EUDR geolocation rules: stable rule codes, their severities and the finding columns.
"""
from __future__ import annotations

from enum import Enum

ERROR, WARNING, INFO = "error", "warning", "info"
EARTH_RADIUS_KM = 6371.0088


class Rule(str, Enum):
    """Stable codes of the geolocation rules; the value is the code used in tables and JSON."""

    unreadable_file = "unreadable_file"
    missing_plot_id = "missing_plot_id"
    duplicate_plot_id = "duplicate_plot_id"
    missing_geometry = "missing_geometry"
    unsupported_geometry = "unsupported_geometry"
    coordinate_out_of_range = "coordinate_out_of_range"
    axis_order = "axis_order"
    outside_declared_country = "outside_declared_country"
    too_few_decimals = "too_few_decimals"
    point_above_4ha = "point_above_4ha"
    missing_area = "missing_area"
    ring_not_closed = "ring_not_closed"
    too_few_positions = "too_few_positions"
    invalid_polygon = "invalid_polygon"
    area_mismatch = "area_mismatch"
    unknown_actor = "unknown_actor"
    third_dimension = "third_dimension"

    def __str__(self) -> str:
        return self.value


#: Default severity of each rule (``too_few_decimals`` is downgraded to a warning when only some values are short).
SEVERITY: dict[Rule, str] = {
    Rule.unreadable_file: ERROR, Rule.missing_plot_id: ERROR, Rule.duplicate_plot_id: ERROR,
    Rule.missing_geometry: ERROR, Rule.unsupported_geometry: ERROR, Rule.coordinate_out_of_range: ERROR,
    Rule.axis_order: ERROR, Rule.outside_declared_country: WARNING, Rule.too_few_decimals: ERROR,
    Rule.point_above_4ha: ERROR, Rule.missing_area: WARNING, Rule.ring_not_closed: ERROR,
    Rule.too_few_positions: ERROR, Rule.invalid_polygon: ERROR, Rule.area_mismatch: WARNING,
    Rule.unknown_actor: ERROR, Rule.third_dimension: INFO,
}

FINDING_COLUMNS = ["plot", "rule", "severity", "detail", "actor", "feature"]
PLOT_COLUMNS = ["plot", "feature", "actor", "geometry_type", "positions", "lat", "lon", "decimals_min",
                "decimals_max", "area_ha", "geodesic_area_ha", "country", "located_in", "errors", "warnings",
                "valid"]

#: Property names (normalised) that declare a plot's country of production.
COUNTRY_PROPERTIES = ("country", "producer_country", "producercountry", "country_of_production")

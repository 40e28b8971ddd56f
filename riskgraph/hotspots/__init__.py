"""Hotspots (DESIGN §4): where in a chain due diligence should look first, and why.

One module per kind: ``deforestation``, ``child_labour``, ``clusters`` (spatial
statistics), ``chokepoints``, ``anomalies``; ``reach`` and ``find`` (the entry point).

:func:`find_hotspots` is the entry point. It combines

* **deforestation** hotspots (:func:`deforestation_hotspots`): producers of
  EUDR commodities in standard- or high-risk countries of the EUDR country
  benchmark, plots with forest loss after the cut-off date (31 December
  2020), plots whose geolocation fails the EUDR rules
  (:mod:`riskgraph.geo.plots`);
* **child labour** hotspots (:func:`child_labour_hotspots`): actors at stages
  where child labour is relevant (stage relevance ≥ 0.5) whose country and
  good are on the US DOL list, or whose country likelihood is high;
* **spatial clusters** (:func:`spatial_clusters`): DBSCAN over the geolocated
  actors and plots weighted by risk, with Getis-Ord Gi* z-scores
  (:func:`gi_star`) saying which clusters are significantly hot;
* **chokepoints** (:func:`chokepoints`): actors at the stages where due
  diligence has leverage over many origins (refiners, gins and spinners,
  traders and processors; ``chokepoint_stages.csv``) ranked by the share of
  their material from high-likelihood origins — an unidentified refiner
  carrying such gold first;
* **anomalies** (:func:`anomalies`): mass-balance gaps, sourcing shifts
  between years and an IsolationForest over per-actor flow features.

Ranking
-------
Every hotspot row has ``score = severity × exposure`` — the priority of the
OECD guidance, severity (1–5 per theme, ``theme_severity.csv``) times the
likelihood at the actor (:func:`riskgraph.risk.priority`) — and a ``rank``
within its theme: by score first, by ``reach`` second (then
``dependence``). Volume never outranks evidence: a plot with recorded forest
loss (likelihood 1) comes before a larger farm with country-level risk.

``reach`` (:func:`downstream_reach`) is the share of the chain's *delivered*
material — what arrives at the chain ends, weighted by the volume each end
receives — that passed through the actor: ``Σ_e W[u, e]·vol(e) / Σ_e vol(e)``
with the upstream weights ``W`` of the risk model (an end with some flows
lacking a volume is scaled up from its known flows). When the ends' units
differ or most end volumes are unknown, every end weighs the same and reach
equals :attr:`riskgraph.risk.Assessment.reach`. Beside it, ``dependence`` =
``Σ_{n ≠ u} W[u, n]`` counts how many downstream actors depend on u and how
much (one actor that gets all its material through u counts 1), and
``downstream_actors`` is the plain count (computed for the first
:data:`COUNTED_ROWS` rows of each theme; ``<NA>`` beyond).

``exposure`` is the actor's likelihood ``r`` of the theme in the risk model
(DESIGN §3): country, region, commodity evidence at the stage it describes,
stage relevance, and the actor's own plot evidence. For deforestation it is
computed from the plots in use (the chain's, or a file given to
:func:`find_hotspots`): 1 × relevance when a plot lost forest after the
cut-off, else ``(1 − (1 − L)(1 − ½·unverified)) × g`` where ``unverified`` is
the share of the actor's plot area whose geolocation has an error (or 1 when
the chain records plots but none for this producer). A plot row has the
same with its own loss and errors, and ``reach = reach of its actor × its
share of the actor's plot area``.

Forest loss after the cut-off is ``forest_loss_ha_after_2020 > 0``, or a
``forest_loss_year`` after 2020 when the area is not given; loss dated 2020
or earlier is not a finding (EUDR Art. 2(13), cut-off 31 December 2020).

Spatial statistics
------------------
Per theme the points are every geolocated actor (risk: its hotspot
exposure, else its inherent risk) and, for deforestation, every located plot
in place of its producer (risk: the plot's exposure). DBSCAN
(:func:`risk_clusters`, ``eps_km``) makes a cluster where the risk within
``eps_km`` adds up to ``min_risk``; Getis-Ord Gi* (:func:`gi_star`,
``band_km``) gives every point a z-score, and every cluster one, computed
with the cluster as the neighbourhood; a cluster is *hot* when z > 1.96.
The defaults (10 km, 2.0, 25 km) suit actors; dense plot data wants about
1 km and 3 km. Distances are great-circle distances; the BallTree searches
them as chords between unit vectors, which gives the haversine metric's
neighbourhoods exactly at a quarter of the cost (``metric="haversine"``
uses scikit-learn's haversine metric itself; tests check both agree).
"""
from riskgraph.hotspots._common import HOTSPOT_COLUMNS, HOTSPOT_THEMES, THEME_CHOICES, eudr_benchmark
from riskgraph.hotspots.anomalies import (
    actor_features,
    anomalies,
    isolation_anomalies,
    mass_balance_gaps,
    sourcing_shifts,
)
from riskgraph.hotspots.child_labour import child_labour_hotspots
from riskgraph.hotspots.chokepoints import chokepoints
from riskgraph.hotspots.clusters import gi_star, risk_clusters, spatial_clusters
from riskgraph.hotspots.deforestation import deforestation_hotspots
from riskgraph.hotspots.find import Hotspots, find_hotspots, top_hotspots
from riskgraph.hotspots.reach import downstream_reach

__all__ = [
    "Hotspots", "find_hotspots", "top_hotspots", "deforestation_hotspots", "child_labour_hotspots",
    "downstream_reach", "chokepoints", "anomalies", "mass_balance_gaps", "sourcing_shifts", "isolation_anomalies",
    "actor_features", "spatial_clusters", "risk_clusters", "gi_star", "eudr_benchmark",
    "HOTSPOT_COLUMNS", "HOTSPOT_THEMES", "THEME_CHOICES",
]

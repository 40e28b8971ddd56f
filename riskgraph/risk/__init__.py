"""The risk model (DESIGN §3): likelihood, stage relevance, upstream weights, chain-location matrices.

``engine`` holds the formula and the :class:`Assessment` (matrices, summaries,
peaks); ``likelihood`` where L and g come from; ``propagation`` the upstream
weights W = (I − S)⁻¹; ``explain`` the actors and paths behind a number;
``reference`` the bundled reference tables; ``priorities`` the OECD
ranking (severity × likelihood); ``evidence`` actor evidence from plots; ``regions`` ISO 3166-2 codes.
"""
from riskgraph.risk._views import stage_exposure_of, theme_cells_of
from riskgraph.risk.engine import Assessment, assess
from riskgraph.risk.explain import Explanation
from riskgraph.risk.likelihood import likelihood_table, relevance_table
from riskgraph.risk.priorities import PRIORITY_COLUMNS, priorities, priority
from riskgraph.risk.propagation import closed_loops, upstream_weights

__all__ = [
    "Assessment", "Explanation", "assess", "closed_loops", "likelihood_table", "relevance_table",
    "upstream_weights", "priorities", "priority", "PRIORITY_COLUMNS", "stage_exposure_of",
    "theme_cells_of",
]

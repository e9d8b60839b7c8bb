"""The matching engine: pure NumPy/SciPy, no Django.

Django code (matching/features.py) builds feature arrays from the database and
calls these functions; they can be used and tested on their own.
"""

from matching.engine.assign import assign
from matching.engine.metrics import assignment_metrics, price_of_stability
from matching.engine.scoring import COMPONENTS, People, Weights, components, score
from matching.engine.topk import top_k, top_k_row

__all__ = [
    "COMPONENTS",
    "People",
    "Weights",
    "assign",
    "assignment_metrics",
    "components",
    "price_of_stability",
    "score",
    "top_k",
    "top_k_row",
]

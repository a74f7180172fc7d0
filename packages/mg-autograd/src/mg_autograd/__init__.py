"""mg-autograd: scalar reverse-mode automatic differentiation you can read line by line.

>>> from mg_autograd import Value
>>> x = Value(3.0)
>>> y = (x * x).tanh()
>>> y.backward()

Where things live: `value.py` (the node and every elementary op, forward beside backward),
`nary.py` (fused `sum` and `dot`), `graph.py` (topological order and the backward sweep),
`_mode.py` (`no_grad`, `detect_anomaly`), `gradcheck.py`, `visualize.py` (`to_dot`),
`mermaid.py` (`to_mermaid`), `draw.py` (`draw`, with the ``draw`` extra), `trace.py`
(`trace_backward`: the backward sweep written down step by step).
"""

from .__about__ import __version__ as __version__
from ._mode import detect_anomaly, is_anomaly_enabled, is_grad_enabled, no_grad
from .draw import GraphvizDigraph, draw
from .gradcheck import GradcheckError, GradcheckReport, Mismatch, gradcheck
from .graph import topological_order
from .mermaid import to_mermaid
from .nary import dot, make_node, sum  # noqa: A004 - mg_autograd.sum, like torch.sum
from .trace import BackwardStep, BackwardTrace, trace_backward
from .value import Number, Value, ValueLike
from .visualize import to_dot

__all__ = [
    "BackwardStep",
    "BackwardTrace",
    "GradcheckError",
    "GraphvizDigraph",
    "GradcheckReport",
    "Mismatch",
    "Number",
    "Value",
    "ValueLike",
    "__version__",
    "detect_anomaly",
    "dot",
    "draw",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "make_node",
    "no_grad",
    "sum",
    "to_dot",
    "to_mermaid",
    "topological_order",
    "trace_backward",
]

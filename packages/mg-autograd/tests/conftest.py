"""Lets a test module import a sibling for its helpers (``import test_ag_fuzz``).

pytest's importlib mode does not put this folder on ``sys.path``; the trace tests reuse the
fuzzer's random graphs instead of keeping a second generator.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

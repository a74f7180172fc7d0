"""Error messages are asserted whole: a message that lost its value or its key must fail."""

from __future__ import annotations

import re


def exactly(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern that matches ``message`` and nothing longer."""
    return "^" + re.escape(message) + "$"

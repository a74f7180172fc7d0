"""Facts about the workspace that the tools and cross-package tests share: the chain itself."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES_DIR = ROOT / "packages"

# (distribution, import name, the one mg-* distribution it depends on), bottom of the chain first.
CHAIN: tuple[tuple[str, str, str | None], ...] = (
    ("mg-autograd", "mg_autograd", None),
    ("mg-nn", "mg_nn", "mg-autograd"),
    ("mg-optim", "mg_optim", "mg-nn"),
    ("mg-train", "mg_train", "mg-optim"),
)

# Third-party runtime dependencies each distribution is allowed (by the issue that created it).
ALLOWED_THIRD_PARTY: dict[str, frozenset[str]] = {
    "mg-autograd": frozenset(),
    "mg-nn": frozenset(),
    "mg-optim": frozenset(),
    "mg-train": frozenset({"tqdm"}),
}
ALLOWED_EXTRAS: dict[str, frozenset[str]] = {
    "mg-autograd": frozenset({"draw"}),
    "mg-train": frozenset({"plot"}),
}


def chain_up_to(dist: str) -> list[str]:
    """The distributions a venv with ``dist`` must contain: it and everything below it."""
    names = [name for name, _, _ in CHAIN]
    return names[: names.index(dist) + 1]

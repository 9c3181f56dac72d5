"""Where the data directories are: inside the package in a wheel, at the repo root in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parents[1]


def data_path(name: str) -> Path:
    """The directory ``ontology``, ``shapes``, ``seeds`` or ``sparql``."""
    shipped = _PACKAGE / "data" / name
    if shipped.is_dir():
        return shipped
    return _REPO / name


def repo_root() -> Path:
    """The checkout's root (meaningful only in a source checkout)."""
    return _REPO


def sources_dir() -> Path | None:
    """The source articles: ``$CLUSTERLD_SOURCES``, else ``../shared/sources`` by the checkout."""
    env = os.environ.get("CLUSTERLD_SOURCES")
    if env:
        return Path(env)
    candidates = (_REPO.parent / "shared" / "sources", Path.cwd().parent / "shared" / "sources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None

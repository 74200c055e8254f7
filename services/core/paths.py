"""Where the repository is, for tools that read the seeds or ``../shared`` next to it."""

from __future__ import annotations

from pathlib import Path


def repo_root(start: Path | None = None) -> Path | None:
    """The folder holding pyproject.toml, walking up from ``start`` (default: this file);
    None when the package runs outside a checkout (an installed wheel, the Docker image)."""
    here = (start or Path(__file__)).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return None

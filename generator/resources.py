"""Where the data folders the package reads at run time are: `prompts/` and `voices/`.

They live at the repository root, the one place people edit them. A wheel cannot
reach the root once installed elsewhere (`pip install .`, pipx), so the build
copies them into the package as `generator/_data/` (setup.py). A checkout is
preferred when there is one, so an editable install sees live edits.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SHIPPED = PACKAGE / "_data"


def data_dir(name: str) -> Path:
    """The folder `name` ("prompts", "voices"): the checkout's own, else the wheel's copy."""
    root = PACKAGE.parent
    # pyproject.toml marks a checkout: site-packages next to an installed package never has one,
    # and a stray top-level folder of the same name there must not be mistaken for ours.
    if (root / "pyproject.toml").is_file() and (root / name).is_dir():
        return root / name
    return SHIPPED / name

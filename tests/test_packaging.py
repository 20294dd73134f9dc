"""What the source distribution ships."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_sdist_ships_the_package_and_no_broken_tests(tmp_path: Path) -> None:
    """The tests need the repository, so the sdist leaves them out whole."""
    subprocess.run(
        [
            *(sys.executable, "-m", "build", "--sdist", "--no-isolation"),
            *("--outdir", str(tmp_path), str(ROOT)),
        ],
        check=True,
        capture_output=True,
    )
    [archive] = tmp_path.glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"README.md", "LICENSE", "CHANGELOG.md", "pyproject.toml"} <= names
    assert "sagemaker_stub/py.typed" in names
    assert "sagemaker_stub/_engine/engine.py" in names
    assert not [name for name in names if name.startswith("tests")]

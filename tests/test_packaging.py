"""What the source distribution ships."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from importlib import metadata
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


# -- the version, the docs and the metadata agree ----------------------------------


def _release(version: str) -> tuple[int, ...]:
    """``0.3.0.dev0`` -> (0, 3, 0): the release a version is, or leads to."""
    return tuple(int(part) for part in version.split(".")[:3])


def test_docs_and_changelog_agree_with_the_package_version() -> None:
    """No versionadded names a release after the one being made; the
    CHANGELOG's first section is that release, or Unreleased before it."""
    import sagemaker_stub  # noqa: PLC0415

    version = sagemaker_stub.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+)?", version)
    sources = [*ROOT.glob("sagemaker_stub/**/*.py"), *ROOT.glob("docs/*.md")]
    named = {
        (path.relative_to(ROOT).as_posix(), found)
        for path in sources
        for found in re.findall(
            r"version(?:added|changed):: (\S+)", path.read_text(encoding="utf-8")
        )
    }
    assert named  # the pattern finds the directives
    assert [
        (path, found) for path, found in named if _release(found) > _release(version)
    ] == []
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert first is not None
    expected = "Unreleased" if ".dev" in version else version
    assert first.group(1) == expected
    assert metadata.version("sagemaker-stub") == version


def test_the_metadata_says_where_the_docs_and_source_are() -> None:
    """Project URLs, a classifier per supported Python, and a docs build a
    docs host runs as it is."""
    meta = metadata.metadata("sagemaker-stub")
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    assert {"Source", "Documentation", "Changelog", "Issues"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    classifiers = meta.get_all("Classifier") or []
    floor = meta["Requires-Python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {floor}" in classifiers
    assert "Programming Language :: Python :: 3.13" in classifiers
    readthedocs = (ROOT / ".readthedocs.yaml").read_text(encoding="utf-8")
    assert "configuration: docs/conf.py" in readthedocs
    assert (ROOT / "docs" / "conf.py").exists()

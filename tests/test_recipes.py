"""The recipes: each library's own client, answered by mock() or the server.

docs/recipes.md is all recipes; docs/server.md has one (litellm, which sends
raw HTTP to the local server) among examples that need no library.

Each recipe starts with ``# needs: <distribution><version>``. It runs where
that library is installed and is skipped elsewhere, except that a recipe named
in ``SAGEMAKER_STUB_RECIPES`` (comma-separated needs, as ``make test-clients``
sets it) must run: there a missing library fails. The main environment has
langchain-aws, so ``make test`` runs those recipes.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from sagemaker_stub import UnusedResultsWarning

ROOT = Path(__file__).resolve().parent.parent
#: Pages with recipes: each block of recipes.md, and the blocks of server.md
#: (litellm) and containers.md that need a library.
PAGES = (
    ROOT / "docs" / "recipes.md",
    ROOT / "docs" / "server.md",
    ROOT / "docs" / "containers.md",
)
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
NEEDS = re.compile(r"\A# needs: (?P<name>[A-Za-z0-9_.-]+)(?P<spec>[<>=!~][^\n]*)?\n")
REQUIRED = {
    need.strip()
    for need in os.environ.get("SAGEMAKER_STUB_RECIPES", "").split(",")
    if need.strip()
}


def recipes() -> list[Any]:
    """One parameter per recipe block, named by what it needs."""
    params = []
    for page in PAGES:
        blocks = BLOCK.findall(page.read_text(encoding="utf-8"))
        for index, block in enumerate(blocks):
            need = NEEDS.match(block)
            if need is None:
                assert page.name != "recipes.md", f"recipe {index} needs nothing"
                continue
            label = need["name"] + (need["spec"] or "")
            params.append(pytest.param(block, id=f"{page.stem}{index}-{label}"))
    return params


def installed(name: str, spec: str | None) -> bool:
    try:
        version = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return spec is None or Version(version) in SpecifierSet(spec)


def test_every_library_has_a_recipe() -> None:
    needs = {str(param.id).split("-", 1)[1] for param in recipes()}
    assert needs == {
        "langchain-aws",
        "langchain-community",
        "sagemaker<3",
        "sagemaker-core>=2",
        "amazon-sagemaker-haystack",
        "llama-index-llms-sagemaker-endpoint",
        "llama-index-embeddings-sagemaker-endpoint",
        "strands-agents",
        "litellm",
    }


@pytest.mark.enable_socket  # the litellm recipe talks to a local server
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("block", recipes())
def test_recipe(block: str) -> None:
    need = NEEDS.match(block)
    assert need is not None
    label = need["name"] + (need["spec"] or "")
    if not installed(need["name"], need["spec"]):
        if label in REQUIRED:
            pytest.fail(
                f"{label} is not installed, and SAGEMAKER_STUB_RECIPES needs it"
            )
        pytest.skip(f"{label} is not installed here; make test-clients runs it")
    saved = dict(os.environ)
    try:
        with warnings.catch_warnings():
            # The libraries' own deprecation notices are theirs; ours still fail.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", UnusedResultsWarning)
            code = compile(block, f"recipes.md[{label}]", "exec")
            exec(code, {"__name__": "recipe"})
    finally:  # a recipe may set variables, as a user's test set-up would
        os.environ.clear()
        os.environ.update(saved)

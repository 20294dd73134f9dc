"""The shape of the package: small modules, no import cycles, one home for internals."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sagemaker_stub"
MODULES = sorted(PACKAGE.glob("*.py"))
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300
#: botocore details that are not its documented API. Only _botocore.py may
#: name them; every other module goes through it.
BOTOCORE_INTERNALS = re.compile(
    r"\._queue\b|_unique_id_handlers|_assert_expected_params|_get_response_handler"
    r"|_expected_params_event_id|_stub_account_id_event_id"
    r"|from botocore\.endpoint import|from botocore\.parsers import"
    r"|request_dict\[|\[\"url\"\]|\[\"headers\"\]|\[\"body\"\]"
)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_modules_and_classes_stay_small(path: Path) -> None:
    """No module over 500 lines, no class over 300, docstrings included."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines"
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"{path.name}: {node.name} has {size}"


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports when it runs (not for type checks)."""
    found = set()
    for node in _tree(path).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is not None:
                found.add(node.module)
            else:
                found.update(alias.name for alias in node.names)
    return found


def test_no_import_cycles() -> None:
    """The package's modules import one another without a cycle."""
    graph = {path.stem: _imports(path) for path in MODULES}
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*trail, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())
    assert "_engine" in done
    assert graph["_engine"].isdisjoint({"_doors", "_stub", "_botocore", "_render"})


@pytest.mark.parametrize(
    "path",
    [path for path in MODULES if path.name != "_botocore.py"],
    ids=lambda path: path.name,
)
def test_botocore_internals_live_in_one_module(path: Path) -> None:
    """Private botocore names and request-dict keys appear only in _botocore.py."""
    source = path.read_text(encoding="utf-8")
    assert BOTOCORE_INTERNALS.findall(source) == []


def test_the_internals_pattern_finds_what_it_looks_for() -> None:
    """The check above can fail: it finds every internal in _botocore.py."""
    found = set(BOTOCORE_INTERNALS.findall((PACKAGE / "_botocore.py").read_text()))
    assert {
        "._queue",
        "_unique_id_handlers",
        "_assert_expected_params",
        "_get_response_handler",
        "from botocore.endpoint import",
        "from botocore.parsers import",
        "request_dict[",
    } <= found


#: An import of aiobotocore, at any depth of the module.
AIOBOTOCORE_IMPORT = re.compile(r"^\s*(?:from|import) aiobotocore\b", re.MULTILINE)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_aiobotocore_is_imported_in_one_module(path: Path) -> None:
    """Only _aiobotocore.py imports aiobotocore, and only _aio.py imports it at load.

    The other modules reach the async doors through a function-level import
    made when an aiobotocore client is given, so the sync path never loads
    aiobotocore.
    """
    source = path.read_text(encoding="utf-8")
    imports_it = AIOBOTOCORE_IMPORT.search(source) is not None
    assert imports_it == (path.name == "_aiobotocore.py")
    loads_async = {"_aio", "_aiobotocore"} & _imports(path)
    assert not loads_async or path.name == "_aio.py", loads_async

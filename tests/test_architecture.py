"""The shape of the package: rooms that show the architecture, and rules between them.

``sagemaker_stub`` keeps its public surface at the top (the results, errors,
fault policies and options users build, and the facades they use: the stub,
``mock()``, ``serve()``, the fixtures) and its machinery in four private
subpackages: ``_engine`` (the semantics), ``_doors`` (what adapts a caller
to the engine), ``_cassettes`` (recording and replay) and ``_server`` (the
local HTTP server). These tests keep the layering true, counting imports made
inside functions too: only imports under ``if TYPE_CHECKING:`` are left out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sagemaker_stub"
FILES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300

#: Top-level modules that every room may use: the values users build (results,
#: errors, fault policies, options), and the one module of Python internals.
VALUES = frozenset(
    {
        "_error_result",
        "_errors",
        "_faults",
        "_options",
        "_python_internals",
        "_results",
        "_stream_result",
        "_text",
        "containers",
    }
)
#: What each room may import besides itself and the values.
ALLOWED = {
    "values": frozenset(),
    "_engine": frozenset(),
    "_cassettes": frozenset({"_engine"}),
    "_doors": frozenset({"_engine", "_cassettes"}),
    "_server": frozenset({"_engine", "_cassettes", "_doors"}),
}
#: The modules that may rely on a library's private details, and whose.
INTERNALS_MODULES = {
    "_doors.botocore": "botocore",
    "_doors.aiobotocore": "aiobotocore",
    "_doors.watches": "botocore (the classes it wraps)",
    "_python_internals": "the standard library (frames, unittest's outcome)",
}


def _name(path: Path) -> str:
    """``_engine.book`` for sagemaker_stub/_engine/book.py."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_name(path): path for path in FILES}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs, leaving out ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(tree):
        if _is_type_checking(child):
            continue
        yield child
        yield from _runtime_nodes(child)


def _resolve(module: str, node: ast.ImportFrom) -> set[str]:
    """The package modules a relative ``from ... import ...`` in ``module`` loads."""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".") if module != "__init__" else []
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    target = [*base, *(node.module.split(".") if node.module else [])]
    found = set()
    for alias in node.names:
        submodule = ".".join([*target, alias.name])
        if submodule in MODULES:
            found.add(submodule)
        else:
            found.add(".".join(target) or "__init__")
    return found


def _imports(module: str) -> set[str]:
    """The package modules ``module`` imports when it runs, at any depth."""
    found: set[str] = set()
    for node in _runtime_nodes(_tree(MODULES[module])):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            found |= _resolve(module, node)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sagemaker_stub."
        ):
            found.add(node.module.removeprefix("sagemaker_stub."))  # type: ignore[union-attr]
    found.discard(module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _room(module: str) -> str:
    """The room a module belongs to: a subpackage, the values, or the facades."""
    head = module.split(".", maxsplit=1)[0]
    if head in ALLOWED:
        return head
    return "values" if head in VALUES else "facades"


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_modules_and_classes_stay_small(path: Path) -> None:
    """No module over 500 lines, no class over 300, docstrings included."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno is not None
            size = node.end_lineno - node.lineno + 1
            assert size <= MAX_CLASS_LINES, f"{_name(path)}: {node.name} has {size}"


def test_the_rooms_are_the_architecture() -> None:
    """The subpackages are there, each with its parts, and the graph sees them."""
    rooms = {module.split(".")[0] for module in MODULES if "." in module}
    assert rooms == {"_engine", "_doors", "_cassettes", "_server"}
    assert {"_engine.engine", "_engine.book", "_engine.identity"} <= set(GRAPH)
    assert "_engine.book" in GRAPH["_engine.engine"]  # imports are resolved
    # An import made inside a function counts: _wiring loads the async doors
    # only for an aiobotocore client, and the graph still sees it.
    assert "_doors.aio" in GRAPH["_wiring"]


def test_no_import_cycles() -> None:
    """The modules import one another without a cycle, deferred imports included."""
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join((*trail, module))
        if module in done:
            return
        for imported in sorted(GRAPH[module]):
            visit(imported, (*trail, module))
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, ())
    assert done == set(GRAPH)


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_each_room_imports_only_the_rooms_below_it(module: str) -> None:
    """The engine imports no door, cassette, server or facade; doors no server...

    The values users build import only one another; the facades may import
    anything.
    """
    room = _room(module)
    if room == "facades":
        return
    allowed = {room, "values", *ALLOWED[room]}
    wrong = sorted(
        imported for imported in GRAPH[module] if _room(imported) not in allowed
    )
    assert wrong == [], f"{module} ({room}) imports {wrong}"


def test_the_layering_check_can_fail() -> None:
    """The rooms are told apart, so a wrong import would be seen."""
    assert _room("_engine.book") == "_engine"
    assert _room("_errors") == "values"
    assert _room("_stub") == "facades"
    assert "facades" not in {"values", *ALLOWED["_doors"]}


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_no_module_imports_another_ones_private_names(module: str) -> None:
    """A room uses what another module offers, not its ``_private`` names."""
    private: list[str] = []
    for node in _runtime_nodes(_tree(MODULES[module])):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            private.extend(
                alias.name
                for alias in node.names
                if alias.name.startswith("_")
                and not alias.name.startswith("__")
                and not any(
                    found.endswith(alias.name) for found in _resolve(module, node)
                )
            )
    assert private == []


@pytest.mark.parametrize(
    "module",
    sorted(name for name in MODULES if name.startswith("_engine")),
    ids=str,
)
def test_the_engine_reads_the_service_model_and_no_client(module: str) -> None:
    """The engine imports botocore's model only: no client, emitter or hook."""
    foreign: set[str] = set()
    for node in _runtime_nodes(_tree(MODULES[module])):
        if isinstance(node, ast.Import):
            foreign.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            foreign.add(node.module or "")
    libraries = {name for name in foreign if name.split(".")[0] in _AWS_LIBRARIES}
    assert libraries <= {"botocore.model"}, libraries


_AWS_LIBRARIES = {"botocore", "boto3", "aiobotocore", "aioboto3"}
#: The serialised request dict's keys, which botocore does not document.
_REQUEST_DICT = re.compile(r"request_dict\[|\[\"url\"\]|\[\"headers\"\]|\[\"body\"\]")


def _defined_names() -> set[str]:
    """Every name the package defines or assigns: its own private names."""
    names: set[str] = set()
    for path in FILES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
            elif isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "__slots__"
                for target in node.targets
            ):
                names.update(
                    item.value
                    for item in ast.walk(node.value)
                    if isinstance(item, ast.Constant) and isinstance(item.value, str)
                )
    return names


OWN = _defined_names()


def _foreign_private(path: Path) -> list[str]:
    """Private names of other libraries that a module reaches for."""
    found: list[str] = []
    source = path.read_text(encoding="utf-8")
    tree = _tree(path)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and not (node.module or "").startswith("sagemaker_stub")
        ):
            module = node.module or ""
            found.extend(
                f"{module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            )
            if any(
                part.startswith("_") and not part.startswith("__")
                for part in module.split(".")
            ):
                found.append(module)
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if name.startswith("_") and not name.startswith("__") and name not in OWN:
                found.append(f".{name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr", "setattr"}
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            if name.startswith("_") and not name.startswith("__") and name not in OWN:
                found.append(f"getattr {name}")
    found.extend(_REQUEST_DICT.findall(source))
    return found


@pytest.mark.parametrize(
    "module", sorted(set(MODULES) - set(INTERNALS_MODULES)), ids=str
)
def test_library_internals_live_on_an_allow_list(module: str) -> None:
    """No private botocore or aiobotocore name, ``sys._getframe`` or unittest's
    ``_outcome`` outside the modules named for them."""
    assert _foreign_private(MODULES[module]) == []


def test_the_internals_check_finds_what_it_looks_for() -> None:
    """The check above can fail: it finds the internals the allowed modules use."""
    botocore = set(_foreign_private(MODULES["_doors.botocore"]))
    assert {
        "._queue",
        "._assert_expected_params",
        "getattr _unique_id_handlers",
        "request_dict[",
    } <= botocore
    python = set(_foreign_private(MODULES["_python_internals"]))
    assert {"._getframe", "getattr _outcome"} <= python


#: An import of aiobotocore, at any depth of the module.
AIOBOTOCORE_IMPORT = re.compile(r"^\s*(?:from|import) aiobotocore\b", re.MULTILINE)


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_aiobotocore_is_imported_in_one_module(module: str) -> None:
    """Only _doors/aiobotocore.py imports aiobotocore, and only _doors/aio.py
    imports it when it loads.

    The other modules reach the async doors through an import made when an
    aiobotocore client is given, so the sync path never loads aiobotocore.
    """
    source = MODULES[module].read_text(encoding="utf-8")
    imports_it = AIOBOTOCORE_IMPORT.search(source) is not None
    assert imports_it == (module == "_doors.aiobotocore")
    at_load = set()
    for node in _tree(MODULES[module]).body:
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            at_load |= _resolve(module, node)
    loads_async = {"_doors.aio", "_doors.aiobotocore"} & at_load
    assert not loads_async or module == "_doors.aio", loads_async


def test_help_shows_the_public_names_where_users_import_them() -> None:
    """help(sagemaker_stub) and tracebacks name sagemaker_stub.X, not the
    private module that defines X."""
    import pydoc  # noqa: PLC0415

    import sagemaker_stub  # noqa: PLC0415

    for name in sagemaker_stub.__all__:
        value = getattr(sagemaker_stub, name)
        module = getattr(value, "__module__", "sagemaker_stub")
        assert module == "sagemaker_stub" or not module.startswith("sagemaker_stub"), (
            name
        )
    plain: Any = pydoc  # typeshed leaves out pydoc.plaintext, help()'s renderer
    text = pydoc.render_doc(sagemaker_stub, renderer=plain.plaintext)
    classes = text[text.index("\nCLASSES\n") : text.index("\nFUNCTIONS\n")]
    headings = [line for line in classes.splitlines() if "class " in line]
    private = set(re.findall(r"sagemaker_stub\._[\w.]+\.[A-Z]\w+", "\n".join(headings)))
    # The base class of the stub, mock and server's read-only options is the
    # only private name a class heading shows. (Python 3.13's help() also
    # names where a delegated method comes from, after "from".)
    assert private <= {"sagemaker_stub._delegate.OptionsView"}
    assert len(headings) >= len(sagemaker_stub.__all__) - 8  # functions, data
    assert "class NoResultError(SageMakerStubError, builtins.AssertionError)" in text

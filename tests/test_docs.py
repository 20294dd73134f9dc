"""Every code example in the README and the docs runs, and so does the demo."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import runpy
import sys
import unittest
from pathlib import Path

import botocore.session
import pytest

ROOT = Path(__file__).resolve().parent.parent
#: recipes.md needs the client libraries; tests/test_recipes.py runs it.
PAGES = [
    ROOT / "README.md",
    *sorted(page for page in (ROOT / "docs").glob("*.md") if page.name != "recipes.md"),
]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _sessions_supported() -> bool:
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    shape = model.operation_model("InvokeEndpoint").input_shape
    return shape is not None and "SessionId" in shape.members


#: Blocks that need what only newer botocore releases model.
SESSIONS_SUPPORTED = _sessions_supported()
#: Pages about async clients run where aiobotocore is installed (make tests-aio).
AIO_INSTALLED = importlib.util.find_spec("aiobotocore") is not None
#: aioboto3 pins an older aiobotocore; its environment runs its blocks.
AIOBOTO3_INSTALLED = importlib.util.find_spec("aioboto3") is not None


def python_blocks(page: Path) -> list[str]:
    """The ```python blocks of a Markdown page, in order."""
    return BLOCK.findall(page.read_text(encoding="utf-8"))


def test_pages_with_examples_are_found() -> None:
    """Guard against the pattern silently matching nothing."""
    counts = {page.name: len(python_blocks(page)) for page in PAGES}
    assert counts["README.md"] == 3
    assert counts["index.md"] == 1
    assert counts["guide.md"] >= 7
    assert counts["migrating.md"] == 3
    assert counts["streaming.md"] == 4
    assert counts["async.md"] == 3
    assert counts["faults.md"] == 6
    assert counts["aio.md"] == 4
    assert counts["mock.md"] == 5
    assert counts["server.md"] == 4
    assert counts["cassettes.md"] == 7
    assert counts["containers.md"] == 7


#: These pages' examples talk to a local server, on 127.0.0.1 only.
_LOCAL = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
_SERVED = ("server.md", "cassettes.md")


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(page, marks=_LOCAL if page.name in _SERVED else ())
        for page in PAGES
    ],
    ids=lambda page: page.name,
)
def test_examples_run(page: Path, pytester: pytest.Pytester) -> None:
    """Plain blocks run in order in one namespace; test blocks run under pytest."""
    if page.name == "aio.md" and not AIO_INSTALLED:
        pytest.skip("aiobotocore is not installed here; make tests-aio runs this page")
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for index, block in enumerate(python_blocks(page)):
        if "SessionId=" in block and not SESSIONS_SUPPORTED:
            continue  # botocore before 1.35 has no stateful sessions
        if "import aioboto3" in block and not AIOBOTO3_INSTALLED:
            continue  # run in the aioboto3 environment
        if block.startswith("# needs: "):
            continue  # a client library's: tests/test_recipes.py runs it
        if "def test_" in block:
            pytester.makepyfile(**{f"test_{page.stem}_{index}": block})
            result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
            outcomes = result.parseoutcomes()
            assert outcomes.get("passed", 0) >= 1, result.stdout.str()
            result.assert_outcomes(passed=outcomes["passed"])
            continue
        if "IsolatedAsyncioTestCase" in block:
            _run_apart(pytester, page, index, block)
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(block, f"{page.name}[{index}]", "exec"), namespace)
        cases = [
            value
            for value in namespace.values()
            if isinstance(value, type) and issubclass(value, unittest.TestCase)
        ]
        for case in cases:
            outcome = unittest.TestResult()
            unittest.defaultTestLoader.loadTestsFromTestCase(case).run(outcome)
            assert outcome.wasSuccessful(), outcome.errors + outcome.failures
            assert outcome.testsRun >= 1


def _run_apart(pytester: pytest.Pytester, page: Path, index: int, block: str) -> None:
    """Run a block of async unittest cases in a Python process of its own.

    An ``IsolatedAsyncioTestCase`` makes and closes an event loop of its own,
    and drops whatever loop the thread had: some pytest-asyncio releases (1.1
    and older) leave one behind after their tests, which then warns unclosed.
    A process of its own is also how a user's unittest suite runs.
    """
    path = pytester.makepyfile(
        **{f"docs_{page.stem}_{index}": f"{block}\nimport unittest\nunittest.main()\n"}
    )
    result = pytester.run(sys.executable, "-W", "error", str(path))
    output = result.stderr.str()
    assert result.ret == 0, output
    assert re.search(r"^Ran [1-9]\d* tests?", output, re.MULTILINE), output


def test_printed_messages_in_the_guide_are_true() -> None:
    """The guide quotes messages; the code prints exactly those."""
    guide = (ROOT / "docs" / "guide.md").read_text(encoding="utf-8")
    blocks = python_blocks(ROOT / "docs" / "guide.md")
    printed = []
    for block in blocks:
        if "print(error)" not in block:
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "guide", "exec"), {"__name__": "guide"})
        printed.append(out.getvalue().strip())
    assert len(printed) == 2
    flat_guide = " ".join(guide.split())
    assert " ".join(printed[0].split()) in flat_guide
    assert printed[1] in guide


def test_quickstart_demo_runs() -> None:
    """make demo runs this file; it must work and show each feature."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    text = out.getvalue()
    for label in ("sync:", "reuse:", "async:", "fallback:", "error:", "unqueued:"):
        assert label in text
    assert "remembered" in text
    assert "202" in text


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_the_cassette_shown_is_the_one_recorded(pytester: pytest.Pytester) -> None:
    """cassettes.md shows, byte for byte, the file its first example writes."""
    page = ROOT / "docs" / "cassettes.md"
    shown = re.search(
        r"^```json\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S
    )
    assert shown is not None
    exec(compile(python_blocks(page)[0], "cassettes.md[0]", "exec"), {})
    written = (pytester.path / "cassettes" / "classify.json").read_text(
        encoding="utf-8"
    )
    assert written == shown.group(1)

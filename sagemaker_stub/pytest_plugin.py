"""pytest plugin: the ``sagemaker_runtime_stub`` fixtures and their marker.

Registered through the ``pytest11`` entry point, so installing the package is
enough. Kept apart from the rest of the package so unittest users never
import pytest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, get_args

import attrs
import pytest

from ._errors import CassetteError, pending_message
from ._fixtures import FIXTURE_KEYWORDS, FixtureOptions, new_client, start_every_client
from ._options import Cassette, RecordMode, cassette_of, records
from ._stub import SageMakerRuntimeStub

__all__ = ["sagemaker_runtime_aio_stub", "sagemaker_runtime_stub"]

_MARKER = "sagemaker_runtime_stub"
#: The marker's first name, still read, with a deprecation warning.
_OLD_MARKER = "sagemaker_stub"
_CALL_FAILED = pytest.StashKey[bool]()
_KEYWORDS = ", ".join(FIXTURE_KEYWORDS)
_MODES: tuple[str, ...] = get_args(RecordMode)
#: The cassettes this run records, so tests that share one add to it.
_RECORDED = pytest.StashKey[set[Path]]()
#: What a test's name may not bring into a file name.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--sagemaker-record-mode``: how cassettes given to the marker are used."""
    group = parser.getgroup("sagemaker-stub")
    group.addoption(
        "--sagemaker-record-mode",
        action="store",
        dest="sagemaker_record_mode",
        default="none",
        choices=_MODES,
        help=(
            "How the cassette=... of @pytest.mark.sagemaker_runtime_stub is "
            "used: none (replay only, the default), once (record if the "
            "cassette does not exist), new_episodes (record requests it lacks), "
            "all (record again)."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that configures the fixture, and its old name."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*, allow_defaults=False, check_pending=True, "
        'every_client=True, s3=False, region_name="us-east-1", config=None, '
        "cassette=None, and any option of SageMakerRuntimeStub): configure the "
        "sagemaker_runtime_stub fixture; allow_defaults=True answers unqueued "
        "calls with moto's static default, check_pending=False lets a test "
        "leave queued results unused, every_client=False answers stub.client "
        "alone, s3=True answers every S3 client too, config is the client's "
        "botocore Config, cassette replays (or records, with "
        "--sagemaker-record-mode) a cassette file, relative to the test file "
        "(True: cassettes/<module>/[<Class>/]<test>.json).",
    )
    config.addinivalue_line(
        "markers", f"{_OLD_MARKER}(...): the old name of the {_MARKER} marker."
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Note whether the test itself failed, so its leftovers are not reported too."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed


def _marker_options(request: pytest.FixtureRequest) -> FixtureOptions:
    """The fixture's options, from the closest marker of either name."""
    marker = request.node.get_closest_marker(_MARKER)
    name = _MARKER
    if marker is None:
        marker = request.node.get_closest_marker(_OLD_MARKER)
        name = _OLD_MARKER
        if marker is not None:
            warning = pytest.PytestDeprecationWarning(
                f"@pytest.mark.{_OLD_MARKER} is the old name of "
                f"@pytest.mark.{_MARKER}; rename it."
            )
            request.node.warn(warning)
    given = dict(marker.kwargs) if marker else {}
    where = f"@pytest.mark.{name}"
    unknown = [key for key in given if key not in FIXTURE_KEYWORDS]
    if unknown or (marker is not None and marker.args):
        problem = (
            f"unexpected keyword argument {unknown[0]!r}"
            if unknown
            else f"unexpected positional arguments {marker.args!r}"
        )
        msg = f"{where} takes only the keywords {_KEYWORDS}: {problem}."
        raise pytest.UsageError(msg)
    try:
        cassette = _cassette(request, given.pop("cassette", None), where)
    except TypeError as exc:  # the message names the marker already
        raise pytest.UsageError(str(exc)) from exc
    try:
        options = FixtureOptions.of(where, given)
    except (TypeError, ValueError) as exc:
        msg = f"{where}: {exc}"
        raise pytest.UsageError(msg) from exc
    return attrs.evolve(options, stub=attrs.evolve(options.stub, cassette=cassette))


def _own_cassette(node: pytest.Item) -> Path:
    """A test's own cassette: ``cassettes/<module>/<Class>/<test>.json``.

    Each class is a folder, so tests of the same name in two classes have a
    file each. A name is kept to the characters a file name may safely hold;
    one that had others gets a short hash of itself (stable from run to run),
    so parametrize ids that differ only in those still have a file each.
    """
    classes = [item.name for item in node.listchain() if isinstance(item, pytest.Class)]
    *folders, name = (_safe(part) for part in (*classes, node.name))
    return Path("cassettes", Path(node.path).stem, *folders, f"{name}.json")


def _safe(name: str) -> str:
    """``name`` as a file name: unsafe characters replaced, and if any were, a
    hash of the name as it was added."""
    kept = _UNSAFE.sub("_", name)
    if kept == name:
        return name
    return f"{kept}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def _cassette(
    request: pytest.FixtureRequest, given: object, where: str
) -> Cassette | None:
    """The marker's ``cassette=``, next to the test file, in the run's record mode.

    ``cassette=True`` is the test's own file (see :func:`_own_cassette`). A
    cassette this run already recorded (tests sharing one) is added to, not
    recorded over.
    """
    if given is None or given is False:
        return None
    if given is True:
        given = _own_cassette(request.node)
    cassette = cassette_of(given, where)
    assert cassette is not None
    path = cassette.path
    if not path.is_absolute():
        path = Path(request.node.path).parent / path
    mode = request.config.getoption("sagemaker_record_mode")
    recorded = request.config.stash.setdefault(_RECORDED, set())
    if mode != "none" and path in recorded:
        mode = "new_episodes"
    cassette = attrs.evolve(cassette, path=path, record_mode=mode)
    if records(cassette):
        recorded.add(path)
    return cassette


@pytest.fixture
def sagemaker_runtime_stub(
    request: pytest.FixtureRequest,
) -> Iterator[SageMakerRuntimeStub]:
    """An active stub on a fresh ``sagemaker-runtime`` client (``stub.client``).

    It answers every other ``sagemaker-runtime`` client in the process too,
    from the same queues, as :func:`sagemaker_stub.mock` does, unless the test
    is marked ``every_client=False``. A call with nothing queued raises
    :class:`NoResultError`, unless the test is marked ``allow_defaults=True``.
    At teardown a test that passed fails if queued results were never used,
    listing each one, unless it is marked
    ``@pytest.mark.sagemaker_runtime_stub(check_pending=False)``. With
    ``cassette="file.json"`` (relative to the test file; ``cassette=True`` for
    ``cassettes/<module>/[<Class>/]<test>.json``) it replays that cassette, or records
    it as ``--sagemaker-record-mode`` says.

    .. versionadded:: 0.1.0
    """
    options = _marker_options(request)
    client = new_client(options.region_name, options.config, signed=options.recording())
    yield from _serve(request, options, client)


@pytest.fixture
def sagemaker_runtime_aio_stub(
    request: pytest.FixtureRequest,
) -> Iterator[SageMakerRuntimeStub]:
    """An active stub on a fresh aiobotocore client, for async tests.

    The same as ``sagemaker_runtime_stub``, marker included, with an
    aiobotocore ``sagemaker-runtime`` client as ``stub.client``: ``await``
    its calls. The fixture itself is not a coroutine, so it works under
    pytest-asyncio (strict or auto mode), anyio's plugin, or none. Needs
    ``pip install 'sagemaker-stub[aio]'``.

    .. versionadded:: 0.2.0
    """
    options = _marker_options(request)
    try:
        from ._doors.aiobotocore import new_aio_client, run_apart  # noqa: PLC0415
    except ImportError as exc:
        msg = (
            "The sagemaker_runtime_aio_stub fixture needs aiobotocore: "
            f"pip install 'sagemaker-stub[aio]' ({exc})."
        )
        pytest.fail(msg, pytrace=False)
    context = new_aio_client(
        options.region_name, options.config, signed=options.recording()
    )
    client = run_apart(context.__aenter__())
    try:
        yield from _serve(request, options, client)
    finally:
        run_apart(context.__aexit__(None, None, None))


def _serve(
    request: pytest.FixtureRequest, options: FixtureOptions, client: Any
) -> Iterator[SageMakerRuntimeStub]:
    """Stub ``client`` for one test; fail a passing test that left results unused."""
    try:
        stub = options.new_stub(client)
    except CassetteError as exc:
        pytest.fail(str(exc), pytrace=False)
    stub.activate()
    try:
        everywhere = start_every_client(stub, options)
        try:
            yield stub
        finally:
            if everywhere is not None:
                everywhere.deactivate(report_unused=False)
    finally:
        stub.deactivate(report_unused=False)
    if not options.check_pending or request.node.stash.get(_CALL_FAILED, False):
        return
    pending = stub.pending_results()
    if pending:
        marker = f"@pytest.mark.{_MARKER}(check_pending=False)"
        hint = f"Use them, or mark the test {marker}."
        pytest.fail(f"{pending_message(pending)}\n{hint}", pytrace=False)

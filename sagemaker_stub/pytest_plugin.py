"""pytest plugin: the ``sagemaker_runtime_stub`` fixtures and their marker.

Registered through the ``pytest11`` entry point, so installing the package is
enough. Kept apart from the rest of the package so unittest users never
import pytest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
import types
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, get_args

import attrs
import boto3
import botocore
import pytest

import sagemaker_stub

from ._cassettes.file import read_cassette, write_documents
from ._cassettes.lock import locked
from ._cassettes.merge import key_of
from ._doors.clients import forget
from ._errors import CassetteError, SageMakerStubError, pending_message
from ._fixtures import (
    FIXTURE_KEYWORDS,
    FixtureOptions,
    cassette_usage,
    new_client,
    retire,
    start_every_client,
)
from ._options import Cassette, RecordMode, cassette_of
from ._stub import SageMakerRuntimeStub

__all__ = ["sagemaker_runtime_aio_stub", "sagemaker_runtime_stub"]

_MARKER = "sagemaker_runtime_stub"
#: The marker's first name, still read, with a deprecation warning.
_OLD_MARKER = "sagemaker_stub"
_CALL_FAILED = pytest.StashKey[bool]()
_KEYWORDS = ", ".join(FIXTURE_KEYWORDS)
_MODES: tuple[str, ...] = get_args(RecordMode)
#: When the run began (on pytest-xdist, when the controller began): a
#: cassette written since was recorded by this run, and ``once`` adds to it.
_STARTED = pytest.StashKey[int]()
_STARTED_KEY = "sagemaker_stub_started"
#: For each cassette a test used: the recordings loaded, and those used (or
#: recorded), by request; a worker sends its own to the controller.
_USAGE = pytest.StashKey[dict[str, tuple[set[str], set[str]]]]()
_USAGE_KEY = "sagemaker_stub_usage"
#: What the run says of unused recordings, at the end.
_REPORT = pytest.StashKey[list[str]]()
#: Whether some tests were left out of the run (-k, -m, deselected).
_PARTIAL = pytest.StashKey[bool]()
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
            "all (record again what the tests send; keep the rest)."
        ),
    )
    group.addoption(
        "--sagemaker-prune-cassettes",
        action="store_true",
        dest="sagemaker_prune_cassettes",
        default=False,
        help=(
            "Remove from each cassette the recordings no test of this run used. "
            "Only a whole run that passed prunes: not with -k, -m or tests "
            "deselected."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that configures the fixture, and its old name."""
    workerinput = getattr(config, "workerinput", {})
    config.stash[_STARTED] = workerinput.get(_STARTED_KEY) or time.time_ns()
    config.stash[_USAGE] = {}
    config.stash[_PARTIAL] = False
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*, check_pending=True, "
        "every_client=True, s3=False, buckets=(), control_plane=True, "
        'region_name="us-east-1", '
        "config=None, cassette=None, and any option of SageMakerRuntimeStub): "
        "configure the "
        "sagemaker_runtime_stub fixture; allow_defaults=True answers unqueued "
        "calls with moto's static default, check_pending=False lets a test "
        "leave queued results unused, every_client=False answers stub.client "
        "alone, s3=True answers every S3 client too, buckets are more buckets "
        "the stub owns, control_plane=False leaves sagemaker and STS clients "
        "alone, config is the client's "
        "botocore Config, cassette replays (or records, with "
        "--sagemaker-record-mode) a cassette file, relative to the test file "
        "(True: cassettes/<module>/[<Class>/]<test>.json).",
    )
    config.addinivalue_line(
        "markers", f"{_OLD_MARKER}(...): the old name of the {_MARKER} marker."
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: each worker is told when the run began."""
    node.workerinput[_STARTED_KEY] = node.config.stash[_STARTED]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: a worker's cassette usage joins the run's."""
    sent = getattr(node, "workeroutput", {}).get(_USAGE_KEY, {})
    usage = node.config.stash[_USAGE]
    for path, (loaded, used) in sent.items():
        known = usage.setdefault(path, (set(), set()))
        known[0].update(loaded)
        known[1].update(used)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Note whether tests were deselected: such a run may not prune."""
    session.config.stash[_PARTIAL] = len(session.items) < session.testscollected


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Report the recordings no test used (and prune them, if asked).

    A pytest-xdist worker hands its usage to the controller instead.
    """
    config = session.config
    usage = config.stash.get(_USAGE, {})
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[_USAGE_KEY] = {
            path: (sorted(loaded), sorted(used))
            for path, (loaded, used) in usage.items()
        }
        return
    prune = config.getoption("sagemaker_prune_cassettes", False)
    refusal = None
    if prune:
        if exitstatus != 0 or session.testsfailed:
            refusal = "the run did not pass"
        elif (
            config.stash.get(_PARTIAL, False)
            or config.getoption("keyword", "")
            or config.getoption("markexpr", "")
        ):
            refusal = "not every test ran (-k, -m or deselected tests)"
    lines = []
    for path, (loaded, used) in sorted(usage.items()):
        lines.extend(_unused(Path(path), loaded, used, prune=prune and not refusal))
    if prune and refusal:
        lines.append(f"Cassettes were not pruned: {refusal}.")
    elif lines and not prune:
        lines.append(
            "Remove them with a whole run of the suite with "
            "--sagemaker-prune-cassettes."
        )
    config.stash[_REPORT] = lines


def _unused(path: Path, loaded: set[str], used: set[str], *, prune: bool) -> list[str]:
    """Lines naming the recordings of ``path`` no test used; pruned if asked."""
    with contextlib.suppress(CassetteError), locked(path):
        documents = [document for document, _ in read_cassette(path)]
        unused = [
            (number, document)
            for number, document in enumerate(documents, 1)
            if key_of(document) in loaded and key_of(document) not in used
        ]
        if not unused:
            return []
        if prune:
            kept = [document for _, document in unused]
            write_documents(
                [document for document in documents if document not in kept], path
            )
        verb = "removed" if prune else "unused"
        lines = [f"{path}: {len(unused)} recording(s) no test used, {verb}:"]
        for number, document in unused:
            request = document.get("request", {})
            by = document.get("recorded_by")
            lines.append(
                f"  interaction {number}: {document.get('operation')} on "
                f"{request.get('EndpointName')!r}"
                + (f", recorded by {by}" if by else "")
            )
        return lines
    return []  # pragma: no cover - a cassette removed or broken since


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The recordings no test used, at the end of the run."""
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("sagemaker-stub cassettes")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Show the package's own errors from the test's lines only (all of them
    with ``--full-trace``), and note whether the test itself failed, so its
    leftovers are not reported too."""
    excinfo = call.excinfo
    if (
        excinfo is not None
        and isinstance(excinfo.value, SageMakerStubError)
        and not item.config.getoption("fulltrace", False)
    ):
        call.excinfo = _without_library_frames(excinfo)
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed


#: Where the frames a failure of the package's own does not show live.
_LIBRARIES = tuple(
    str(Path(module.__file__).parent) + os.sep
    for module in (sagemaker_stub, botocore, boto3)
    if module.__file__ is not None
)


def _without_library_frames(
    excinfo: pytest.ExceptionInfo[BaseException],
) -> pytest.ExceptionInfo[BaseException]:
    """The package's own error with the frames of botocore's event machinery
    and of this package left out: they say nothing its message does not, and
    the test's (and the app's) own lines are what the reader needs.

    The traceback is rebuilt from the frames kept, since pytest cuts a
    traceback at the test's frame by following the original links.
    """
    kept = []
    raw: types.TracebackType | None = excinfo.tb
    while raw is not None:
        if not raw.tb_frame.f_code.co_filename.startswith(_LIBRARIES):
            kept.append(raw)
        raw = raw.tb_next
    shorter = None
    for entry in reversed(kept):
        shorter = types.TracebackType(
            shorter, entry.tb_frame, entry.tb_lasti, entry.tb_lineno
        )
    if shorter is None:  # pragma: no cover - pytest's own frames are always kept
        return excinfo
    return pytest.ExceptionInfo.from_exception(excinfo.value.with_traceback(shorter))


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
        raise pytest.UsageError(str(exc)) from None
    try:
        options = FixtureOptions.of(where, given)
    except (TypeError, ValueError) as exc:
        msg = f"{where}: {exc}"
        raise pytest.UsageError(msg) from None
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

    ``cassette=True`` is the test's own file (see :func:`_own_cassette`). In
    ``once``, a cassette that did not exist when the run began is recorded
    as with ``new_episodes``: tests sharing it, here or in other processes,
    each add what they lack. What the test records is labelled with its node
    id.
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
    config = request.config
    mode = config.getoption("sagemaker_record_mode")
    if mode == "once" and not _older_than_the_run(path, config):
        # Recorded by this run (or about to be, perhaps by another worker
        # first): what this test lacks is added to it.
        mode = "new_episodes"
    return attrs.evolve(
        cassette,
        path=path,
        record_mode=mode,
        recorded_by=cassette.recorded_by or request.node.nodeid,
    )


def _older_than_the_run(path: Path, config: pytest.Config) -> bool:
    """Whether a cassette existed before this run began."""
    try:
        return path.stat().st_mtime_ns < config.stash[_STARTED]
    except FileNotFoundError:
        return False


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
    try:
        yield from _serve(request, options, client)
    finally:
        retire(client)


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
        from ._doors import aiobotocore as internals  # noqa: PLC0415
        from ._doors.aiobotocore import new_aio_client, run_apart  # noqa: PLC0415
    except ImportError as exc:
        msg = (
            "The sagemaker_runtime_aio_stub fixture needs aiobotocore: "
            f"pip install 'sagemaker-stub[aio]' ({exc})."
        )
        pytest.fail(msg, pytrace=False)
    if options.recording() and not internals.OPENS_SESSION_ON_USE:
        msg = (
            "Recording through the sagemaker_runtime_aio_stub fixture needs "
            f"aiobotocore 2.13 or newer (this is {internals.AIOBOTOCORE_VERSION}), "
            "which opens its HTTP session on the test's event loop. Record "
            "with sagemaker_stub.mock(cassette=...) inside the test instead, or "
            "upgrade aiobotocore; replaying works with any version."
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
        forget(client)


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
        usage = cassette_usage(stub)
        if usage is not None:
            known = request.config.stash[_USAGE].setdefault(
                str(usage.path), (set(), set())
            )
            known[0].update(usage.loaded)
            known[1].update(usage.used)
    if not options.check_pending or request.node.stash.get(_CALL_FAILED, False):
        return
    pending = stub.pending_results()
    if pending:
        marker = f"@pytest.mark.{_MARKER}(check_pending=False)"
        hint = f"Use them, or mark the test {marker}."
        pytest.fail(f"{pending_message(pending)}\n{hint}", pytrace=False)

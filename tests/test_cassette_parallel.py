"""Cassettes shared by tests that record in parallel: real pytest-xdist workers
and real processes, recording into one file against the local server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sagemaker_stub
from sagemaker_stub import InvokeResult
from sagemaker_stub._cassettes.merge import merged

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

APP = """
import os

import boto3

client = boto3.session.Session(
    aws_access_key_id="AKIDPARALLEL", aws_secret_access_key="parallel-secret"
).client(
    "sagemaker-runtime",
    region_name="eu-west-1",
    endpoint_url=os.environ["SAGEMAKER_URL"],
)


def ask(number):
    response = client.invoke_endpoint(
        EndpointName=f"ep-{number}", Body=f"question {number}"
    )
    return response["Body"].read().decode()
"""


def module_of(numbers: range) -> str:
    """A test module whose tests ask one question each, sharing one cassette."""
    tests = "".join(
        f"""

def test_ask_{number}(sagemaker_runtime_stub):
    assert app.ask({number}) == "answer {number}"
"""
        for number in numbers
    )
    return f"""
import pytest

import app

pytestmark = pytest.mark.sagemaker_runtime_stub(
    cassette="cassettes/shared.json", check_pending=False
)
{tests}"""


def serve_answers(
    numbers: range, text: str = "answer {}"
) -> sagemaker_stub.SageMakerRuntimeServer:
    server = sagemaker_stub.serve()
    for number in numbers:
        server.queue(
            InvokeResult.text(text.format(number)), endpoint_name=f"ep-{number}"
        )
    return server


def interactions(path: Path) -> list[tuple[str, str, str]]:
    """(endpoint, answer, recorded_by) of each interaction, in the file's order."""
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        (
            item["request"]["EndpointName"],
            item["response"]["Body"],
            item["recorded_by"],
        )
        for item in document["interactions"]
    ]


#: The plugins a run needs, named: the others installed here (langsmith's
#: alone takes a second to import) are left out, as each run is a process.
PLUGINS = (
    "-p",
    "sagemaker_stub.pytest_plugin",
    "-p",
    "xdist.plugin",
    "-p",
    "pytest_socket",
)


@pytest.fixture(autouse=True)
def _only_the_plugins_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *PLUGINS, *args)


EIGHT = [(f"ep-{n}", f"answer {n}", f"test_app.py::test_ask_{n}") for n in range(8)]


@pytest.mark.unmeasured_subprocesses
def test_workers_recording_one_cassette_keep_every_recording_in_one_order(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-n 2 and -n 4 record all 8 tests into one file, byte for byte the same."""
    pytester.makepyfile(app=APP, test_app=module_of(range(8)))
    cassette = pytester.path / "cassettes" / "shared.json"
    written = []
    with serve_answers(range(8)) as server:
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        for workers in ("2", "4"):
            cassette.unlink(missing_ok=True)
            result = run(pytester, "-n", workers, "--sagemaker-record-mode=once")
            result.assert_outcomes(passed=8)
            assert interactions(cassette) == EIGHT
            written.append(cassette.read_bytes())
    assert written[0] == written[1]
    # The server is gone, and sockets are off: every test replays.
    run(pytester, "-n", "2", "--disable-socket").assert_outcomes(passed=8)
    run(pytester, "--disable-socket").assert_outcomes(passed=8)
    assert cassette.read_bytes() == written[0]


@pytest.mark.unmeasured_subprocesses
@pytest.mark.parametrize("mode", ["new_episodes", "all"])
def test_two_processes_recording_one_cassette_keep_every_recording(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    pytester.makepyfile(
        app=APP, test_first=module_of(range(4)), test_second=module_of(range(4, 8))
    )
    cassette = pytester.path / "cassettes" / "shared.json"
    with serve_answers(range(8)) as server:
        environment = {**os.environ, "SAGEMAKER_URL": server.url}
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-p",
                    "no:cacheprovider",
                    *PLUGINS,
                    f"--sagemaker-record-mode={mode}",
                    module,
                ],
                cwd=pytester.path,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for module in ("test_first.py", "test_second.py")
        ]
        outputs = [process.communicate()[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert interactions(cassette) == [
        (
            f"ep-{n}",
            f"answer {n}",
            f"test_{'first' if n < 4 else 'second'}.py::test_ask_{n}",
        )
        for n in range(8)
    ]
    monkeypatch.setenv("SAGEMAKER_URL", "http://127.0.0.1:9")  # never reached
    run(pytester, "--disable-socket").assert_outcomes(passed=8)


def eight_recorded(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 8 tests' shared cassette, recorded in one plain run."""
    pytester.makepyfile(app=APP, test_app=module_of(range(8)))
    with serve_answers(range(8)) as server:
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        run(pytester, "--sagemaker-record-mode=once").assert_outcomes(passed=8)
    return pytester.path / "cassettes" / "shared.json"


@pytest.mark.unmeasured_subprocesses
def test_recording_one_test_again_keeps_the_others(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-k one test with all: its recording is replaced, the other 7 are kept."""
    cassette = eight_recorded(pytester, monkeypatch)
    pytester.makepyfile(
        test_app=module_of(range(8)).replace('"answer 3"', '"answer 3, again"')
    )
    with serve_answers(range(3, 4), "answer {}, again") as server:
        monkeypatch.setenv("SAGEMAKER_URL", server.url)
        result = run(pytester, "--sagemaker-record-mode=all", "-k", "test_ask_3")
        result.assert_outcomes(passed=1, deselected=7)
    expected = list(EIGHT)
    expected[3] = ("ep-3", "answer 3, again", "test_app.py::test_ask_3")
    assert interactions(cassette) == expected
    run(pytester, "--disable-socket").assert_outcomes(passed=8)


def test_recordings_no_test_used_are_reported_and_pruned_on_request(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    cassette = eight_recorded(pytester, monkeypatch)
    recorded = cassette.read_bytes()
    # Tests 6 and 7 are gone: their recordings are reported, through workers too.
    pytester.makepyfile(test_app=module_of(range(6)))
    result = run(pytester, "-n", "2", "--disable-socket")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(
        [
            "*sagemaker-stub cassettes*",
            f"{cassette}: 2 recording(s) no test used, unused:",
            "  interaction 7: InvokeEndpoint on 'ep-6', recorded by test_app.py::*_6",
            "  interaction 8: InvokeEndpoint on 'ep-7', recorded by test_app.py::*_7",
            "Remove them with a whole run of the suite with --sagemaker-prune-*.",
        ]
    )
    # A partial run does not prune.
    result = run(
        pytester, "--disable-socket", "--sagemaker-prune-cassettes", "-k", "not ask_5"
    )
    result.assert_outcomes(passed=5, deselected=1)
    result.stdout.fnmatch_lines(
        ["Cassettes were not pruned: not every test ran (-k, -m or deselected tests)."]
    )
    assert cassette.read_bytes() == recorded
    # A failed run does not prune.
    pytester.makepyfile(
        test_app=module_of(range(6)) + "\n\ndef test_fails():\n    assert False\n"
    )
    result = run(pytester, "--disable-socket", "--sagemaker-prune-cassettes")
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines(["Cassettes were not pruned: the run did not pass."])
    assert cassette.read_bytes() == recorded
    # A whole run that passed does.
    pytester.makepyfile(test_app=module_of(range(6)))
    result = run(pytester, "--disable-socket", "--sagemaker-prune-cassettes")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines([f"{cassette}: 2 recording(s) no test used, removed:"])
    assert interactions(cassette) == EIGHT[:6]
    result = run(pytester, "--disable-socket")
    result.assert_outcomes(passed=6)
    assert "sagemaker-stub cassettes" not in result.stdout.str()


# -- the merge itself ---------------------------------------------------------------


def doc(body: str, answer: str, by: str | None = None) -> dict[str, object]:
    document: dict[str, object] = {
        "operation": "InvokeEndpoint",
        "request": {"EndpointName": "ep", "Body": body},
        "response": {"Body": answer, "ContentType": "text/plain"},
    }
    return document if by is None else {"recorded_by": by, **document}


def answers(documents: list[dict[str, object]]) -> list[object]:
    return [document["response"]["Body"] for document in documents]  # type: ignore[index]


def test_a_retry_recorded_after_an_error_follows_it() -> None:
    error = {**doc("a", "-"), "error": {"Code": "ModelError"}}
    del error["response"]
    ok = doc("a", "ok", "t::x")
    assert merged([error], [error], [ok], replace=False) == [error, ok]


def test_the_same_request_from_two_processes_is_kept_once_whoever_saved_first() -> None:
    first, second = doc("a", "1", "t::first"), doc("a", "2", "t::second")
    assert merged([second], [], [first], replace=False) == [first]
    assert merged([first], [], [second], replace=False) == [first]


def test_a_group_recorded_over_since_it_was_loaded_is_not_extended() -> None:
    loaded, over, mine = (
        doc("a", "old", "t::a"),
        doc("a", "new", "t::b"),
        doc("a", "mine", "t::c"),
    )
    assert answers(merged([over], [loaded], [mine], replace=False)) == ["new"]


def test_all_replaces_each_request_it_recorded_and_groups_by_label() -> None:
    kept, old = doc("b", "kept"), doc("a", "old", "t::z")
    new, other = doc("a", "new", "t::a"), doc("c", "c", "t::0")
    assert answers(merged([old, kept], [], [new, other], replace=True)) == [
        "kept",
        "c",
        "new",
    ]

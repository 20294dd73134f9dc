"""The benchmark runner still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import run, suites


def test_stream_benchmarks_produce_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each benchmark returns a row with a ratio, at a size that is quick."""
    monkeypatch.setattr(run, "REPEATS", 1)
    rows = run.bench_stream_consumption(parts=20) + run.bench_first_event(size=4096)
    assert [row[0] for row in rows] == [
        "consume a 20-part stream",
        "first event of a 6 MiB stream (6,144 parts)",
    ]
    assert all(row[2].split("x", 1)[0].replace(".", "").isdigit() for row in rows)


def test_every_benchmark_runs_at_a_tiny_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Per call, async, memory, scale and threads produce their rows."""
    monkeypatch.setattr(run, "REPEATS", 1)
    rows = (
        run.bench_per_call(small=(3, 2), large=(2, 1))
        + run.bench_modes(count=3)
        + run.bench_async(count=2)
        + run.bench_memory(count=2)
        + run.bench_scale(small=20)
        + run.bench_threads(threads=2, per_thread=3, repeats=1)
    )
    labels = [row[0] for row in rows]
    assert labels.count("invoke_endpoint, small body, queue path") == 4
    assert "invoke_endpoint_async, new InputLocation each call" in labels
    assert "memory per remembered request, 2 unique 1 MiB bodies" in labels
    assert "queue and consume 200 results" in labels
    assert "read stub.calls after 200 calls" in labels
    assert rows[-2][2].endswith("; yes")
    assert rows[-1][0] == "2 threads, one client with bare Stubber, 6 calls"


def test_write_updates_only_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--write keeps the page's prose and replaces what follows the marker."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "benchmarks.md").write_text(
        "# Benchmarks\n\nprose\n\n<!-- table -->\nold\n"
    )
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.setattr(run, "BENCHMARKS", [lambda: [("a", "b", "1.00x")]])
    assert run.main(["--write"]) == 0
    text = (docs / "benchmarks.md").read_text()
    assert text.startswith("# Benchmarks\n\nprose\n\n<!-- table -->\n\n| measurement |")
    assert "| a | b | 1.00x |" in text
    assert "old" not in text


def test_every_client_benchmarks_run_at_a_tiny_size() -> None:
    """mock()'s rows: a mocked call beside the bound stub, unrelated clients."""
    from benchmarks import every_client  # noqa: PLC0415 - imports benchmarks.run

    rows = every_client.bench_mocked_calls(count=3)
    rows += every_client.bench_unrelated_clients(count=3)
    assert [row[0] for row in rows] == [
        "invoke_endpoint through mock(), small body, queue path",
        "invoke_endpoint through mock(), small body, remembered repeat",
        "DynamoDB get_item (Stubber), no mock active",
        "DynamoDB get_item (Stubber), mock(s3=True) active",
        "make a sagemaker-runtime client",
    ]
    assert all(row[2].split("x", 1)[0].replace(".", "").isdigit() for row in rows)
    assert not every_client.MOCK.active


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_the_server_benchmark_runs_at_a_tiny_size() -> None:
    """serve() beside moto's server: requests per second and the first event."""
    from benchmarks import server  # noqa: PLC0415 - imports benchmarks.run

    rows = server.bench_server(calls=4, threads=2, rounds=1)
    assert [row[0] for row in rows] == [
        "invoke_endpoint over HTTP, one boto3 client",
        "invoke_endpoint over HTTP, 2 threads with a client each",
        "first event over HTTP, 1 MiB stream of 1,024 parts",
    ]
    assert all(row[2].split("x", 1)[0].replace(".", "").isdigit() for row in rows)


def test_the_suite_benchmarks_produce_their_rows() -> None:
    """The fixture row runs pytest over generated tests; start_stub and mock()."""
    rows = suites.bench_suites(count=3)
    assert [row[0] for row in rows] == [
        "sagemaker_runtime_stub fixture, 3 trivial tests, one process",
        "start_stub(self) and its cleanups, 3 tests",
        "with mock(): entered and left, 3 times",
    ]
    assert all(" ms" in row[2] for row in rows)

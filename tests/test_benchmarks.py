"""The benchmark runner still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import run


def test_stream_benchmarks_produce_rows() -> None:
    """Each benchmark returns a row with a ratio, at a size that is quick."""
    rows = run.bench_stream_consumption(parts=20) + run.bench_first_event(size=4096)
    assert [row[0] for row in rows] == [
        "consume a 20-part stream",
        "first event of a 6 MiB stream (6,144 parts)",
    ]
    assert all(row[2].split("x", 1)[0].replace(".", "").isdigit() for row in rows)


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

"""moto's own test file, in moto's server mode, against ``sagemaker-stub serve``.

moto's server mode points every boto3 client at ``http://localhost:5000``
and POSTs ``/moto-api/reset`` before and after each test; its sagemaker
tests queue results through ``/moto-api/static/sagemaker/...``. The file
(tests/third_party/moto, Apache-2.0, credited there) runs unchanged in a
pytest of its own, with nothing but the console script and its switch.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

MOTO_FILE = Path(__file__).parent / "third_party" / "moto" / "test_sagemakerruntime.py"
#: moto's file names port 5000; the suites that run beside each other in CI
#: take turns on it.
PORT_LOCK = Path(os.environ.get("TMPDIR", "/tmp")) / "sagemaker-stub-port-5000.lock"


@pytest.fixture
def port_5000() -> Iterator[None]:
    with PORT_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def serve(*flags: str) -> subprocess.Popen[str]:
    """``sagemaker-stub serve --port 5000`` with ``flags``, once it listens."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sagemaker_stub._cli",
            "serve",
            "--port",
            "5000",
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first == "sagemaker-stub serving on http://127.0.0.1:5000\n", first
    return process


def run_moto_file(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """moto's file in moto's server mode, in a pytest of its own."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    environment = {
        **os.environ,
        "TEST_SERVER_MODE": "true",
        # moto's boto3 clients sign; the keys are moto's usual fakes.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    environment.pop("COVERAGE_PROCESS_CONFIG", None)  # moto's run, not ours
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            "-q",
            str(MOTO_FILE),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.usefixtures("port_5000")
def test_motos_own_file_passes_in_server_mode(tmp_path: Path) -> None:
    """Four of four, state reset between tests through /moto-api/reset."""
    server = serve("--moto-compatible")
    try:
        result = run_moto_file(tmp_path)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert "4 passed" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0

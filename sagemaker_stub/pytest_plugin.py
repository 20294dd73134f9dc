"""pytest plugin: the ``sagemaker_runtime_stub`` fixture.

Registered through the ``pytest11`` entry point, so installing the package is
enough. Kept apart from the rest of the package so unittest users never
import pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ._errors import pending_message
from ._stub import SageMakerRuntimeStub
from ._unittest import new_client

__all__ = ["sagemaker_runtime_stub"]

_MARKER = "sagemaker_stub"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that configures the fixture."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*, allow_defaults=True, check_pending=True, region_name="
        '"us-east-1", validate=True, retries=False, config=None): configure the '
        "sagemaker_runtime_stub fixture; check_pending=False lets a test leave "
        "queued results unused, config is the client's botocore Config.",
    )


def _options(
    *,
    allow_defaults: bool = True,
    check_pending: bool = True,
    region_name: str = "us-east-1",
    validate: bool = True,
    retries: bool = False,
    config: Any = None,
) -> tuple[dict[str, Any], bool, str, Any]:
    stub_options = {
        "allow_defaults": allow_defaults,
        "validate": validate,
        "retries": retries,
    }
    return stub_options, check_pending, region_name, config


@pytest.fixture
def sagemaker_runtime_stub(
    request: pytest.FixtureRequest,
) -> Iterator[SageMakerRuntimeStub]:
    """An active stub on a fresh ``sagemaker-runtime`` client (``stub.client``).

    At teardown the test fails if queued results were never used, listing
    each one, unless it is marked ``@pytest.mark.sagemaker_stub(check_pending=False)``.

    .. versionadded:: 0.1.0
    """
    marker = request.node.get_closest_marker(_MARKER)
    try:
        stub_options, check_pending, region_name, config = _options(
            *(marker.args if marker else ()), **(marker.kwargs if marker else {})
        )
    except TypeError as exc:
        msg = (
            f"@pytest.mark.{_MARKER} takes only the keywords allow_defaults, "
            f"check_pending, region_name, validate, retries and config: {exc}"
        )
        raise pytest.UsageError(msg) from exc
    stub = SageMakerRuntimeStub(new_client(region_name, config), **stub_options)
    stub.activate()
    try:
        yield stub
    finally:
        stub.deactivate(report_unused=False)
    if check_pending:
        pending = stub.pending_results()
        if pending:
            marker = f"@pytest.mark.{_MARKER}(check_pending=False)"
            hint = f"Use them, or mark the test {marker}."
            pytest.fail(f"{pending_message(pending)}\n{hint}", pytrace=False)

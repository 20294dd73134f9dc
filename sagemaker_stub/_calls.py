"""The call history: one typed record per invocation."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ._book import Source
from ._eventstream import StreamProgress
from ._faults import Fault
from ._s3 import S3Object

__all__ = ["Call"]


@attrs.frozen(kw_only=True)
class Call:
    """One call made through the stubbed client.

    .. versionadded:: 0.1.0
    """

    #: The operation, e.g. ``"InvokeEndpoint"``.
    operation: str
    #: The ``EndpointName`` parameter.
    endpoint_name: str
    #: The parameters the caller passed, without ``Body``.
    params: Mapping[str, object] = attrs.field(repr=False)
    #: Size in bytes of the request body (0 when there was none).
    body_size: int
    #: SHA-256 of the request body, as hex (of ``b""`` when there was none).
    body_sha256: str = attrs.field(repr=False)
    #: The request body itself, kept only with ``keep_bodies=True``.
    body: bytes | None = attrs.field(default=None, repr=False)
    #: The result served; ``None`` for a Stubber expectation.
    result: object
    #: How the result was chosen.
    source: Source
    #: The ``InferenceId`` returned by an async call.
    inference_id: str | None = None
    #: The ``OutputLocation`` returned by an async call.
    output_location: str | None = None
    #: The ``FailureLocation`` returned by an async call.
    failure_location: str | None = None
    #: How far the consumer read a streamed response (streaming calls only).
    stream: StreamProgress | None = None
    #: The object at an async call's ``InputLocation``, when the stub holds it
    #: (stored with ``store_input`` or uploaded through an attached S3 client).
    input_object: S3Object | None = attrs.field(default=None, repr=False)
    #: The attempt number, 1 for the first; more when the client retried
    #: (``retries=True``).
    attempt: int = 1
    #: The backoff botocore chose before this attempt, in seconds (slept only
    #: with ``sleep_between_retries=True``); ``None`` for a first attempt.
    backoff: float | None = None
    #: Seconds of latency a :class:`Latency` fault added.
    latency: float = 0.0
    #: The fault policy that failed this call (``source`` is ``FAULT``).
    fault: Fault | None = None
    #: The id of the stateful session of the call (the one it opened with
    #: ``NEW_SESSION``, or the one it named).
    session_id: str | None = None

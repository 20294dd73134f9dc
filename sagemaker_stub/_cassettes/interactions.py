"""What a cassette holds: one interaction per request, and what answered it.

A cassette holds one interaction per request identity and endpoint, in the
order first seen (an error is kept per occurrence, as a queued error answers
one request). Each interaction is the request's identity, as the stub
computes it (``EndpointName``, the identity headers by parameter name, the
``Body`` or the ``InputLocation``), and what the endpoint answered: the
parsed outcome, a stream's parts and terminal error, an async call's
locations and the object that appeared there, or an error's modeled fields.
:mod:`.file` reads and writes them; the options of a cassette are
:class:`~sagemaker_stub.Cassette`.
"""

from __future__ import annotations

import attrs

from sagemaker_stub._results import AsyncResult

__all__ = ["FORMAT", "INFERENCE_ID", "OPERATIONS", "Interaction", "RecordedAsync"]

#: The version of the file format, written in every cassette.
FORMAT = 1
#: What stands for an async call's inference id in its recorded locations.
INFERENCE_ID = "{InferenceId}"


@attrs.define(kw_only=True)
class RecordedAsync:
    """An async call's recorded answer: where its object was to appear, and it."""

    #: The output location, with :data:`INFERENCE_ID` for the inference id.
    output_location: str
    #: The failure location, likewise.
    failure_location: str
    #: The object that appeared, as a result; None if none was seen.
    outcome: AsyncResult | None = None


@attrs.define(kw_only=True)
class Interaction:
    """One recorded request and what answered it."""

    operation: str
    endpoint_name: str
    #: The identity parameters but ``Body``, by parameter name.
    identity: dict[str, str]
    body: bytes
    #: An InvokeResult, StreamResult, ErrorResult or RecordedAsync.
    result: object


#: The operations a cassette records.
OPERATIONS = (
    "InvokeEndpoint",
    "InvokeEndpointAsync",
    "InvokeEndpointWithResponseStream",
)

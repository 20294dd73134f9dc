"""sagemaker-stub: test code that calls SageMaker endpoints, with no AWS.

A typed, in-process test double for boto3 ``sagemaker-runtime`` clients with
moto's queue-aware result model, built on botocore's ``Stubber``. Importing
it starts keeping track of the clients made afterwards, so that
:func:`mock` can answer them; nothing is answered until a stub or mock is
active.
"""

from ._engine.book import PendingResult, Source
from ._engine.calls import Call
from ._engine.eventstream import StreamProgress
from ._engine.identity import CassetteRequest, json_ignoring
from ._engine.objects import S3Object
from ._engine.registry import Session
from ._errors import (
    CassetteError,
    NoResultError,
    OutputNotFoundError,
    PendingResultsError,
    S3NotStubbedError,
    SageMakerStubError,
    StubActivationError,
    UnusedResultsWarning,
)
from ._faults import FailEvery, FailNext, FailRandomly, Fault, Latency
from ._fixtures import start_aio_stub, start_stub
from ._mock import SageMakerRuntimeMock, mock
from ._options import Cassette
from ._results import (
    SERVING_VARIANT,
    AsyncResult,
    ErrorResult,
    InvokeResult,
    ServingVariant,
    StreamError,
    StreamResult,
)
from ._serve import SageMakerRuntimeServer, serve
from ._stub import SageMakerRuntimeStub

__all__ = [
    "SERVING_VARIANT",
    "AsyncResult",
    "Call",
    "Cassette",
    "CassetteError",
    "CassetteRequest",
    "ErrorResult",
    "FailEvery",
    "FailNext",
    "FailRandomly",
    "Fault",
    "InvokeResult",
    "Latency",
    "NoResultError",
    "OutputNotFoundError",
    "PendingResult",
    "PendingResultsError",
    "S3NotStubbedError",
    "S3Object",
    "SageMakerRuntimeMock",
    "SageMakerRuntimeServer",
    "SageMakerRuntimeStub",
    "SageMakerStubError",
    "ServingVariant",
    "Session",
    "Source",
    "StreamError",
    "StreamProgress",
    "StreamResult",
    "StubActivationError",
    "UnusedResultsWarning",
    "json_ignoring",
    "mock",
    "serve",
    "start_aio_stub",
    "start_stub",
]

__version__ = "0.1.0.dev0"

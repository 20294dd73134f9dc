"""sagemaker-stub: test code that calls SageMaker endpoints, with no AWS.

A typed, in-process test double for boto3 ``sagemaker-runtime`` clients with
moto's queue-aware result model, built on botocore's ``Stubber``. Importing
it starts keeping track of the clients made afterwards, so that
:func:`mock` can answer them; nothing is answered until a stub or mock is
active.
"""

from ._book import PendingResult, Source
from ._calls import Call
from ._cassette import Cassette, CassetteError
from ._errors import (
    NoResultError,
    OutputNotFoundError,
    PendingResultsError,
    S3NotStubbedError,
    SageMakerStubError,
    StubActivationError,
    UnusedResultsWarning,
)
from ._eventstream import StreamProgress
from ._faults import FailEvery, FailNext, FailRandomly, Fault, Latency
from ._mock import SageMakerRuntimeMock, mock
from ._registry import Session
from ._results import (
    SERVING_VARIANT,
    AsyncResult,
    ErrorResult,
    InvokeResult,
    ServingVariant,
    StreamError,
    StreamResult,
)
from ._s3 import S3Object
from ._server import SageMakerRuntimeServer, serve
from ._stub import SageMakerRuntimeStub
from ._unittest import start_aio_stub, start_stub

__all__ = [
    "SERVING_VARIANT",
    "AsyncResult",
    "Call",
    "Cassette",
    "CassetteError",
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
    "mock",
    "serve",
    "start_aio_stub",
    "start_stub",
]

__version__ = "0.1.0.dev0"

"""sagemaker-stub: test code that calls SageMaker endpoints, with no AWS.

A typed, in-process test double for boto3 ``sagemaker-runtime`` clients with
moto's queue-aware result model, built on botocore's ``Stubber``. Importing
it starts keeping track of the clients made, so that :func:`mock` can answer
them; nothing is answered until a stub or mock is active.

Everything public is here, in ``__all__``; the modules whose names start with
an underscore are private.
"""

from . import containers
from ._engine.book import PendingResult, Source
from ._engine.calls import Call
from ._engine.eventstream import StreamProgress
from ._engine.identity import CassetteRequest, json_ignoring
from ._engine.objects import S3Object
from ._engine.registry import Session
from ._engine.responders import Invocation, Responder, when_json, when_text
from ._errors import (
    CassetteError,
    NoResultError,
    NotStubbedError,
    OutputNotFoundError,
    PendingResultsError,
    ResponderError,
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
    "Invocation",
    "InvokeResult",
    "Latency",
    "NoResultError",
    "NotStubbedError",
    "OutputNotFoundError",
    "PendingResult",
    "PendingResultsError",
    "Responder",
    "ResponderError",
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
    "containers",
    "json_ignoring",
    "mock",
    "serve",
    "start_aio_stub",
    "start_stub",
    "when_json",
    "when_text",
]

__version__ = "0.3.0.dev0"


#: The private module that defines each public name given a new home below
#: (docs/conf.py reads the attribute comments there).
_DEFINED_IN: dict[str, str] = {}


def _present_as_public() -> None:
    """Name this package, not the private module that defines it, as the
    home of each public class and function: ``help(sagemaker_stub)``, reprs
    and tracebacks then show ``sagemaker_stub.NoResultError``, and pickles
    refer to the name users import."""
    for name in __all__:
        value = globals()[name]
        module = getattr(value, "__module__", "")
        if module.startswith("sagemaker_stub._"):
            try:
                value.__module__ = __name__
            except (AttributeError, TypeError):  # pragma: no cover - not settable
                continue
            _DEFINED_IN[name] = module
            # Its methods too (attrs makes some), which help() names by module.
            for member in vars(value).values() if isinstance(value, type) else ():
                if getattr(member, "__module__", None) == module:
                    member.__module__ = __name__


_present_as_public()

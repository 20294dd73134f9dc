"""Process-wide wrappers of botocore's classes, for ``mock()``.

Like ``botocore.py``, a module of things botocore does not promise: each
wrapper is named with why it is needed and what fails if botocore moves the
method it wraps. Only ``_doors/clients.py`` (and, for aiobotocore's own
classes, ``_doors/aiobotocore.py``) install them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from botocore.client import BaseClient

__all__ = [
    "IN_FLIGHT",
    "WRAPPED",
    "params_in_flight",
    "watch_calls",
    "watch_clients",
    "watch_credentials",
    "wrap_once",
]

# ``mock()`` answers clients the test never sees, so it must know every client
# in the process; botocore has no process-wide event for it (clients copy
# their session's emitter when made). Three are wrapped, once, at import:
# - ``BaseClient.__init__``, which every client runs (botocore's, boto3's,
#   aiobotocore's): the client is noted as it is made. ``ClientCreator`` then
#   finishes it (retry and S3 handlers).
# - ``BaseClient._make_api_call``, the one path every call takes (the
#   generated methods call it; OpenTelemetry's and Datadog's instrumentations
#   wrap it for the same reason): a client made before the import, which no
#   ``__init__`` wrapper saw, is handed to an active mock before its call emits
#   an event. One function call per API call.
# - ``Session.create_client``, botocore's public way to make a client, which
#   runs the credential chain (variables, files, the container and EC2
#   metadata endpoints) unless keys are given: a client a mock answers gets
#   placeholder keys instead, unless its session holds keys already (given,
#   or resolved before: ``Session._credentials``, private, is not None).
# aiobotocore overrides the last two; ``_doors/aiobotocore.py`` wraps its own.
# If any stops being the common path, tests/test_mock.py and
# tests/test_hermetic.py fail.


#: Every ``(owner, name)`` wrapped so far (make bench puts the originals back
#: for the moment, to time botocore as if the package had not been imported).
WRAPPED: list[tuple[Any, str]] = []


def wrap_once(owner: Any, name: str, wrap: Callable[[Any], Any]) -> None:
    """Replace ``owner.name`` with ``wrap(original)``, unless already done (the
    package imported twice wraps nothing more)."""
    original = getattr(owner, name)
    if getattr(original, "_sagemaker_stub_watch", False):
        return
    wrapper: Any = functools.wraps(original)(wrap(original))
    wrapper._sagemaker_stub_watch = True
    setattr(owner, name, wrapper)
    WRAPPED.append((owner, name))


def watch_clients(created: Callable[[Any], None]) -> None:
    """Call ``created(client)`` after every botocore client's ``__init__``."""

    def wrap(original: Any) -> Any:
        def __init__(self: BaseClient, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            created(self)

        return __init__

    wrap_once(BaseClient, "__init__", wrap)


#: The call each thread or task is making: (client, operation, parameters).
#: A door opened while a call was under way (a stub or mock activated between
#: its ``before-parameter-build`` and ``before-call``) reads the parameters here.
IN_FLIGHT: ContextVar[tuple[Any, str, Any] | None] = ContextVar(
    "sagemaker_stub_in_flight", default=None
)


def params_in_flight(client: Any, operation: str) -> dict[str, Any] | None:
    """The parameters ``client`` was called with for ``operation``, if this
    thread or task is making that call."""
    call = IN_FLIGHT.get()
    if call is None or call[0] is not client or call[1] != operation:
        return None
    params: dict[str, Any] = call[2]
    return params


def watch_calls(seen: Callable[[Any], None]) -> None:
    """Call ``seen(client)`` before every call of a botocore client."""

    def wrap(original: Any) -> Any:
        def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
            seen(self)
            token = IN_FLIGHT.set((self, operation_name, api_params))
            try:
                return original(self, operation_name, api_params)
            finally:
                IN_FLIGHT.reset(token)

        return _make_api_call

    wrap_once(BaseClient, "_make_api_call", wrap)


#: ``Session.create_client``'s positional parameters before its keys
#: (service_name, region_name, api_version, use_ssl, verify, endpoint_url).
_BEFORE_KEYS = 6


def watch_credentials(
    placeholder: Callable[[str], str | None], session_class: Any = None
) -> None:
    """Give a client made with no keys, on a session with none, the key
    ``placeholder(service)`` returns (None: it resolves its own)."""
    if session_class is None:
        import botocore.session  # noqa: PLC0415 - the class, after the import

        session_class = botocore.session.Session

    def wrap(original: Any) -> Any:
        def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
            service = args[0] if args else kwargs.get("service_name")
            if (
                len(args) <= _BEFORE_KEYS
                and kwargs.get("aws_access_key_id") is None
                and kwargs.get("aws_secret_access_key") is None
                and getattr(self, "_credentials", None) is None
                and isinstance(service, str)
            ):
                key = placeholder(service)
                if key is not None:
                    kwargs.update(
                        aws_access_key_id=key,
                        aws_secret_access_key=key,
                        aws_session_token=None,
                    )
            return original(self, *args, **kwargs)

        return create_client

    wrap_once(session_class, "create_client", wrap)

"""Declared endpoints and stateful sessions.

Without declarations every endpoint exists, as in moto. Once an endpoint is
declared, the registry answers what the service would for an endpoint,
variant, inference component or target model that does not exist. Sessions
are tracked per endpoint from the ``NEW_SESSION`` call that opened them.
"""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Mapping

import attrs

__all__ = ["EndpointSpec", "Registry", "Session"]

NEW_SESSION = "NEW_SESSION"
#: The variant that serves calls when no endpoint is declared.
DEFAULT_VARIANT = "AllTraffic"


@attrs.frozen
class EndpointSpec:
    """An endpoint declared with :meth:`SageMakerRuntimeStub.add_endpoint`."""

    name: str
    variants: tuple[str, ...]
    inference_components: tuple[str, ...]
    #: ``None`` for an endpoint that is not multi-model.
    target_models: tuple[str, ...] | None

    def variant_refusal(self, params: Mapping[str, object]) -> str | None:
        variant = params.get("TargetVariant")
        if variant is None or variant in self.variants:
            return None
        return (
            f"The variant {variant} is not present in the endpoint "
            f"configuration of endpoint {self.name}. Its variants are: "
            f"{', '.join(self.variants)}."
        )

    def component_refusal(
        self, operation: str, params: Mapping[str, object]
    ) -> str | None:
        component = params.get("InferenceComponentName")
        if component is None:
            if not self.inference_components or operation == "InvokeEndpointAsync":
                return None
            return (
                "Inference Component Name header is required for endpoints to "
                "which you plan to deploy inference components. Please include "
                "Inference Component Name header or consider using SageMaker "
                "models."
            )
        if component in self.inference_components:
            return None
        return f"Inference component {component} not found on endpoint {self.name}."

    def model_refusal(self, params: Mapping[str, object]) -> str | None:
        model = params.get("TargetModel")
        if model is None or (
            self.target_models is not None and model in self.target_models
        ):
            return None
        if self.target_models is None:
            return (
                f"Endpoint {self.name} is not a multi-model endpoint and does "
                "not support target model header."
            )
        return (
            f"Failed to download model data for target model {model}: "
            f"endpoint {self.name} hosts no such model."
        )


@attrs.frozen(kw_only=True)
class Session:
    """A stateful session opened with ``SessionId="NEW_SESSION"``.

    .. versionadded:: 0.1.0
    """

    #: The id the opening call returned in ``NewSessionId``.
    session_id: str
    #: The endpoint that holds it.
    endpoint_name: str
    #: The production variant its calls are routed to.
    variant: str
    #: When it expires (UTC).
    expires_at: datetime.datetime
    #: Whether a result closed it (``ClosedSessionId``).
    closed: bool = False

    @property
    def header(self) -> str:
        """The ``NewSessionId`` value: ``<id>; Expires=<ISO time>``."""
        expires = self.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.session_id}; Expires={expires}"


class Registry:
    """Endpoints the test declared, and the sessions calls opened."""

    def __init__(self) -> None:
        self.declared = False
        self._endpoints: dict[str, EndpointSpec] = {}
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    # -- endpoints ------------------------------------------------------------

    def add(self, spec: EndpointSpec) -> None:
        self._endpoints[spec.name] = spec
        self.declared = True

    def clear(self) -> None:
        """Forget every declared endpoint and every session."""
        with self._lock:
            self._endpoints.clear()
            self._sessions.clear()
            self.declared = False

    def remove(self, name: str) -> bool:
        """Forget an endpoint; calls to it are then refused as not found."""
        return self._endpoints.pop(name, None) is not None

    def names(self) -> list[str]:
        return sorted(self._endpoints)

    def spec(self, name: str) -> EndpointSpec | None:
        """The declaration of endpoint ``name``, if it was declared."""
        return self._endpoints.get(name)

    def refusal(
        self, operation: str, params: Mapping[str, object], account_id: str
    ) -> str | None:
        """The service's message when the call names something missing.

        Only for a stub with declared endpoints: without any, every endpoint
        exists.
        """
        name = params.get("EndpointName")
        spec = self._endpoints.get(str(name))
        if spec is None:
            return f"Endpoint {name} of account {account_id} not found."
        problems = (
            spec.variant_refusal(params),
            spec.component_refusal(operation, params),
            spec.model_refusal(params),
        )
        return next((problem for problem in problems if problem), None)

    def serving_variant(self, params: Mapping[str, object]) -> str:
        """The variant that serves a call: the targeted one, else a declared one."""
        target = params.get("TargetVariant")
        if isinstance(target, str):
            return target
        if not self.declared and "SessionId" not in params:
            return DEFAULT_VARIANT
        session = self._sessions.get(str(params.get("SessionId")))
        if session is not None:
            return session.variant
        spec = self._endpoints.get(str(params.get("EndpointName")))
        return spec.variants[0] if spec is not None else DEFAULT_VARIANT

    # -- sessions -------------------------------------------------------------

    def session_refusal(
        self, operation: str, params: Mapping[str, object]
    ) -> str | None:
        """The message for a call with a session id it cannot use.

        Only for a call that names a session (``SessionId`` is present).
        """
        session_id = params["SessionId"]
        name = params.get("EndpointName")
        if session_id == NEW_SESSION:
            return _opening_refusal(operation)
        with self._lock:
            session = self._sessions.get(str(session_id))
        if session is None or session.endpoint_name != name:
            return f"Session {session_id} not found for endpoint {name}."
        if session.closed:
            return f"Session {session_id} of endpoint {name} is closed."
        if session.expires_at <= _now():
            return f"Session {session_id} of endpoint {name} has expired."
        return None

    def open_session(self, params: Mapping[str, object], ttl_seconds: float) -> Session:
        session = Session(
            session_id=str(uuid.uuid4()),
            endpoint_name=str(params["EndpointName"]),
            variant=self.serving_variant(params),
            expires_at=_now() + datetime.timedelta(seconds=ttl_seconds),
        )
        with self._lock:
            self._sessions[session.session_id] = session
        return session

    def close_session(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions[session_id]
            self._sessions[session_id] = attrs.evolve(session, closed=True)

    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions.values())


def _opening_refusal(operation: str) -> str | None:
    """Only InvokeEndpoint may open a session."""
    if operation == "InvokeEndpoint":
        return None
    return (
        f"{operation} cannot create a stateful session. Create one with "
        "InvokeEndpoint and SessionId NEW_SESSION, then use its id."
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)

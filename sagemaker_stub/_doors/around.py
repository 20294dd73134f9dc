"""The door on the clients SDKs call around an invocation: sagemaker and STS.

A mock opens an :class:`AroundDoor` on every ``sagemaker`` (control plane)
and ``sts`` client. It answers the few operations ``_engine/around.py``
answers (DescribeEndpoint, DescribeEndpointConfig, GetCallerIdentity), from
the mock's endpoint registry and account, rendered through botocore's own
parser; it refuses every other operation of those clients with
:class:`NotStubbedError`, so nothing reaches the network.
"""

from __future__ import annotations

import weakref
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel

from sagemaker_stub._engine import around
from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.request import Answer
from sagemaker_stub._errors import NotStubbedError

from .botocore import Handler, RequestDict, register, request_url
from .render import Renderer

__all__ = ["AroundDoor"]


class AroundDoor:
    """Answers a ``sagemaker`` or ``sts`` client's calls around an invocation."""

    def __init__(self, client: Any, engine: Engine) -> None:
        self._events: Any = client.meta.events
        self._client = weakref.ref(client)
        self._engine = engine
        self._service = client.meta.service_model.service_name
        self._region = client.meta.region_name
        self._renderer = Renderer(client.meta.service_model)
        event = client.meta.service_model.service_id.hyphenize()
        unique = f"sagemaker-stub-around-{id(self)}"
        self._key = unique
        self._handlers = (
            Handler(
                f"before-parameter-build.{event}.*",
                self.before_parameter_build,
                f"{unique}-params",
                "last",
            ),
            Handler(f"before-call.{event}.*", self.before_call, unique, "last"),
        )

    def open(self) -> None:
        for handler in self._handlers:
            register(self._events, handler)

    def close(self) -> None:
        for handler in self._handlers:
            self._events.unregister(
                handler.event, handler.function, unique_id=handler.unique_id
            )

    def before_parameter_build(
        self, params: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """Keep the request's parameters for ``before-call``."""
        context[self._key] = dict(params)

    def before_call(
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]]:
        """The answer, or :class:`NotStubbedError` for what is not answered."""
        answer = self.answer(model, context)
        return self._renderer.render(model, request_url(params), answer)

    def answer(self, model: OperationModel, context: Any) -> Answer:
        """The engine's answer to one call, if it is one of those answered.

        Raises:
            NotStubbedError: Any other call; nothing is sent.
        """
        api_params: dict[str, Any] = context.pop(self._key, {})
        answered = around.ANSWERED[self._service]
        if model.name not in answered:
            msg = (
                f"{self._service} {model.name} reached a client that mock() "
                f"answers, and nothing was sent: mock() answers only "
                f"{' and '.join(answered)} of the {self._service} client (the "
                "calls the SageMaker SDKs make around an invocation). To send "
                f"{self._service} calls elsewhere (moto, an account), use "
                "mock(control_plane=False)."
            )
            raise NotStubbedError(msg)
        engine = self._engine
        return around.answer(
            self._service,
            model.name,
            api_params,
            registry=engine.registry,
            region=self._region,
            account_id=engine.options.account_id,
        )

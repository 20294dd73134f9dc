"""The HTTP door: a request as the service receives it, answered by the engine.

The local server (``_server``) hands each ``POST /endpoints/{name}/...`` here.
The door reads the service's REST protocol from botocore's service model (the
operation's URI, which headers carry which parameter, which member is the
body) so that a request sent by any client, signed or not, becomes the same
:class:`~sagemaker_stub._engine.request.Request` the in-process doors build
from a botocore call, and the engine answers it with the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from sagemaker_stub._engine.engine import Engine
from sagemaker_stub._engine.request import Answer, Operation, Request

__all__ = ["HttpDoor", "region_of"]

#: An integer header's value, as the service reads one.
_INTEGER = re.compile(r"-?[0-9]{1,18}\Z")
#: The region in a SigV4 ``Authorization`` header's credential scope.
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[a-z0-9-]+)/")


def region_of(headers: Mapping[str, str]) -> str:
    """The region a signed request was signed for; us-east-1 if unsigned."""
    match = _SCOPE.search(headers.get("authorization", ""))
    return match["region"] if match else "us-east-1"


class _Route:
    """One operation's URI pattern and how its members travel."""

    def __init__(self, operation: Operation) -> None:
        model = operation.model
        self.operation = operation
        pattern = re.sub(
            r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(model.http["requestUri"])
        )
        self.pattern = re.compile(pattern + r"\Z")
        input_shape = model.input_shape
        assert input_shape is not None
        #: (member name, wire name, whether an integer) of each header member.
        self.headers: list[tuple[str, str, bool]] = []
        self.body_member: str | None = None
        for name, member in input_shape.members.items():
            location = member.serialization.get("location")
            if location == "header":
                wire = member.serialization["name"]
                self.headers.append((name, wire, member.type_name == "integer"))
            elif location is None and member.type_name == "blob":
                self.body_member = name
        self.body_required = self.body_member in input_shape.required_members


class HttpDoor:
    """Turns HTTP requests into the engine's requests, and answers them.

    Args:
        engine: What answers.
        forward: Answers a request the engine does not, given it and the
            request's headers: a recording server forwards a request its
            cassette has no recording for to the endpoint (returning None for
            the others).
    """

    def __init__(
        self,
        engine: Engine,
        forward: Callable[[Request, Mapping[str, str]], Answer | None] | None = None,
    ) -> None:
        self._engine = engine
        self._routes = [_Route(operation) for operation in engine.operations.values()]
        self._forward = forward

    def route(self, path: str) -> tuple[_Route, dict[str, str]] | None:
        """The operation a ``POST`` to ``path`` calls, and its URI parameters."""
        for route in self._routes:
            match = route.pattern.match(path)
            if match is not None:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
        return None

    def answer(
        self,
        route: _Route,
        uri_params: dict[str, str],
        headers: Mapping[str, str],
        body: bytes,
        url: str,
    ) -> Answer:
        """The engine's answer to one request (``headers`` keys lower-cased).

        Raises:
            NoResultError: Nothing is queued and defaults are off.
            SageMakerStubError: A queued result cannot answer this request.
        """
        params: dict[str, Any] = dict(uri_params)
        wire_headers: dict[str, str] = {}
        problem = None
        for name, wire, integer in route.headers:
            value = headers.get(wire.lower())
            if value is None:
                continue
            wire_headers[wire] = value
            if not integer:
                params[name] = value
            elif _INTEGER.match(value):
                params[name] = int(value)
            else:
                problem = (
                    f"Value '{value}' at '{name[0].lower()}{name[1:]}' failed to "
                    "satisfy constraint: Member must be an integer"
                )
        if route.body_member is not None and (body or route.body_required):
            params[route.body_member] = body
        request = Request(
            route.operation,
            params,
            wire_headers,
            body,
            url=url,
            region=region_of(headers),
        )
        if problem is not None:
            return self._engine.reject(request, problem)
        if self._forward is not None:
            forwarded = self._forward(request, headers)
            if forwarded is not None:
                return forwarded
        return self._engine.answer(request)

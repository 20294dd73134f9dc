"""Which recording a request matches, and what differs when none does.

A :class:`Matching` belongs to one tape. It holds each recording's request
as the cassette has it (:class:`~.._engine.identity.CassetteRequest`), and
tells the engine which identity a request is answered by: its own
(``match="identity"`` and ``"order"``, where the result book decides), or
that of the recording a custom matcher accepts. Before either, the parts the
cassette redacts (see :mod:`.redaction`) and an open session's id, which the
endpoint made up, are replaced on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping

from sagemaker_stub._engine.book import ResultBook
from sagemaker_stub._engine.identity import CassetteRequest, Identity, Kind, recorded
from sagemaker_stub._engine.registry import NEW_SESSION
from sagemaker_stub._engine.request import Operation, Request
from sagemaker_stub._options import Cassette

from .differences import nearest
from .interactions import Interaction
from .redaction import Redaction

__all__ = ["SESSION_ID", "Matching"]

#: What an open session's id is held as: the endpoint made it up, so a replay
#: (whose sessions the stub opens) sends another.
SESSION_ID = "{SessionId}"


class Matching:
    """The recordings of one cassette, as requests a request is matched to."""

    def __init__(
        self, cassette: Cassette, operations: Mapping[str, Operation], name: str
    ) -> None:
        self._redaction = Redaction(
            cassette.redact,
            {
                member
                for operation in operations.values()
                for member in operation.identity_members
            },
            name,
        )
        match = cassette.match
        self._order = match == "order"
        self._matcher = match if callable(match) else None
        #: Whether a request is matched by its own identity, as identified.
        self._plain = self._matcher is None and not self._redaction
        #: A custom matcher's choice for each request identity it matched.
        self._chosen: dict[Identity, Identity] = {}
        #: The identity of every request the cassette has a recording for.
        self.identities: set[Identity] = set()
        #: Each recording's number, request and identity.
        self._requests: list[tuple[int, CassetteRequest, Identity]] = []

    def add(
        self, number: int, interaction: Interaction, operation: Operation
    ) -> Identity:
        """Keep a recording's request; the identity it answers."""
        request = CassetteRequest(
            operation=interaction.operation,
            endpoint_name=interaction.endpoint_name,
            parameters=self._redaction.of_parameters(_held(interaction.identity)),
            body=self._redaction.of_body(interaction.body),
        )
        identity = recorded(
            operation, request.endpoint_name, request.parameters, request.body
        )
        self.identities.add(identity)
        self._requests.append((number, request, identity))
        return identity

    def sent(self, request: Request) -> CassetteRequest:
        """``request`` as the cassette holds a request: redacted."""
        operation = request.operation
        headers = request.headers
        parameters = {
            member: headers[wire]
            for member, wire in zip(
                operation.identity_members, operation.identity_headers, strict=True
            )
            if headers.get(wire) is not None
        }
        redaction = self._redaction
        return CassetteRequest(
            operation=operation.name,
            endpoint_name=request.params["EndpointName"],
            parameters=redaction.of_parameters(_held(parameters)),
            body=(
                redaction.of_body(request.body)
                if operation.kind is not Kind.ASYNC
                else b""
            ),
        )

    def match(self, request: Request, book: ResultBook[object]) -> Identity:
        """The identity ``request`` is answered by, kept on it.

        Its own, with redacted parts and an open session's id replaced; with
        a custom matcher, that of the first recording the matcher accepts
        (one still queued in ``book`` before one already used), else its own.
        """
        identity = request.identity
        assert identity is not None  # identified by the engine that asks
        if self._plain and "SessionId" not in request.params:
            return identity
        sent = self.sent(request)
        identity = recorded(
            request.operation, sent.endpoint_name, sent.parameters, sent.body
        )
        matcher = self._matcher
        if matcher is not None:
            chosen = self._chosen.get(identity)
            if chosen is None:
                accepted = [
                    own
                    for _, recording, own in self._requests
                    if matcher(recording, sent)
                ]
                chosen = next(
                    (own for own in accepted if book.has_recording(own)),
                    accepted[0] if accepted else identity,
                )
                self._chosen[identity] = chosen
            identity = chosen
        request.identity = identity
        return identity

    def differences(self, request: Request) -> list[str]:
        """How the nearest recordings differ from a request none matched.

        Nothing for a request whose own recordings were used up, or with
        ``match="order"``, where any recording would have done.
        """
        if request.identity in self.identities or self._order:
            return []
        return nearest(
            self.sent(request),
            [(number, recording) for number, recording, _ in self._requests],
        )


def _held(parameters: Mapping[str, str]) -> Mapping[str, str]:
    """Request parameters as a cassette holds them: an open session's id as
    :data:`SESSION_ID`."""
    session = parameters.get("SessionId")
    if session is None or session in (NEW_SESSION, SESSION_ID):
        return parameters
    return {**parameters, "SessionId": SESSION_ID}

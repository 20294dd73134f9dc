"""The S3 clients a stub or mock serves, and where it writes async outputs.

``attach_s3``, ``detach_s3`` and ``write_outputs_to``, offered by the stub
and by ``mock()`` (the server serves S3 over HTTP instead). Attached clients
are held weakly: a client the test lets go of is forgotten with it.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

from ._cassettes.tape import Tape
from ._doors.botocore import is_aio_client
from ._doors.s3 import S3Door, WriteThrough
from ._engine.checks import Arguments
from ._engine.outputs import AsyncOutputs
from ._errors import StubActivationError
from ._text import describe
from ._wiring import check_s3_client, s3_door_for

__all__ = ["S3Attachments"]


class S3Attachments:
    """The S3 clients attached to one stub or mock, and its write-through client."""

    def __init__(self, outputs: AsyncOutputs, tape: Tape | None = None) -> None:
        self._outputs = outputs
        self._tape = tape
        self._attached: weakref.WeakKeyDictionary[Any, S3Door] = (
            weakref.WeakKeyDictionary()
        )

    def attach_s3(
        self,
        s3_client: Any,
        *,
        buckets: Sequence[str] = (),
        pass_through: bool = False,
    ) -> None:
        """Serve async outputs (and inputs) to ``s3_client``, with no network.

        GetObject (ranged too), HeadObject, PutObject, DeleteObject and
        ListObjectsV2 on the buckets the stub owns are answered from its
        object store: the buckets of the output and failure locations it hands
        out, those given to :meth:`configure_async_output` and
        :meth:`store_input`, and ``buckets``. Every other request raises
        :class:`S3NotStubbedError`, naming the bucket and the owned ones, so
        a typo never reaches the network.

        Args:
            s3_client: A boto3, botocore or aiobotocore ``s3`` client.
            buckets: More buckets to own, e.g. where the code under test
                uploads its inputs.
            pass_through: Let the requests the stub does not answer go on to
                S3 (or to moto, LocalStack, ...) instead of refusing them.

        .. versionadded:: 0.1.0
        """
        check_s3_client("attach_s3", s3_client)
        sink = self._outputs.sink
        if isinstance(sink, WriteThrough) and sink.client is s3_client:
            msg = (
                "stub.attach_s3(): this S3 client already receives outputs through "
                "write_outputs_to(); attaching it too would answer its own writes."
            )
            raise StubActivationError(msg)
        if s3_client in self._attached:
            msg = "stub.attach_s3(): this S3 client is already attached to the stub."
            raise StubActivationError(msg)
        Arguments.buckets(buckets)
        if not isinstance(pass_through, bool):
            msg = (
                "stub.attach_s3(pass_through=...) must be True or False; "
                f"got {describe(pass_through)}."
            )
            raise TypeError(msg)
        self._outputs.own(*buckets)
        door = s3_door_for(
            s3_client, self._outputs, pass_through=pass_through, tape=self._tape
        )
        door.open()
        self._attached[s3_client] = door

    def detach_s3(self, s3_client: Any = None) -> None:
        """Stop serving ``s3_client`` (every attached client by default).

        Its event handlers are left exactly as before :meth:`attach_s3`.
        Deactivating detaches every client.
        """
        if s3_client is None:
            detached = list(self._attached.values())
            self._attached.clear()
        else:
            found = self._attached.pop(s3_client, None)
            detached = [] if found is None else [found]
        for door in detached:
            door.close()

    def write_outputs_to(self, s3_client: Any) -> None:
        """Also write each async output through a sync ``s3_client`` (PutObject).

        For tests that already run moto's S3, LocalStack or a real test
        bucket: the objects become real there. A stub-generated
        ``sagemaker-output-*`` bucket is created first if it does not exist.
        """
        check_s3_client("write_outputs_to", s3_client)
        if is_aio_client(s3_client):
            msg = (
                "stub.write_outputs_to() needs a sync S3 client: the stub writes "
                "each output as the call that makes it returns, and cannot await "
                "an aiobotocore client there. Pass a boto3 client for the same "
                'S3 (boto3.client("s3", endpoint_url=...)), or attach_s3() the '
                "async client to read outputs from the stub."
            )
            raise TypeError(msg)
        if s3_client in self._attached:
            msg = (
                "stub.write_outputs_to(): this S3 client is attached with "
                "attach_s3(), which would answer the writes itself. Use another "
                "client, or detach_s3() it first."
            )
            raise StubActivationError(msg)
        self._outputs.sink = WriteThrough(s3_client)

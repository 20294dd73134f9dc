"""The S3 door: an attached S3 client's requests answered from the object store.

``S3Door`` answers GetObject (ranged too), HeadObject, PutObject,
DeleteObject, ListObjectsV2 and HeadBucket for the buckets the stub owns
(the answers are :mod:`sagemaker_stub._engine.s3`'s), rendered through
botocore's own rest-xml parser. A mock's door (given its ``account_id``)
also owns the SageMaker SDK's default bucket and answers ListBuckets. Every
other request is refused with :class:`S3NotStubbedError`, so a typo in a
bucket name never reaches the network, unless the client was attached with
``pass_through=True``.
:class:`WriteThrough` writes async outputs through an S3 client the test
gave (``write_outputs_to``).
"""

from __future__ import annotations

import functools
import io
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel
from botocore.response import StreamingBody

from sagemaker_stub._cassettes.recording import fetcher
from sagemaker_stub._cassettes.tape import Tape
from sagemaker_stub._engine.objects import S3Object, split_s3_uri
from sagemaker_stub._engine.outputs import GENERATED_BUCKET_PREFIX, AsyncOutputs
from sagemaker_stub._engine.request import Answer
from sagemaker_stub._engine.s3 import (
    ANSWERED,
    bucket_listing,
    default_bucket,
    head_bucket,
    list_page,
    object_answer,
)
from sagemaker_stub._errors import S3NotStubbedError

from .botocore import (
    Handler,
    RequestDict,
    Section,
    is_aio_client,
    register,
    request_body,
    request_url,
)
from .render import Renderer

__all__ = ["S3Door", "WriteThrough"]

#: How many open doors answer each S3 client without delay between a
#: waiter's polls, and the lock that guards the count.
_UNDELAYED: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_UNDELAYED_LOCK = threading.Lock()


def _undelayed_wait(wait: Callable[..., Any]) -> Callable[..., Any]:
    """``wait`` with no delay between polls: the stub, not time, decides
    when an object appears (``available_after`` counts polls)."""

    @functools.wraps(wait)
    def wait_now(**kwargs: Any) -> Any:
        config = dict(kwargs.pop("WaiterConfig", None) or {})
        config["Delay"] = 0
        return wait(WaiterConfig=config, **kwargs)

    return wait_now


def _undelayed_waiters(get_waiter: Callable[[str], Any]) -> Callable[[str], Any]:
    """``client.get_waiter``, whose waiters do not sleep between polls."""

    @functools.wraps(get_waiter)
    def undelayed(waiter_name: str) -> Any:
        waiter = get_waiter(waiter_name)
        waiter.wait = _undelayed_wait(waiter.wait)
        return waiter

    return undelayed


def stop_delaying_waiters(client: Any) -> None:
    """While a door answers ``client``, its waiters poll without sleeping."""
    with _UNDELAYED_LOCK:
        count = _UNDELAYED.get(client, 0)
        if count == 0:
            client.get_waiter = _undelayed_waiters(client.get_waiter)
        _UNDELAYED[client] = count + 1


def delay_waiters_again(client: Any) -> None:
    """The door closed: once no door answers ``client``, its own
    ``get_waiter`` is back (waiters made meanwhile keep not sleeping)."""
    with _UNDELAYED_LOCK:
        count = _UNDELAYED.pop(client, 0) - 1
        if count > 0:
            _UNDELAYED[client] = count
        else:
            vars(client).pop("get_waiter", None)


class S3Door:
    """Answers an attached S3 client from an ``ObjectStore``.

    It keeps the client's events, and the client weakly. A mock's S3 door
    (``section="last"``) answers after any attached one.
    """

    def __init__(
        self,
        client: Any,
        outputs: AsyncOutputs,
        *,
        pass_through: bool,
        section: Section = "middle",
        tape: Tape | None = None,
        account_id: str | None = None,
    ) -> None:
        self._events: Any = client.meta.events
        #: A mock's account: its SageMaker SDK default bucket is owned.
        self._account_id = account_id
        self._region: str = client.meta.region_name or "us-east-1"
        self._client = weakref.ref(client)
        self._outputs = outputs
        self._store = outputs.store
        #: The tape whose async recordings wait for objects this client reads.
        self._tape = tape if tape is not None and tape.records else None
        # While a cassette records, outputs are in the real S3: let them pass.
        self._pass_through = pass_through or self._tape is not None
        self._renderer = Renderer(client.meta.service_model)
        unique = f"sagemaker-stub-s3-{id(self)}"
        handlers: tuple[Handler, ...] = (
            Handler(
                "before-parameter-build.s3.*",
                self.before_parameter_build,
                f"{unique}-params",
                section,
            ),
            Handler("before-call.s3.*", self.before_call, unique, section),
        )
        if self._tape is not None:
            handlers += (
                Handler(
                    "after-call.s3.GetObject",
                    self.after_call,
                    f"{unique}-observe",
                    section,
                ),
            )
            if not is_aio_client(client):
                self._tape.fetchers.append(fetcher(client))
        self._handlers = handlers
        #: Where the parameters wait for ``before-call``: a key of this
        #: door's, as a mock's and an attached one may see one request.
        self._key = unique

    def open(self) -> None:
        """Register the handlers on the S3 client; its waiters stop sleeping
        between polls, unless requests may reach a real S3."""
        for handler in self._handlers:
            register(self._events, handler)
        client = self._client()
        if client is not None and not self._pass_through:
            stop_delaying_waiters(client)

    def close(self) -> None:
        """Unregister exactly what :meth:`open` registered."""
        for handler in self._handlers:
            self._events.unregister(
                handler.event, handler.function, unique_id=handler.unique_id
            )
        client = self._client()
        if client is not None and not self._pass_through:
            delay_waiters_again(client)

    def before_parameter_build(
        self, model: OperationModel, params: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """Keep the request's parameters."""
        context[self._key] = dict(params)
        if (
            self._tape is not None
            and model.name == "GetObject"
            and "Range" not in params
        ):
            context[f"{self._key}-object"] = (
                f"s3://{params.get('Bucket')}/{params.get('Key')}"
            )

    def after_call(
        self, http_response: Any, parsed: dict[str, Any], context: Any, **kwargs: Any
    ) -> None:
        """GetObject's outcome: an async output being recorded appeared?"""
        uri = self.observed(http_response, context)
        if uri is not None:
            data = parsed["Body"].read()
            parsed["Body"] = StreamingBody(io.BytesIO(data), len(data))
            self.seen(uri, data, parsed)

    def observed(self, http_response: Any, context: Any) -> str | None:
        """The location a GetObject read, if an async recording awaits it."""
        uri: str | None = context.pop(f"{self._key}-object", None)
        tape = self._tape
        if tape is None or uri is None or http_response.status_code != 200:
            return None
        return uri if tape.awaits(uri) else None

    def seen(self, uri: str, data: bytes, parsed: Mapping[str, Any]) -> None:
        """Hand the object read to the tape."""
        assert self._tape is not None
        self._tape.observe(uri, data, parsed.get("ContentType") or "")

    def before_call(
        self, model: OperationModel, params: RequestDict, context: Any, **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        """An owned object's answer, or ``None`` to let the request pass."""
        answer = self.answer(model, params, context)
        if answer is None:
            return None
        return self._renderer.render(model, request_url(params), answer)

    def answer(
        self, model: OperationModel, params: RequestDict, context: Any
    ) -> Answer | None:
        """The answer to one request, or None to let it pass."""
        api_params: dict[str, Any] = context.pop(self._key, {})
        if model.name == "ListBuckets" and self._account_id is not None:
            return bucket_listing(self._outputs.owned())  # mock(s3=True)
        bucket = api_params.get("Bucket")
        account = self._account_id
        if (
            account is not None
            and isinstance(bucket, str)
            and default_bucket(bucket, account)
            and not self._outputs.owns(bucket)
        ):
            self._outputs.own(bucket)  # the SageMaker SDK's default bucket
        owned = isinstance(bucket, str) and self._outputs.owns(bucket)
        if not owned or model.name not in ANSWERED:
            if self._pass_through:
                return None
            raise S3NotStubbedError(self._refusal(model.name, bucket, owned=owned))
        assert isinstance(bucket, str)
        if model.name == "ListObjectsV2":
            return list_page(self._store, bucket, api_params)
        if model.name == "HeadBucket":
            owner = api_params.get("ExpectedBucketOwner")
            return head_bucket(self._region, owner, account)
        return object_answer(
            self._store,
            model.name,
            f"s3://{bucket}/{api_params['Key']}",
            body=request_body(params),
            content_type=api_params.get("ContentType"),
            wanted=api_params.get("Range"),
        )

    def _refusal(self, operation: str, bucket: object, *, owned: bool) -> str:
        """Why a request is refused, and the ways to serve it."""
        way_out = "or pass_through=True to send other requests on to S3."
        if not isinstance(bucket, str):
            return (
                f"S3 {operation} reached the stubbed S3 client, but it names no "
                "bucket, and the stub answers only requests for the buckets it "
                f"owns. Attach another client for it, {way_out}"
            )
        if not owned:
            known = ", ".join(repr(name) for name in self._outputs.owned())
            return (
                f"S3 {operation} on bucket {bucket!r} reached the stubbed S3 "
                "client, but the stub does not own that bucket; it owns "
                f"{known or 'no bucket yet'}. Attach with buckets=[...] to serve "
                f"more buckets, {way_out}"
            )
        return (
            f"S3 {operation} on bucket {bucket!r} reached the stubbed S3 client, "
            f"but the stub does not serve {operation}; it serves "
            f"{', '.join(ANSWERED)}. Attach another client for it, {way_out}"
        )


class WriteThrough:
    """Writes async outputs through a sync S3 client (PutObject).

    A stub-generated ``sagemaker-output-*`` bucket is created first if the
    client's S3 does not have it.
    """

    def __init__(self, s3_client: Any) -> None:
        self.client = s3_client

    def write(self, obj: S3Object) -> None:
        """PutObject ``obj`` at its URI."""
        target = self.client
        bucket, key = split_s3_uri(obj.uri, "output location")
        put = {
            "Bucket": bucket,
            "Key": key,
            "Body": obj.data,
            "ContentType": obj.content_type,
        }
        try:
            target.put_object(**put)
        except target.exceptions.NoSuchBucket:
            if not bucket.startswith(GENERATED_BUCKET_PREFIX):
                raise
            region = target.meta.region_name
            create: dict[str, Any] = {"Bucket": bucket}
            if region != "us-east-1":
                create["CreateBucketConfiguration"] = {"LocationConstraint": region}
            target.create_bucket(**create)
            target.put_object(**put)

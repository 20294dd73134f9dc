"""sagemaker_stub.mock(): every sagemaker-runtime client in the process, answered."""

from __future__ import annotations

import asyncio
import gc
import io
import json
import subprocess
import sys
import threading
import unittest
import warnings
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import NoCredentialsError
from botocore.response import StreamingBody
from botocore.stub import Stubber

import sagemaker_stub
from sagemaker_stub import (
    AsyncResult,
    ErrorResult,
    InvokeResult,
    NoResultError,
    S3NotStubbedError,
    SageMakerRuntimeMock,
    SageMakerRuntimeStub,
    SageMakerStubError,
    Source,
    StreamResult,
    StubActivationError,
    UnusedResultsWarning,
)
from sagemaker_stub._doors.botocore import registered_handler
from sagemaker_stub._doors.watches import watch_clients
from tests.conftest import new_client

#: Made when this module is imported, as an app's module-level client is.
MODULE_CLIENT = new_client(region="eu-west-1")

EVENTS = (
    "before-parameter-build.sagemaker-runtime.InvokeEndpoint",
    "before-call.sagemaker-runtime.InvokeEndpoint",
    "before-send.sagemaker-runtime.InvokeEndpoint",
    "needs-retry.sagemaker-runtime.InvokeEndpoint",
    "choose-signer.sagemaker-runtime.InvokeEndpoint",
    "before-parameter-build.s3.GetObject",
    "before-call.s3.GetObject",
)


def handlers(client: Any) -> dict[str, list[object]]:
    """The handlers a client would run for the events a stub or mock touches."""
    emitter = client.meta.events._emitter
    return {event: list(emitter._handlers.prefix_search(event)) for event in EVENTS}


def invoke(client: Any, body: bytes = b"{}", endpoint: str = "ep") -> bytes:
    data: bytes = client.invoke_endpoint(EndpointName=endpoint, Body=body)[
        "Body"
    ].read()
    return data


def test_module_level_and_new_clients_share_one_set_of_queues() -> None:
    """A client made at import and one made inside the block take results in
    turn from the same queue; each call says which client and region made it."""
    with sagemaker_stub.mock() as stub:
        assert isinstance(stub, SageMakerRuntimeMock)
        stub.queue(InvokeResult.text("first"), InvokeResult.text("second"))
        inside = new_client(region="us-west-2")
        assert invoke(MODULE_CLIENT, b"a") == b"first"
        assert invoke(inside, b"b") == b"second"
    first, second = stub.calls
    assert (first.client, first.region, first.source) == (
        MODULE_CLIENT,
        "eu-west-1",
        Source.QUEUED,
    )
    assert (second.client, second.region) == (inside, "us-west-2")


def test_results_are_remembered_per_request_across_clients() -> None:
    """The same request from another client gets the remembered result; a new
    request the next queued one (moto's rules, whichever client asks)."""
    one, two = new_client(), new_client()
    with sagemaker_stub.mock(allow_defaults=False) as stub:
        stub.queue(InvokeResult.text("A"), InvokeResult.text("B"))
        assert invoke(one, b"x") == b"A"
        assert invoke(two, b"x") == b"A"
        assert invoke(two, b"y") == b"B"
    assert [call.source for call in stub.calls] == [
        Source.QUEUED,
        Source.REMEMBERED,
        Source.QUEUED,
    ]


def test_every_operation_and_the_whole_api() -> None:
    """Async and streaming calls, errors, endpoints and outputs, on a client the
    test never hands over."""
    app = new_client()
    with sagemaker_stub.mock() as stub:
        stub.add_endpoint("ep")
        stub.queue_async(AsyncResult.success(b'{"ok": 1}'))
        stub.queue_stream(StreamResult(parts=[b"to", b"ken"]))
        stub.queue(ErrorResult.model_error(original_status_code=503))
        location = app.invoke_endpoint_async(
            EndpointName="ep", InputLocation="s3://in/x.json"
        )["OutputLocation"]
        assert stub.read_output(location) == b'{"ok": 1}'
        stream = app.invoke_endpoint_with_response_stream(EndpointName="ep", Body=b"1")
        parts = [event["PayloadPart"]["Bytes"] for event in stream["Body"]]
        assert parts == [b"to", b"ken"]
        with pytest.raises(app.exceptions.ModelError):
            invoke(app)
        with pytest.raises(app.exceptions.ValidationError):
            invoke(app, endpoint="missing")
    assert [call.operation for call in stub.calls] == [
        "InvokeEndpointAsync",
        "InvokeEndpointWithResponseStream",
        "InvokeEndpoint",
        "InvokeEndpoint",
    ]


def ours(client: Any) -> list[object]:
    """The handlers of this package among :func:`handlers`."""
    return [
        handler
        for registered in handlers(client).values()
        for handler in registered
        if module_of(handler).startswith("sagemaker_stub")
    ]


def module_of(handler: Any) -> str:
    """The module of a handler function, or of a bound method's object."""
    owner = getattr(handler, "__self__", None)
    module: str = handler.__module__ if owner is None else type(owner).__module__
    return module


def test_outside_the_block_clients_are_exactly_as_before() -> None:
    """Activation registers handlers; deactivation leaves a client made before
    the block exactly as it was, and no handler on clients made inside it. The
    retry handler the mock wrapped is botocore's again."""
    before = handlers(MODULE_CLIENT)
    with sagemaker_stub.mock(retries=True, s3=True) as stub:
        stub.queue(InvokeResult.text("r"))
        inside, s3 = new_client(), new_client("s3")
        assert ours(MODULE_CLIENT)
        assert ours(inside)
        assert ours(s3)
        assert invoke(inside) == b"r"
    assert handlers(MODULE_CLIENT) == before
    assert ours(inside) == []
    assert ours(s3) == []
    retry = registered_handler(inside.meta.events, "retry-config-sagemaker-runtime")
    assert module_of(retry).startswith("botocore")


def test_a_client_outside_the_block_behaves_as_before() -> None:
    """After the block nothing answers: this client, which has no credentials,
    fails as botocore fails it."""
    client = new_client()
    with sagemaker_stub.mock():
        pass
    with pytest.raises(NoCredentialsError):
        invoke(client)


def test_a_client_bound_stub_wins_for_its_own_client() -> None:
    """Inside mock(), a SageMakerRuntimeStub answers its client from its own
    queues; the mock answers every other client, and its own again later."""
    bound_client, other = new_client(), new_client()
    with sagemaker_stub.mock() as everywhere:
        everywhere.queue(InvokeResult.text("mock 1"), InvokeResult.text("mock 2"))
        with SageMakerRuntimeStub(bound_client) as stub:
            stub.queue(InvokeResult.text("stub"))
            assert invoke(bound_client) == b"stub"
            assert invoke(other) == b"mock 1"
        assert invoke(bound_client, b"new") == b"mock 2"
    assert [call.client for call in stub.calls] == [bound_client]
    assert [call.client for call in everywhere.calls] == [other, bound_client]


def test_a_stub_active_before_the_mock_keeps_its_client() -> None:
    """A stub activated first is left alone by a mock started later."""
    client = new_client()
    with SageMakerRuntimeStub(client) as stub:
        stub.queue(InvokeResult.text("stub"))
        with sagemaker_stub.mock(allow_defaults=False) as everywhere:
            assert invoke(client) == b"stub"
    assert everywhere.calls == []


def test_a_retrying_stub_inside_the_mock_gets_every_attempt() -> None:
    """A bound stub that answers in before-send (retries=True) is not
    pre-empted by the mock's before-call handler."""
    client = new_client()
    with (
        sagemaker_stub.mock(allow_defaults=False) as everywhere,
        SageMakerRuntimeStub(client, retries=True) as stub,
    ):
        stub.queue(ErrorResult.throttling(), InvokeResult.text("after retry"))
        assert invoke(client) == b"after retry"
    assert [call.attempt for call in stub.calls] == [1, 2]
    assert everywhere.calls == []


def test_a_botocore_stubber_inside_the_mock_answers_its_client() -> None:
    """A plain Stubber keeps working: it answers first, strictly as Stubber does."""
    client = new_client()
    with sagemaker_stub.mock(allow_defaults=False) as everywhere:
        stubber = Stubber(client)
        stubber.add_response(
            "invoke_endpoint",
            {"Body": StreamingBody(io.BytesIO(b"x"), 1), "ContentType": "t"},
        )
        with stubber:
            assert invoke(client) == b"x"
    assert everywhere.calls == []


def test_the_innermost_mock_answers_and_the_outer_one_resumes() -> None:
    """Nested mocks: the inner one answers every client until it stops, then the
    outer one answers again, clients made meanwhile included."""
    client = new_client()
    with sagemaker_stub.mock() as outer:
        outer.queue(InvokeResult.text("outer"))
        with sagemaker_stub.mock() as inner:
            inner.queue(InvokeResult.text("inner"))
            assert invoke(client) == b"inner"
            made_inside = new_client()
        assert invoke(made_inside) == b"outer"
    assert [call.client for call in inner.calls] == [client]
    assert [call.client for call in outer.calls] == [made_inside]


def test_mocks_may_stop_out_of_order() -> None:
    """Stopping the outer mock first leaves the inner one answering."""
    client = new_client()
    outer = sagemaker_stub.mock()
    inner = sagemaker_stub.mock()
    outer.activate()
    inner.activate()
    inner.queue(InvokeResult.text("inner"))
    outer.deactivate()
    assert invoke(client) == b"inner"
    inner.deactivate()
    assert not outer.active
    assert not inner.active
    outer.deactivate()  # stopping again does nothing


def test_a_client_made_in_another_thread_is_answered() -> None:
    """The mock is process-wide: a client made and called in a worker thread is
    answered from the test's queue."""
    got: list[bytes] = []
    with sagemaker_stub.mock() as stub:
        stub.queue(InvokeResult.text("from the thread"))
        worker = threading.Thread(target=lambda: got.append(invoke(new_client())))
        worker.start()
        worker.join()
    assert got == [b"from the thread"]


def test_threads_making_and_calling_clients_lose_nothing() -> None:
    """8 threads, each making its own client and calling it 25 times with
    distinct requests: every result is served exactly once."""
    count, threads = 25, 8
    with sagemaker_stub.mock(allow_defaults=False) as stub:
        stub.queue(*(InvokeResult.text(str(n)) for n in range(count * threads)))
        served: list[bytes] = []
        lock = threading.Lock()

        def work(index: int) -> None:
            client = new_client()
            for n in range(count):
                body = invoke(client, f"{index}-{n}".encode())
                with lock:
                    served.append(body)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert sorted(served) == sorted(str(n).encode() for n in range(count * threads))
    assert len(stub.calls) == count * threads
    assert stub.pending_results() == []


def test_a_client_made_while_another_thread_activates_is_answered() -> None:
    """Clients made concurrently with activation are all reached."""
    made: list[Any] = []
    stop = threading.Event()

    def make() -> None:
        while not stop.is_set():
            made.append(new_client())

    maker = threading.Thread(target=make)
    maker.start()
    try:
        with sagemaker_stub.mock() as stub:
            stub.queue(InvokeResult.text("x"))
            stop.set()
            maker.join()
            assert made
            for client in made:
                assert invoke(client) == b"x"
    finally:
        stop.set()
        maker.join()


def test_the_history_does_not_keep_clients_alive() -> None:
    """A client the code dropped is collected, call made or not; its call
    remains in the history with its region."""
    with sagemaker_stub.mock(allow_defaults=True) as stub:
        client = new_client(region="sa-east-1")
        invoke(client)
        ref = weakref.ref(client)
        del client
        gc.collect()
        assert ref() is None
    [call] = stub.calls
    assert call.client is None
    assert call.region == "sa-east-1"


def test_activating_twice_is_an_error() -> None:
    everywhere = sagemaker_stub.mock()
    with everywhere, pytest.raises(StubActivationError) as info:
        everywhere.activate()
    assert str(info.value).startswith(
        "This sagemaker_stub.mock() is already active (activated at tests/test_mock.py:"
    )
    assert str(info.value).endswith(
        "); activate it once. To answer differently in an inner block, start "
        "another mock()."
    )


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"retries": 1},
            TypeError,
            "mock(retries=...) must be True or False; got 1 (int).",
        ),
        (
            {"s3": "yes"},
            TypeError,
            "mock(s3=...) must be True or False; got 'yes' (str).",
        ),
        (
            {"account_id": "1"},
            ValueError,
            (
                "mock(account_id=...) must be a 12-digit AWS account id such as "
                "'123456789012'; got '1' (str)."
            ),
        ),
        (
            {"session_ttl_seconds": 0},
            ValueError,
            (
                "mock(session_ttl_seconds=...) must be a positive number of seconds, "
                "at most 315,360,000; got 0 (int)."
            ),
        ),
        (
            {"buckets": "bucket"},
            TypeError,
            (
                "mock(buckets=...) must be a sequence of bucket names; got 'bucket' "
                "(str). Wrap a single name in a list."
            ),
        ),
    ],
)
def test_bad_options_name_the_option(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        sagemaker_stub.mock(**options)
    assert str(info.value) == message


def test_options_are_read_only_properties() -> None:
    everywhere = sagemaker_stub.mock(s3=True, keep_bodies=True, retries=True)
    assert (everywhere.s3, everywhere.keep_bodies, everywhere.retries) == (
        True,
        True,
        True,
    )
    assert not everywhere.allow_defaults
    with pytest.raises(AttributeError):
        everywhere.retries = False  # type: ignore[misc]


def test_an_operation_the_engine_does_not_answer_is_refused() -> None:
    """A mocked client never reaches AWS: an operation the mock does not answer
    (one a newer botocore adds) fails with a message saying how to answer it."""
    client = new_client()
    with sagemaker_stub.mock() as everywhere:
        del everywhere._control.engine.operations["InvokeEndpointAsync"]
        with pytest.raises(SageMakerStubError) as info:
            client.invoke_endpoint_async(EndpointName="ep", InputLocation="s3://b/k")
    assert str(info.value) == (
        "sagemaker_stub.mock() answers InvokeEndpoint, "
        "InvokeEndpointWithResponseStream; InvokeEndpointAsync is not stubbed, and "
        "a mocked client never reaches AWS. Activate a botocore Stubber on this "
        "client to answer it."
    )


def test_retries_through_the_mock_are_answered_attempt_by_attempt() -> None:
    """With retries=True the mock answers inside the retry loop of a client made
    inside the block (its retry handler is registered after the mock's door
    opened), and records the backoff instead of sleeping it."""
    with sagemaker_stub.mock(retries=True, allow_defaults=False) as stub:
        client = new_client()
        stub.queue(ErrorResult.throttling(), InvokeResult.text("ok"))
        response = client.invoke_endpoint(EndpointName="ep", Body=b"1")
        assert response["Body"].read() == b"ok"
        assert response["ResponseMetadata"]["RetryAttempts"] == 1
    first, second = stub.calls
    assert (first.attempt, second.attempt) == (1, 2)
    assert second.backoff is not None


def test_unused_results_warn_at_exit() -> None:
    with (
        pytest.warns(UnusedResultsWarning, match="1 queued result was never used"),
        sagemaker_stub.mock() as stub,
    ):
        stub.queue(InvokeResult.text("never"))


# -- decorator ------------------------------------------------------------------

DECORATING = sagemaker_stub.mock(allow_defaults=False)


@DECORATING
def _decorated_function(client: Any) -> bytes:
    DECORATING.queue(InvokeResult.text("decorated"))
    return invoke(client)


def test_decorating_a_function_answers_while_it_runs_and_resets_after() -> None:
    client = new_client()
    assert _decorated_function(client) == b"decorated"
    assert not DECORATING.active
    assert DECORATING.calls == []
    assert _decorated_function(client) == b"decorated"  # reusable


def test_decorating_a_coroutine_function() -> None:
    everywhere = sagemaker_stub.mock()

    @everywhere
    async def run() -> bytes:
        assert everywhere.active
        everywhere.queue(InvokeResult.text("async test"))
        return invoke(new_client())

    assert asyncio.run(run()) == b"async test"
    assert not everywhere.active


def test_decorating_a_generator_function_answers_until_it_is_exhausted() -> None:
    """As a pytest fixture that yields: active from its first step to its end."""
    everywhere = sagemaker_stub.mock()

    @everywhere
    def fixture() -> Iterator[bytes]:
        everywhere.queue(InvokeResult.text("from a fixture"))
        received = yield invoke(new_client())
        assert received == "sent"
        yield invoke(new_client())  # remembered

    steps = fixture()
    assert not everywhere.active  # made, not started
    assert next(steps) == b"from a fixture"
    assert everywhere.active
    assert steps.send("sent") == b"from a fixture"
    with pytest.raises(StopIteration):
        next(steps)
    assert not everywhere.active
    assert everywhere.calls == []  # forgotten after it, as after a test


def test_decorating_an_async_generator_function_is_refused() -> None:
    async def fixture() -> AsyncIterator[None]:
        yield None

    with pytest.raises(TypeError) as info:
        sagemaker_stub.mock()(fixture)
    assert str(info.value) == (
        "mock() cannot decorate an async generator function such as "
        "test_decorating_an_async_generator_function_is_refused.<locals>.fixture: "
        "it would stop before the body runs. Use 'with mock():' inside it, around "
        "the code that calls."
    )


def test_a_decorated_function_that_raises_stops_the_mock_quietly() -> None:
    everywhere = sagemaker_stub.mock()

    @everywhere
    def fails() -> None:
        everywhere.queue(InvokeResult.text("unused"))
        raise RuntimeError

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError):
            fails()
    assert not everywhere.active
    assert everywhere.pending_results() == []


def test_decorating_a_unittest_class_covers_setup_test_and_cleanup() -> None:
    """On a TestCase class the mock is active from setUp to the cleanups, and
    starts clean for each test; leftovers warn only after a passing test."""
    everywhere = sagemaker_stub.mock(allow_defaults=False)
    seen: list[bool] = []

    @everywhere
    class AppTest(unittest.TestCase):
        def setUp(self) -> None:
            seen.append(everywhere.active)
            everywhere.queue(InvokeResult.text("from setUp"))
            self.client = new_client()

        def test_one(self) -> None:
            assert invoke(self.client) == b"from setUp"

        def test_two(self) -> None:
            assert invoke(self.client, b"other") == b"from setUp"

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(AppTest).run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert result.testsRun == 2
    assert seen == [True, True]
    assert not everywhere.active


def test_decorating_a_plain_class_wraps_its_test_methods() -> None:
    everywhere = sagemaker_stub.mock()

    @everywhere
    class TestApp:
        helper = 1

        def test_it(self) -> bool:
            return everywhere.active

    assert TestApp().test_it() is True
    assert TestApp.helper == 1


def test_decorating_something_else_is_an_error() -> None:
    with pytest.raises(TypeError) as info:
        sagemaker_stub.mock()(42)
    assert str(info.value) == (
        "mock() decorates a function, a coroutine function or a class; got 42 (int)."
    )


# -- S3 -------------------------------------------------------------------------


def test_s3_true_serves_outputs_to_s3_clients_the_test_never_sees() -> None:
    """An S3 client made by the code under test reads the async output, and runs
    its waiter; an unowned bucket fails closed."""
    app_runtime, app_s3 = new_client(), new_client("s3")
    with sagemaker_stub.mock(s3=True, buckets=["inputs"]) as stub:
        stub.queue_async(AsyncResult.success(json.dumps({"label": "cat"})))
        app_s3.put_object(Bucket="inputs", Key="x.json", Body=b"{}")
        location = app_runtime.invoke_endpoint_async(
            EndpointName="ep", InputLocation="s3://inputs/x.json"
        )["OutputLocation"]
        bucket, key = location[len("s3://") :].split("/", 1)
        app_s3.get_waiter("object_exists").wait(Bucket=bucket, Key=key)
        body = app_s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert json.loads(body) == {"label": "cat"}
        assert stub.calls[0].input_object is not None
        with pytest.raises(S3NotStubbedError, match="on bucket 'elsewhere'"):
            app_s3.get_object(Bucket="elsewhere", Key="k")


def test_without_s3_the_mock_leaves_s3_clients_alone() -> None:
    s3 = new_client("s3")
    before = handlers(s3)
    with sagemaker_stub.mock():
        assert handlers(s3) == before


def test_an_attached_s3_client_is_answered_by_its_attachment_first() -> None:
    """attach_s3(pass_through=True) inside mock(s3=True): the attachment answers
    what it owns, and the mock refuses the rest rather than reach S3."""
    s3 = new_client("s3")
    with sagemaker_stub.mock(s3=True) as everywhere:
        everywhere.attach_s3(s3, buckets=["mine"], pass_through=True)
        s3.put_object(Bucket="mine", Key="k", Body=b"v")
        assert s3.get_object(Bucket="mine", Key="k")["Body"].read() == b"v"
        with pytest.raises(S3NotStubbedError):
            s3.get_object(Bucket="other", Key="k")


def test_writing_through_is_refused_while_s3_clients_are_answered() -> None:
    with (
        sagemaker_stub.mock(s3=True) as everywhere,
        pytest.raises(StubActivationError) as info,
    ):
        everywhere.write_outputs_to(new_client("s3"))
    assert str(info.value) == (
        "write_outputs_to() cannot write through an S3 client while mock(s3=True) "
        "answers every S3 client itself. Read outputs through any S3 client "
        "instead, or use mock() without s3=True."
    )


def test_without_s3_outputs_can_be_written_through() -> None:
    """mock() without s3=True writes outputs through a real (here: moto) S3."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        # moto registers itself on sessions made after it was imported, and
        # puts credentials in the environment, which a session keeps: this
        # test's clients are on a session of their own.
        session = boto3.session.Session(region_name="us-east-1")
        s3 = session.client("s3")
        with sagemaker_stub.mock() as everywhere:
            everywhere.write_outputs_to(s3)
            everywhere.queue_async(AsyncResult.success(b"written"))
            location = session.client("sagemaker-runtime").invoke_endpoint_async(
                EndpointName="ep", InputLocation="s3://in/k"
            )["OutputLocation"]
        bucket, key = location[len("s3://") :].split("/", 1)
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"written"


# -- clients made before the import ------------------------------------------------

BEFORE_IMPORT = """
import boto3
# No keys, and none anywhere: the app's module-level client, made first.
early = boto3.client("sagemaker-runtime", region_name="us-east-1")
other = boto3.client("sagemaker-runtime", region_name="eu-west-1")
import sagemaker_stub
from sagemaker_stub import InvokeResult, SageMakerRuntimeStub
with sagemaker_stub.mock() as stub:
    stub.queue(InvokeResult.text("early"))
    print(early.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read())
    with SageMakerRuntimeStub(other) as bound:
        bound.queue(InvokeResult.text("bound"))
        print(other.invoke_endpoint(EndpointName="e", Body=b"1")["Body"].read())
    stub.queue(InvokeResult.text("mocked again"))
    print(other.invoke_endpoint(EndpointName="e", Body=b"2")["Body"].read())
print([(call.client is early, call.region) for call in stub.calls])
try:
    early.invoke_endpoint(EndpointName="e", Body=b"1")
except Exception as error:
    print(type(error).__name__)
"""


def test_a_client_made_before_the_import_is_answered_from_its_first_call() -> None:
    """mock() reaches a client made before sagemaker_stub was imported (at its
    first call); a stub bound to one still wins; after the mock it is as it was."""
    done = subprocess.run(
        [sys.executable, "-c", BEFORE_IMPORT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == [
        "b'early'",
        "b'bound'",
        "b'mocked again'",
        "[(True, 'us-east-1'), (False, 'eu-west-1')]",
        NoCredentialsError.__name__,
    ]


def test_a_client_with_its_own_endpoint_and_config_is_answered() -> None:
    """Client options (endpoint_url, timeouts, retry mode) do not matter."""
    with sagemaker_stub.mock() as stub:
        configured = boto3.session.Session().client(
            "sagemaker-runtime",
            region_name="us-east-1",
            endpoint_url="http://localhost:1",
            config=Config(read_timeout=1, retries={"mode": "standard"}),
        )
        stub.queue(InvokeResult.text("ok"))
        assert invoke(configured) == b"ok"


def test_clients_of_other_services_are_never_touched() -> None:
    """A DynamoDB client made while a mock (with s3=True) is active gets no
    handler of this package."""
    with sagemaker_stub.mock(s3=True):
        dynamodb = new_client("dynamodb")
        emitter = dynamodb.meta.events._emitter
        for event in ("before-parameter-build", "before-call", "before-send"):
            registered = emitter._handlers.prefix_search(f"{event}.dynamodb.GetItem")
            assert not [h for h in registered if module_of(h).startswith("sagemaker")]


def test_client_creation_is_watched_once() -> None:
    """Watching again (the package imported twice) wraps nothing more."""
    wrapped = BaseClient.__init__
    watch_clients(lambda client: None)
    assert BaseClient.__init__ is wrapped


def test_the_buckets_given_to_mock_stay_owned_across_decorated_tests() -> None:
    """reset() after each decorated test keeps buckets=[...]: they are options."""
    everywhere = sagemaker_stub.mock(s3=True, buckets=["inputs"])

    @everywhere
    def upload() -> bytes:
        s3 = new_client("s3")
        s3.put_object(Bucket="inputs", Key="k", Body=b"v")
        data: bytes = s3.get_object(Bucket="inputs", Key="k")["Body"].read()
        return data

    assert upload() == b"v"
    assert upload() == b"v"


@sagemaker_stub.mock
def _decorated_bare() -> str:
    with pytest.raises(NoResultError) as info:
        invoke(new_client())
    return str(info.value)


def test_mock_decorates_without_parentheses() -> None:
    """@mock, as moto's @mock_aws: the mock answers in the body, failing closed
    (without it, the client would look for credentials instead)."""
    assert _decorated_bare().startswith(
        "No result is queued for InvokeEndpoint on endpoint 'ep'."
    )


def test_mock_refuses_a_positional_that_is_not_a_test() -> None:
    with pytest.raises(TypeError) as info:
        sagemaker_stub.mock("s3")
    assert str(info.value) == (
        "mock() decorates a function, a coroutine function or a class; got 's3' (str)."
    )

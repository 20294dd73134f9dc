"""The engine: the service's semantics, apart from any client.

A door hands it a :class:`~.request.Request`; it answers with an
:class:`~.request.Answer` and logs one :class:`~.calls.Call`. It reads
botocore's service model and nothing else of botocore: no client, event
emitter or hook. It imports nothing from the doors, the cassettes, the server
or the facades (tests/test_architecture.py).
"""

"""The local server: the engine over HTTP.

Connections and HTTP/1.1 (``http``), where each request goes (``routes``),
the JSON control API (``control``) and, while a cassette records, the
clients that forward calls to the endpoint (``upstream``). The public
:func:`sagemaker_stub.serve` is in ``sagemaker_stub._serve``.
"""

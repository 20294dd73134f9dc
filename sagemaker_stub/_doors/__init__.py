"""The doors: each adapts one kind of caller to the engine.

botocore clients (``call``, and ``send`` with ``retries=True``), aiobotocore
clients (``aio``), S3 clients (``s3``), every client in the process
(``clients``, the process-wide hook that ``mock()`` uses) and HTTP requests
(``http``, for the local server). Every private detail of botocore and
aiobotocore they rely on is in ``botocore`` and ``aiobotocore``.
"""

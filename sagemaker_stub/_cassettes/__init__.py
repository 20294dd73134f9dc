"""Cassettes: recordings of a real endpoint, replayed with moto's rules.

The file format (``interactions``, ``file``), a cassette in use by one engine
(``tape``), the outcomes of sent calls read as results (``outcomes``) and
the recording side of the doors (``recording``). Which recording answers a
request is :mod:`sagemaker_stub._engine.identity`'s decision.
"""

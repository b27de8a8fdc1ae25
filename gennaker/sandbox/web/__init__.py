"""The HTTP face of the sandbox: transport (threaded HTTP/1.1 server), routing, request bodies and the
per-verb resource handlers. Everything below speaks :class:`~gennaker.sandbox.web.types.Request` and
:class:`~gennaker.sandbox.web.types.Response`, so the transport could be swapped without touching them.
"""

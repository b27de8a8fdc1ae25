"""The ``gennaker`` command: ``server``, ``worker``, ``demo``, ``sandbox`` and a client for the API."""

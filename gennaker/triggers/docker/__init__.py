"""Docker Registry v2: the client, the tag poller behind the docker trigger, an image pusher and a local
registry runner for tests and demos."""

"""The web UI, served by the same process from the same API that the CLI uses."""

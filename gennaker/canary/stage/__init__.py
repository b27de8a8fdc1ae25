"""The ``kayentaCanary`` stage (Orca's orca-kayenta): :mod:`.context` reads the stage JSON, :mod:`.plan` makes
the interval plan, :mod:`.tasks` runs one judgement per interval and aggregates the scores, :mod:`.definition`
builds the stage types and registers them (entry point ``gennaker.stages``)."""

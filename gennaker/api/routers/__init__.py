"""One router per resource; each translates HTTP to ``PipelineService`` calls and nothing more."""

"""Manifest operations of a deploy, in Spinnaker's order: parse, plan (priority, artifact binding,
versioning, reference rewriting, moniker and traffic annotations), select targets, apply."""

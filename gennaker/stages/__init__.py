"""Core stage types, one module each (wait, manualJudgment, checkPreconditions, evaluateVariables,
webhook, pipeline), each registered by type in the stage registry that the engine consults. Providers
register their own stage types through the same registry.
"""

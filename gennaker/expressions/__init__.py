"""A sandboxed evaluator for Spinnaker's ``${ ... }`` expressions (a SpEL subset). Never Python
``eval``; an expression reaches only the data it is given. A leaf: imports no other gennaker package.

Public API (the contract with the engine; see docs/expressions.md)::

    evaluator = ExpressionEvaluator(url_fetcher=None)          # None: the real httpx fetcher
    ctx = EvaluationContext(roots={...}, execution={...}, current_stage_id="...")
    result = evaluator.evaluate_object(stage_context, ctx)      # never raises
    result.value, result.summary, result.failed
    evaluator.evaluate_expression("trigger.parameters.env == 'prod'", ctx)   # raises ExpressionError
    evaluator.evaluate_template("v${trigger.buildNumber}", ctx)             # raises ExpressionError

Module map: ``template`` (``${}`` splitting) -> ``lexer``/``parser`` (text to ``nodes``) ->
``interpreter`` (nodes to closures; SpEL semantics) using ``javasem`` (Java value semantics),
``methods`` (String/List/Map methods), ``javatypes``/``javatime``/``javadateformat``/``javaobjects``
(the allow-listed ``T()`` types), ``regexes`` (time-bounded Java regexes), ``helpers*``
(``#functions``), ``fetcher`` (the URL adapter), ``plain`` (JSON/YAML in and out), ``state`` (budgets),
``evaluator`` (the API).
"""

from gennaker.expressions.errors import ExpressionError
from gennaker.expressions.evaluator import EvaluationContext, EvaluationResult, ExpressionEvaluator
from gennaker.expressions.fetcher import HttpxUrlFetcher, UrlFetcher, UrlFetchError
from gennaker.expressions.helpers import HELPERS

__all__ = [
    "HELPERS",
    "EvaluationContext",
    "EvaluationResult",
    "ExpressionError",
    "ExpressionEvaluator",
    "HttpxUrlFetcher",
    "UrlFetchError",
    "UrlFetcher",
]

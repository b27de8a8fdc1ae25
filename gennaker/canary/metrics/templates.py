"""Custom filter templates: choosing the template of a metric and expanding its ``${variables}``.

Who calls it: metric sources (Prometheus here; Datadog and the HTTP/JSON source next) while building a query.
This is Kayenta's ``QueryConfigUtils.expandCustomFilter`` with Apache Commons Text's ``StringSubstitutor``
rules:

* ``customInlineTemplate`` wins over ``customFilterTemplate`` (a key of the config's ``templates``); neither
  given means no custom filter. The deprecated ``customFilter`` is an error.
* Stored configs escape ``${`` as ``$\\{``; both spellings are accepted.
* Bindings, later ones overriding earlier: the scope's ``project``, ``resourceType``, ``scope``, ``location``
  (non-empty ones), then the query's own ``resourceType``, then every ``extendedScopeParams`` entry, then any
  extra bindings the source adds.
* ``${name}`` is replaced; ``${name:-default}`` falls back to ``default``; ``$${name}`` is a literal
  ``${name}``; values are expanded again (a cycle is an error); an undefined variable is an error that names
  it, the metric, and the variables that were defined.

Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from gennaker.canary.config import CanaryConfig
from gennaker.canary.errors import QueryBuildError
from gennaker.canary.queries import CanaryMetricSetQueryConfig
from gennaker.canary.scope import CanaryScope

BASE_SCOPE_ATTRIBUTES = ("project", "resourceType", "scope", "location")
_MAX_DEPTH = 32


class TemplateError(ValueError):
    """A template references an undefined variable or expands into itself."""

    def __init__(self, message: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.variable = variable


def unescape_template(template: str) -> str:
    return template.replace("$\\{", "${")


def _expand(text: str, bindings: Mapping[str, str], active: tuple[str, ...]) -> str:
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("$${", i):
            out.append("${")
            i += 3
            continue
        if text.startswith("${", i):
            close = text.find("}", i + 2)
            if close < 0:
                out.append(text[i:])
                break
            expression = text[i + 2 : close]
            name, has_default, default = expression.partition(":-")
            if name in active:
                chain = " -> ".join((*active, name))
                raise TemplateError(f"variable {name!r} refers to itself ({chain})", name)
            if name in bindings:
                if len(active) >= _MAX_DEPTH:
                    raise TemplateError(f"variables nest deeper than {_MAX_DEPTH} levels", name)
                out.append(_expand(bindings[name], bindings, (*active, name)))
            elif has_default:
                out.append(_expand(default, bindings, active))
            else:
                raise TemplateError(f"undefined variable {name!r}", name)
            i = close + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def expand_template(template: str, bindings: Mapping[str, str]) -> str:
    """Expand ``${...}`` in ``template`` (after un-escaping ``$\\{``). Raises :class:`TemplateError`."""
    return _expand(unescape_template(template), bindings, ())


def template_bindings(
    scope: CanaryScope,
    query: CanaryMetricSetQueryConfig,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The variables a template may use, in Kayenta's order of precedence (later wins)."""
    bindings: dict[str, str] = {}
    scope_values = {
        "project": scope.project,
        "resourceType": scope.resource_type,
        "scope": scope.scope,
        "location": scope.location,
    }
    for attribute in BASE_SCOPE_ATTRIBUTES:
        value = scope_values[attribute]
        if value:
            bindings[attribute] = value
    query_resource_type = getattr(query, "resource_type", None)
    if isinstance(query_resource_type, str) and query_resource_type:
        bindings["resourceType"] = query_resource_type
    bindings.update(scope.extended_scope_params)
    if extra:
        bindings.update(extra)
    return bindings


def selected_template(
    config: CanaryConfig, metric_name: str, query: CanaryMetricSetQueryConfig
) -> str | None:
    """The template text to expand for this query, or None when it has no custom filter."""
    if query.custom_filter is not None:
        raise QueryBuildError(
            f"metric {metric_name!r}: query.customFilter is deprecated, use customInlineTemplate instead"
        )
    if query.custom_inline_template:
        return query.custom_inline_template
    name = query.custom_filter_template
    if not name:
        return None
    templates = config.templates or {}
    if not templates:
        raise QueryBuildError(
            f"metric {metric_name!r}: custom filter template {name!r} was referenced, "
            "but no templates were defined"
        )
    if name not in templates:
        raise QueryBuildError(f"metric {metric_name!r}: custom filter template {name!r} was not found")
    return templates[name]


def expand_custom_filter(
    config: CanaryConfig,
    metric_name: str,
    query: CanaryMetricSetQueryConfig,
    scope: CanaryScope,
    extra_bindings: Mapping[str, str] | None = None,
) -> str | None:
    """The expanded custom filter of a metric's query for this scope (None when the query has none)."""
    template = selected_template(config, metric_name, query)
    if template is None:
        return None
    bindings = template_bindings(scope, query, extra_bindings)
    try:
        return expand_template(template, bindings)
    except TemplateError as error:
        defined = ", ".join(sorted(bindings)) or "none"
        raise QueryBuildError(
            f"metric {metric_name!r}: template {unescape_template(template)!r}: {error} (defined: {defined})"
        ) from error

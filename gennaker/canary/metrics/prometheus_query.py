"""Building a Prometheus range query for a canary metric, exactly as Kayenta's ``PrometheusMetricsService``.

Who calls it: :mod:`gennaker.canary.metrics.prometheus` (the ``prometheus`` metric source); tests replay
Kayenta's ``PrometheusMetricsServiceSpec``.

1. The query's custom filter is expanded (:func:`~gennaker.canary.metrics.templates.expand_custom_filter`).
2. If it starts with ``PromQL:``, the rest is the whole query.
3. Otherwise: ``avg(<metricName>{<filters>})`` plus `` by (<groupByFields>)`` when given. With a custom
   filter, the filters are the filter split on ``,`` followed by ``labelBindings``. Without one, a resource
   type is required (the query's, else the scope's ``extendedScopeParams.resourceType``) and the filters are
   ``labelBindings`` followed by:

   * ``gce_instance``: ``<scopeLabel>=~"<scope>-.{4}"`` (when a scope is given) and
     ``zone=~".+/[projects/<project>/]zones/<location>-.{1}"``;
   * ``aws_ec2_instance``: ``asg_groupName="<scope>"`` (when given) and ``zone=~"<location>.{1}"``;
   * anything else is an error, and so is a missing location for those two.

``scopeLabel`` is an account setting (default ``instance``). Pure functions.
"""

from __future__ import annotations

from gennaker.canary.config import CanaryConfig
from gennaker.canary.errors import QueryBuildError
from gennaker.canary.metrics.templates import expand_custom_filter
from gennaker.canary.queries import PrometheusQueryConfig
from gennaker.canary.scope import CanaryScope

PROMQL_PREFIX = "PromQL:"
DEFAULT_SCOPE_LABEL = "instance"


def _java_split(text: str, separator: str) -> list[str]:
    """``String.split`` semantics: trailing empty strings are dropped."""
    parts = text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _gce_filters(metric: str, scope_label: str, scope: CanaryScope) -> list[str]:
    if not scope.location:
        raise QueryBuildError(
            f"metric {metric!r}: Location (i.e. region) is required when resourceType is 'gce_instance'."
        )
    filters = []
    if scope.scope:
        filters.append(f'{scope_label}=~"{scope.scope}-.{{4}}"')
    zone = ".+/"
    if scope.project:
        zone += f"projects/{scope.project}/"
    zone += f"zones/{scope.location}-.{{1}}"
    filters.append(f'zone=~"{zone}"')
    return filters


def _ec2_filters(metric: str, scope: CanaryScope) -> list[str]:
    if not scope.location:
        raise QueryBuildError(
            f"metric {metric!r}: Location (i.e. region) is required when resourceType is 'aws_ec2_instance'."
        )
    filters = []
    if scope.scope:
        filters.append(f'asg_groupName="{scope.scope}"')
    filters.append(f'zone=~"{scope.location}.{{1}}"')
    return filters


def build_prometheus_query(
    config: CanaryConfig,
    metric_name: str,
    query: PrometheusQueryConfig,
    scope: CanaryScope,
    *,
    scope_label: str = DEFAULT_SCOPE_LABEL,
) -> str:
    """The PromQL expression Kayenta would send for this metric and scope."""
    resource_type = query.resource_type or scope.resource_type
    custom_filter = expand_custom_filter(config, metric_name, query, scope)
    if custom_filter and custom_filter.startswith(PROMQL_PREFIX):
        return custom_filter[len(PROMQL_PREFIX) :]
    if not query.metric_name:
        raise QueryBuildError(
            f"metric {metric_name!r}: query.metricName is required unless the template starts with 'PromQL:'"
        )
    filters = list(query.label_bindings or [])
    if not custom_filter:
        if resource_type == "gce_instance":
            filters += _gce_filters(metric_name, scope_label, scope)
        elif resource_type == "aws_ec2_instance":
            filters += _ec2_filters(metric_name, scope)
        elif resource_type:
            raise QueryBuildError(
                f"metric {metric_name!r}: There is no explicit support for resourceType '{resource_type}'. "
                "You may build whatever query makes sense for your environment via label bindings and "
                "custom filter templates."
            )
        else:
            raise QueryBuildError(
                f"metric {metric_name!r}: Either a resource type or a custom filter is required."
            )
    else:
        filters = _java_split(custom_filter, ",") + filters
    selector = query.metric_name + ("{" + ",".join(filters) + "}" if filters else "")
    promql = f"avg({selector})"
    if query.group_by_fields:
        promql += " by (" + ",".join(query.group_by_fields) + ")"
    return promql

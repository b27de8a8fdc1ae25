"""Kayenta's PrometheusMetricsServiceSpec ("Can dry-run query generation"), replayed, plus the error cases."""

from __future__ import annotations

from typing import Any

import pytest

from gennaker.canary.config import CanaryConfig
from gennaker.canary.errors import QueryBuildError
from gennaker.canary.metrics.prometheus_query import build_prometheus_query
from gennaker.canary.queries import PrometheusQueryConfig
from gennaker.canary.scope import CanaryScope

TEMPLATES = {"someTemplate": "some-label=${scope}", "anotherTemplate": "my-server-group=${scope}"}


def build(
    label_bindings: list[str] | None,
    custom_filter_template: str | None,
    custom_inline_template: str | None,
    resource_type: str | None,
    scope: str | None,
    extended_scope_params: dict[str, Any] | None,
    **scope_fields: Any,
) -> str:
    query = PrometheusQueryConfig.model_validate(
        {
            "type": "prometheus",
            "resourceType": resource_type,
            "metricName": "some-metric-name",
            "labelBindings": label_bindings,
            "customFilterTemplate": custom_filter_template,
            "customInlineTemplate": custom_inline_template,
        }
    )
    config = CanaryConfig.model_validate({"templates": TEMPLATES})
    canary_scope = CanaryScope.model_validate(
        {
            "scope": scope,
            "location": "us-central1",
            "extendedScopeParams": extended_scope_params or {},
            **scope_fields,
        }
    )
    return build_prometheus_query(config, "m", query, canary_scope, scope_label="instance")


HISTOGRAM = 'histogram_quantile(0.5, prometheus_http_response_size_bytes_bucket{instance="localhost:9090",handler="/graph"})'  # noqa: E501


@pytest.mark.parametrize(
    ("label_bindings", "custom_filter_template", "custom_inline_template", "resource_type", "scope", "params", "expected"),  # noqa: E501
    [
        # Rely on paved-road composition of queries.
        (["a=b"], None, None, "gce_instance", "some-server-group", None,
         'avg(some-metric-name{a=b,instance=~"some-server-group-.{4}",zone=~".+/zones/us-central1-.{1}"})'),
        (["a=b"], None, "", "gce_instance", "some-server-group", None,
         'avg(some-metric-name{a=b,instance=~"some-server-group-.{4}",zone=~".+/zones/us-central1-.{1}"})'),
        (["a=b"], None, None, "aws_ec2_instance", "some-server-group", None,
         'avg(some-metric-name{a=b,asg_groupName="some-server-group",zone=~"us-central1.{1}"})'),
        (["a=b"], None, "", "aws_ec2_instance", "some-server-group", None,
         'avg(some-metric-name{a=b,asg_groupName="some-server-group",zone=~"us-central1.{1}"})'),
        # Rely on custom filters and custom filter templates.
        (["a=b"], "someTemplate", None, "gce_instance", "some-app-canary", None,
         "avg(some-metric-name{some-label=some-app-canary,a=b})"),
        (["a=b"], "someTemplate", "customFilter=something,andSomething=else", "gce_instance", None, None,
         "avg(some-metric-name{customFilter=something,andSomething=else,a=b})"),
        (["a=b"], None, "customFilter=something,andSomething=else", "gce_instance", None, None,
         "avg(some-metric-name{customFilter=something,andSomething=else,a=b})"),
        (["a=b"], None, "customFilter=something,andSomething=else", "aws_ec2_instance", None, None,
         "avg(some-metric-name{customFilter=something,andSomething=else,a=b})"),
        (["a=b"], None, "customFilter=something,andSomething=else", "anything_else", None, None,
         "avg(some-metric-name{customFilter=something,andSomething=else,a=b})"),
        (["a=b"], "anotherTemplate", None, None, "some-baseline", None,
         "avg(some-metric-name{my-server-group=some-baseline,a=b})"),
        (["a=b"], "anotherTemplate", None, "", "some-canary", None,
         "avg(some-metric-name{my-server-group=some-canary,a=b})"),
        # Provide fully-specified PromQL expressions (including template expansion).
        (None, None, "PromQL:" + HISTOGRAM, None, None, None, HISTOGRAM),
        (None, None, 'PromQL:histogram_quantile(0.5, prometheus_http_response_size_bytes_bucket{instance="localhost:9090",handler="${scope}"})',  # noqa: E501
         None, "/graph", None, HISTOGRAM),
        (None, None, 'PromQL:histogram_quantile(${quantile}, prometheus_http_response_size_bytes_bucket{instance="localhost:9090",handler="${scope}"})',  # noqa: E501
         None, "/graph", {"quantile": 0.99}, HISTOGRAM.replace("0.5", "0.99")),
    ],
)  # fmt: skip
def test_can_dry_run_query_generation(
    label_bindings: list[str] | None,
    custom_filter_template: str | None,
    custom_inline_template: str | None,
    resource_type: str | None,
    scope: str | None,
    params: dict[str, Any] | None,
    expected: str,
) -> None:
    assert (
        build(label_bindings, custom_filter_template, custom_inline_template, resource_type, scope, params)
        == expected
    )


def test_group_by_fields() -> None:
    query = PrometheusQueryConfig.model_validate(
        {"type": "prometheus", "metricName": "rps", "customInlineTemplate": 'pod=~"${scope}.*"',
         "groupByFields": ["pod", "code"]}
    )  # fmt: skip
    promql = build_prometheus_query(CanaryConfig(), "rps", query, CanaryScope(scope="web-canary"))
    assert promql == 'avg(rps{pod=~"web-canary.*"}) by (pod,code)'


def test_gce_project_and_scope_label_come_from_scope_and_account() -> None:
    query = PrometheusQueryConfig.model_validate({"type": "prometheus", "metricName": "cpu"})
    scope = CanaryScope.model_validate(
        {"scope": "sg-v001", "location": "europe-west1",
         "extendedScopeParams": {"project": "proj-1", "resourceType": "gce_instance"}}
    )  # fmt: skip
    promql = build_prometheus_query(CanaryConfig(), "cpu", query, scope, scope_label="server_group")
    assert (
        promql == 'avg(cpu{server_group=~"sg-v001-.{4}",zone=~".+/projects/proj-1/zones/europe-west1-.{1}"})'
    )


def test_escaped_template_from_storage_is_accepted() -> None:
    query = PrometheusQueryConfig.model_validate(
        {"type": "prometheus", "customInlineTemplate": 'PromQL:up{job="$\\{scope}"}'}
    )
    assert build_prometheus_query(CanaryConfig(), "up", query, CanaryScope(scope="web")) == 'up{job="web"}'


def test_trailing_commas_in_a_filter_are_dropped_like_java_split() -> None:
    query = PrometheusQueryConfig.model_validate(
        {"type": "prometheus", "metricName": "m", "customInlineTemplate": "a=b,,c=d,,"}
    )
    assert build_prometheus_query(CanaryConfig(), "m", query, CanaryScope()) == "avg(m{a=b,,c=d})"


def test_no_filters_at_all_gives_a_bare_selector() -> None:
    query = PrometheusQueryConfig.model_validate(
        {"type": "prometheus", "metricName": "m", "resourceType": "aws_ec2_instance"}
    )
    scope = CanaryScope(location="us-east-1")
    assert build_prometheus_query(CanaryConfig(), "m", query, scope) == 'avg(m{zone=~"us-east-1.{1}"})'


@pytest.mark.parametrize(
    ("query", "scope", "message"),
    [
        ({"metricName": "m"}, {"scope": "s"}, "Either a resource type or a custom filter is required"),
        ({"metricName": "m", "resourceType": "k8s_pod"}, {"scope": "s"}, "no explicit support for resourceType 'k8s_pod'"),  # noqa: E501
        ({"metricName": "m", "resourceType": "gce_instance"}, {"scope": "s", "location": None},
         r"Location \(i\.e\. region\) is required when resourceType is 'gce_instance'"),
        ({"metricName": "m", "resourceType": "aws_ec2_instance"}, {"scope": "s", "location": ""},
         r"Location \(i\.e\. region\) is required when resourceType is 'aws_ec2_instance'"),
        ({"customInlineTemplate": "job=x"}, {}, "query.metricName is required"),
        ({"metricName": "m", "customInlineTemplate": "q=${quantile}"}, {"scope": "s"},
         r"metric 'm': template 'q=\$\{quantile\}': undefined variable 'quantile' \(defined: location, scope\)"),  # noqa: E501
        ({"metricName": "m", "customFilterTemplate": "missing"}, {}, "custom filter template 'missing' was referenced"),  # noqa: E501
        ({"metricName": "m", "customFilter": "a=b"}, {}, "customFilter is deprecated"),
    ],
)  # fmt: skip
def test_errors_name_the_metric_and_the_problem(
    query: dict[str, Any], scope: dict[str, Any], message: str
) -> None:
    model = PrometheusQueryConfig.model_validate({"type": "prometheus", **query})
    canary_scope = CanaryScope.model_validate({"location": "us-central1", **scope})
    with pytest.raises(QueryBuildError, match=message):
        build_prometheus_query(CanaryConfig(), "m", model, canary_scope)

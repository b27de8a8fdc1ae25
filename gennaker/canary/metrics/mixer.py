"""Pairing control and experiment metric sets into ``MetricSetPair`` s, exactly as Kayenta's
``MetricSetMixerService``.

Who calls it: the canary run (after every metric source has answered for both scopes) before handing the pairs
to the judge; tests replay Kayenta's ``MetricSetMixerServiceSpec``.

Rules (Kayenta's):

* Per configured metric, the control and experiment sets with that name are taken. Neither list may be empty
  (a source always returns at least one, possibly empty, set). If both sides carry tag keys, the key sets must
  be equal.
* Pairs match on *identical* tag maps. If one side has an untagged set (the placeholder a source returns when
  it found nothing) and the other side only tagged sets, every tagged set is paired with a NaN-filled copy of
  the placeholder. Otherwise every tag map seen on either side gets a pair, and a side without that tag map
  gets a NaN-filled set. So series whose labels differ between scopes are each judged against NaNs (Kayenta
  #738).
* A NaN-filled set has ``(end - start) / step`` points (none when the step is unknown), and any side shorter
  than that is padded with NaN up to it.

Pure functions; pair ids come from ``new_id`` (random UUIDs by default, as Kayenta).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Sequence

from gennaker.canary.errors import MetricDataError
from gennaker.canary.metrics.model import MetricSet, MetricSetPair, MetricSetScope


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _padded(metric_set: MetricSet) -> list[float]:
    values = list(metric_set.values)
    expected = metric_set.expected_data_points()
    if expected > len(values):
        values.extend([math.nan] * (expected - len(values)))
    return values


def _scope(metric_set: MetricSet) -> MetricSetScope:
    return MetricSetScope(
        startTimeIso=metric_set.start_time_iso,
        startTimeMillis=metric_set.start_time_millis,
        stepMillis=metric_set.step_millis,
    )


def mix_one(
    control: MetricSet, experiment: MetricSet, *, new_id: Callable[[], str] = _new_uuid
) -> MetricSetPair:
    """One pair from two sets with the same name and tags, NaN-padded to the expected length."""
    if not control.name:
        raise MetricDataError("Control metric set name was not set.")
    if not experiment.name:
        raise MetricDataError("Experiment metric set name was not set.")
    if control.name != experiment.name:
        raise MetricDataError(
            f"Control metric set name {control.name!r} does not match experiment metric set name "
            f"{experiment.name!r}."
        )
    if control.tags != experiment.tags:
        raise MetricDataError(
            f"Control metric set tags {control.tags} do not match "
            f"experiment metric set tags {experiment.tags}."
        )
    attributes: dict[str, dict[str, str]] = {}
    if control.attributes is not None:
        attributes["control"] = dict(control.attributes)
    if experiment.attributes is not None:
        attributes["experiment"] = dict(experiment.attributes)
    return MetricSetPair(
        name=control.name,
        id=new_id(),
        tags=dict(control.tags),
        values={"control": _padded(control), "experiment": _padded(experiment)},
        scopes={"control": _scope(control), "experiment": _scope(experiment)},
        attributes=attributes,
    )


def _nan_template(template: MetricSet, tags: dict[str, str]) -> MetricSet:
    return MetricSet(
        name=template.name,
        tags=dict(tags),
        values=[math.nan] * template.expected_data_points(),
        startTimeMillis=template.start_time_millis,
        startTimeIso=template.start_time_iso,
        endTimeMillis=template.end_time_millis,
        endTimeIso=template.end_time_iso,
        stepMillis=template.step_millis,
        attributes=template.attributes,
    )


def _distinct_tag_maps(sets: Iterable[MetricSet]) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []
    for metric_set in sets:
        if metric_set.tags not in seen:
            seen.append(dict(metric_set.tags))
    return seen


def mix_one_metric(
    controls: Sequence[MetricSet],
    experiments: Sequence[MetricSet],
    *,
    new_id: Callable[[], str] = _new_uuid,
) -> list[MetricSetPair]:
    """All pairs of one metric, matching series by identical tag maps."""
    control_tags = _distinct_tag_maps(controls)
    experiment_tags = _distinct_tag_maps(experiments)
    control_untagged = {} in control_tags
    experiment_untagged = {} in experiment_tags
    control_template = controls[0]
    experiment_template = experiments[0]
    pairs: list[MetricSetPair] = []
    if control_untagged and not experiment_untagged:
        for experiment in experiments:
            pairs.append(mix_one(_nan_template(control_template, experiment.tags), experiment, new_id=new_id))
    elif experiment_untagged and not control_untagged:
        for control in controls:
            pairs.append(mix_one(control, _nan_template(experiment_template, control.tags), new_id=new_id))
    else:
        all_tags = list(control_tags)
        for tags in experiment_tags:
            if tags not in all_tags:
                all_tags.append(tags)
        for tags in all_tags:
            control = next((c for c in controls if c.tags == tags), None) or _nan_template(
                control_template, tags
            )
            experiment = next((e for e in experiments if e.tags == tags), None) or _nan_template(
                experiment_template, tags
            )
            pairs.append(mix_one(control, experiment, new_id=new_id))
    return pairs


def mix_all(
    metric_names: Sequence[str],
    controls: Sequence[MetricSet],
    experiments: Sequence[MetricSet],
    *,
    new_id: Callable[[], str] = _new_uuid,
) -> list[MetricSetPair]:
    """Pairs for every configured metric, in configuration order."""
    pairs: list[MetricSetPair] = []
    for name in metric_names:
        control_sets = [c for c in controls if c.name == name]
        experiment_sets = [e for e in experiments if e.name == name]
        if not control_sets:
            raise MetricDataError(
                f"No control metrics found for {name} and the metric service did not create a placeholder."
            )
        if not experiment_sets:
            raise MetricDataError(
                f"No experiment metrics found for {name} and the metric service did not create a placeholder."
            )
        control_keys = {key for c in control_sets for key in c.tags}
        experiment_keys = {key for e in experiment_sets for key in e.tags}
        if control_keys and experiment_keys and control_keys != experiment_keys:
            raise MetricDataError(
                f"Control metrics of {name} have different tag keys than the experiment tag set "
                f"({sorted(control_keys)} != {sorted(experiment_keys)})."
            )
        pairs.extend(mix_one_metric(control_sets, experiment_sets, new_id=new_id))
    return pairs

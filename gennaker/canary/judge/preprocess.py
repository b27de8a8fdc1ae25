"""Per-side pre-processing before a metric is judged: NaN handling and optional outlier removal.

Who calls it: :mod:`gennaker.canary.judge.netflix_aca` for the experiment and the control sample of each
metric, separately. Tests replay Kayenta's ``TransformSuite`` and ``DetectorSuite``.

* NaN strategy ``remove`` drops NaNs; ``replace`` turns them into 0.0. ±Inf are left alone (Kayenta does too).
* :class:`IQRDetector` marks points outside Tukey's fences ``[Q1 - k·IQR, Q3 + k·IQR]`` (R type 7
  percentiles); with ``reduce_sensitivity`` the fences are widened to at least the 1st and 99th percentiles,
  which is what the judge uses (``k = outliers.outlierFactor``, default 3). Points strictly outside are
  outliers.
* :class:`KSigmaDetector` (``|x - mean| > k·std``, sample std) is in Kayenta's library but not used by the
  judge; it is kept for parity with Kayenta's suites and for anyone composing their own pre-processing.

Pure functions on numpy arrays; nothing is mutated in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from gennaker.canary.judge.stats import mean, percentile, std

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def remove_nans(values: npt.ArrayLike) -> FloatArray:
    data = np.asarray(values, dtype=np.float64)
    return data[~np.isnan(data)]


def replace_nans(values: npt.ArrayLike, replacement: float = 0.0) -> FloatArray:
    data = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(data), replacement, data)


class OutlierDetector(Protocol):
    def detect(self, values: npt.ArrayLike) -> BoolArray:
        """A mask with True where the value is an outlier."""
        ...


@dataclass(frozen=True)
class IQRDetector:
    """Tukey's fences with factor ``k``; ``reduce_sensitivity`` widens them to at least P1 / P99."""

    factor: float = 1.5
    reduce_sensitivity: bool = False

    def __post_init__(self) -> None:
        if not self.factor > 0.0:
            raise ValueError(f"the IQR outlier factor must be greater than zero, got {self.factor}")

    def fences(self, values: npt.ArrayLike) -> tuple[float, float]:
        data = np.asarray(values, dtype=np.float64)
        q1 = percentile(data, 25)
        q3 = percentile(data, 75)
        iqr = q3 - q1
        lower = q1 - self.factor * iqr
        upper = q3 + self.factor * iqr
        if self.reduce_sensitivity:
            return min(percentile(data, 1), lower), max(percentile(data, 99), upper)
        return lower, upper

    def detect(self, values: npt.ArrayLike) -> BoolArray:
        data = np.asarray(values, dtype=np.float64)
        if data.size == 0:
            return np.zeros(0, dtype=np.bool_)
        lower, upper = self.fences(data)
        return np.asarray((data < lower) | (data > upper), dtype=np.bool_)


@dataclass(frozen=True)
class KSigmaDetector:
    """Points more than ``k`` sample standard deviations from the mean."""

    k: float = 3.0

    def detect(self, values: npt.ArrayLike) -> BoolArray:
        data = np.asarray(values, dtype=np.float64)
        if data.size == 0:
            return np.zeros(0, dtype=np.bool_)
        centre = mean(data)
        spread = std(data)
        return np.asarray(np.abs(data - centre) > self.k * spread, dtype=np.bool_)


def remove_outliers(values: npt.ArrayLike, detector: OutlierDetector) -> FloatArray:
    data = np.asarray(values, dtype=np.float64)
    return data[~detector.detect(data)]


def preprocess(
    values: npt.ArrayLike, *, nan_strategy: str, remove_outliers_factor: float | None
) -> FloatArray:
    """NaN handling (``"remove"`` or ``"replace"``), then IQR outlier removal when a factor is given."""
    data = replace_nans(values) if nan_strategy == "replace" else remove_nans(values)
    if remove_outliers_factor is not None:
        data = remove_outliers(data, IQRDetector(factor=remove_outliers_factor, reduce_sensitivity=True))
    return data

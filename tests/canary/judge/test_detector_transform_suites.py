"""Kayenta's ``kayenta-judge`` DetectorSuite and TransformSuite, replayed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gennaker.canary.judge.preprocess import (
    IQRDetector,
    KSigmaDetector,
    preprocess,
    remove_nans,
    remove_outliers,
    replace_nans,
)


def test_ksigma_detection() -> None:
    data = [1.0, 1.0, 1.0, 1.0, 1.0, 20.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    truth = [False, False, False, False, False, True, False, False, False, False, False]
    assert KSigmaDetector(k=3.0).detect(data).tolist() == truth


def test_ksigma_two_sided() -> None:
    data = [1.0, 1.0, 1.0, 5.0, -1.0, -1.0, -1.0, -5.0]
    assert KSigmaDetector(1.0).detect(data).tolist() == [False, False, False, True, False, False, False, True]


def test_iqr_detection() -> None:
    data = [21.0, 23.0, 24.0, 25.0, 50.0, 29.0, 23.0, 21.0]
    assert IQRDetector(factor=1.5).detect(data).tolist() == [
        False,
        False,
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_iqr_detect_two_sided() -> None:
    data = [1.0, 1.0, 1.0, 5.0, -1.0, -1.0, -1.0, -5.0]
    assert IQRDetector(factor=1.5).detect(data).tolist() == [
        False,
        False,
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_iqr_empty_data() -> None:
    assert IQRDetector(factor=1.5).detect([]).tolist() == []


def test_iqr_nist_test() -> None:
    data = [
        30, 171, 184, 201, 212, 250, 265, 270, 272, 289, 305, 306, 322, 322, 336, 346, 351, 370, 390, 404,
        409, 411,
        436, 437, 439, 441, 444, 448, 451, 453, 470, 480, 482, 487, 494, 495, 499, 503, 514, 521, 522, 527,
        548,
        550, 559, 560, 570, 572, 574, 578, 585, 592, 592, 607, 616, 618, 621, 629, 637, 638, 640, 656, 668,
        707,
        709, 719, 737, 739, 752, 758, 766, 792, 792, 794, 802, 818, 830, 832, 843, 858, 860, 869, 918, 925,
        953,
        991, 1000, 1005, 1068, 1441,
    ]  # fmt: skip
    truth = [False] * (len(data) - 1) + [True]
    assert IQRDetector(factor=1.5).detect(data).tolist() == truth


def test_iqr_factor_must_be_positive() -> None:
    with pytest.raises(ValueError, match="greater than zero"):
        IQRDetector(factor=0.0)


def test_reduced_sensitivity_keeps_points_inside_p1_p99() -> None:
    # With a zero IQR every non-modal point is outside Tukey's fences; the P1/P99 widening keeps most of them.
    data = [0.0] * 90 + [1.0] * 9 + [100.0]
    assert IQRDetector(factor=3.0).detect(data).sum() == 10
    widened = IQRDetector(factor=3.0, reduce_sensitivity=True)
    lower, upper = widened.fences(data)
    assert lower == 0.0
    assert upper == pytest.approx(1.0 + 0.01 * 99.0)  # P99 interpolates between 1.0 and 100.0
    assert widened.detect(data).tolist() == [False] * 99 + [True]


def test_remove_single_nan() -> None:
    assert remove_nans([0.0, 1.0, math.nan, 1.0, 0.0]).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_remove_multiple_nan() -> None:
    assert remove_nans([math.nan, math.nan, math.nan]).tolist() == []


def test_replace_nan_with_zero() -> None:
    assert replace_nans([math.nan, 2.0, math.nan]).tolist() == [0.0, 2.0, 0.0]


def test_iqr_outlier_removal() -> None:
    data = [21.0, 23.0, 24.0, 25.0, 50.0, 29.0, 23.0, 21.0]
    assert remove_outliers(data, IQRDetector(factor=1.5)).tolist() == [
        21.0,
        23.0,
        24.0,
        25.0,
        29.0,
        23.0,
        21.0,
    ]


def test_ksigma_outlier_removal() -> None:
    data = [1.0, 1.0, 1.0, 1.0, 1.0, 20.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert remove_outliers(data, KSigmaDetector(k=3.0)).tolist() == [1.0] * 10


def test_infinities_are_not_treated_specially() -> None:
    out = preprocess([1.0, math.inf, math.nan, -math.inf], nan_strategy="remove", remove_outliers_factor=None)
    assert out.tolist() == [1.0, math.inf, -math.inf]


def test_preprocess_replaces_nans_then_removes_outliers() -> None:
    data = np.array([1.0] * 50 + [math.nan] * 2 + [1000.0])
    out = preprocess(data, nan_strategy="replace", remove_outliers_factor=3.0)
    assert 1000.0 not in out.tolist()
    assert out.tolist().count(0.0) == 2

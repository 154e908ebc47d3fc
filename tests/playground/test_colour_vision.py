"""Every palette the charts use stays distinguishable for colour-blind viewers: the class
colours, train against test, and the two ends of the diverging maps (positive blue, negative
vermillion), under simulated protanopia, deuteranopia and tritanopia.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6), severity 1.0, applied to linear RGB.
Distance: CIE76 ΔE in CIELAB (D65). About 2.3 is just noticeable; more than 10 reads as
another colour at a glance.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mlp.datasets import TOY_DATASETS, toy_class_count
from playground.charts.images import RIGHT_COLOR, WRONG_COLOR
from playground.charts.inside import NEGATIVE_COLOR, POSITIVE_COLOR
from playground.charts.style import CLASS_COLORS, TEST_COLOR, TRAIN_COLOR, hex_to_rgb

MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    "typical": np.eye(3).tolist(),
}  # fmt: skip
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]])  # fmt: skip
D65 = np.array([0.95047, 1.0, 1.08883])


def seen(color: str, vision: str) -> np.ndarray:
    """The CIELAB colour a viewer with `vision` sees for the sRGB `color`."""
    rgb = np.asarray(hex_to_rgb(color)) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(np.asarray(MACHADO[vision]) @ linear, 0, 1)
    xyz = SRGB_TO_XYZ @ linear / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a: str, b: str, vision: str) -> float:
    return float(np.linalg.norm(seen(a, vision) - seen(b, vision)))


def closest_pair(colors, vision: str) -> float:
    return min(distance(a, b, vision) for a, b in itertools.combinations(colors, 2))


VISIONS = list(MACHADO)
MOST_TOY_CLASSES = max(toy_class_count(name) for name in TOY_DATASETS)


@pytest.mark.parametrize("vision", VISIONS)
def test_class_colours_stay_apart(vision):
    # Two classes (most toy sets): far apart (measured 79 or more).
    assert distance(CLASS_COLORS[0], CLASS_COLORS[1], vision) >= 60
    # Up to the toy sets' four classes: another colour at a glance (measured 17 or more).
    assert closest_pair(CLASS_COLORS[:MOST_TOY_CLASSES], vision) >= 15
    # All ten (digits, a CSV): still apart (measured 13.5 or more).
    assert closest_pair(CLASS_COLORS, vision) >= 12


@pytest.mark.parametrize("vision", VISIONS)
def test_the_pairs_that_carry_meaning_are_far_apart(vision):
    pairs = {
        "diverging maps (positive, negative)": (POSITIVE_COLOR, NEGATIVE_COLOR),
        "training and test": (TRAIN_COLOR, TEST_COLOR),
        "right and wrong guesses": (RIGHT_COLOR, WRONG_COLOR),
    }
    for what, (a, b) in pairs.items():
        assert distance(a, b, vision) >= 60, what  # measured 79 or more


def test_the_check_tells_a_red_green_pair_apart_from_ours():
    """The simulation does what it claims: the classic red/green pair that many charting
    defaults use collapses for a deuteranope, ours does not."""
    red, green = "#D62728", "#2CA02C"
    assert distance(red, green, "typical") > 60
    assert distance(red, green, "deuteranopia") < 25
    assert distance(POSITIVE_COLOR, NEGATIVE_COLOR, "deuteranopia") > 90

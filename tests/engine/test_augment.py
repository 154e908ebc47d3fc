"""Random shifts: whole pixels within the limit, zero-filled, seeded, mass kept away from edges."""

import numpy as np
import pytest

from mlp.augment import IMAGES_PER_CHUNK, random_shifts


def single_pixels(n_images, shape=(28, 28), row=14, column=13):
    """n_images images, each 0 but for one pixel of value 1 + its index (so each is told apart)."""
    images = np.zeros((n_images, *shape), np.float32)
    images[:, row, column] = 1 + np.arange(n_images)
    return images.reshape(n_images, -1)


def shifted_by_hand(images_flat, shape, shifts):
    """The reference: image by image, slices of the zero-filled output."""
    height, width = shape
    out = np.zeros_like(images_flat).reshape(-1, height, width)
    images = images_flat.reshape(-1, height, width)
    for n, (dx, dy) in enumerate(shifts):
        if abs(dx) >= width or abs(dy) >= height:
            continue
        rows_to, rows_from = (
            slice(max(dy, 0), height + min(dy, 0)),
            slice(max(-dy, 0), height + min(-dy, 0)),
        )
        cols_to, cols_from = (
            slice(max(dx, 0), width + min(dx, 0)),
            slice(max(-dx, 0), width + min(-dx, 0)),
        )
        out[n, rows_to, cols_to] = images[n, rows_from, cols_from]
    return out.reshape(images_flat.shape)


@pytest.mark.parametrize("max_shift", [1, 2, 3])
def test_a_single_pixel_moves_by_whole_pixels_within_the_limit(max_shift):
    images = single_pixels(500)
    shifted = random_shifts(images, max_shift=max_shift, rng=np.random.default_rng(0))
    moves = set()
    for n, image in enumerate(shifted.reshape(-1, 28, 28)):
        (rows, columns) = np.nonzero(image)
        assert len(rows) == 1 and image[rows[0], columns[0]] == n + 1  # moved whole, unchanged
        dx, dy = columns[0] - 13, rows[0] - 14
        assert abs(dx) <= max_shift and abs(dy) <= max_shift
        moves.add((dx, dy))
    assert len(moves) == (2 * max_shift + 1) ** 2  # every shift happens


def test_equals_the_image_by_image_reference_with_the_documented_draws():
    rng = np.random.default_rng(1)
    for shape, max_shift, n_images in [((28, 28), 2, 200), ((5, 7), 3, 50), ((4, 4), 6, 40)]:
        images = rng.random((n_images, shape[0] * shape[1])).astype(np.float32)
        shifted = random_shifts(images, shape, max_shift=max_shift, rng=np.random.default_rng(7))
        shifts = np.random.default_rng(7).integers(-max_shift, max_shift + 1, size=(n_images, 2))
        assert np.array_equal(shifted, shifted_by_hand(images, shape, shifts))


def test_what_comes_in_from_outside_is_zero():
    images = np.ones((300, 6 * 6), np.float64)
    shifted = random_shifts(images, (6, 6), max_shift=2, rng=np.random.default_rng(2))
    shifts = np.random.default_rng(2).integers(-2, 3, size=(300, 2))
    # An all-ones image keeps (6 - |dx|) (6 - |dy|) ones; the rest is exactly 0.
    expected_ones = (6 - np.abs(shifts[:, 0])) * (6 - np.abs(shifts[:, 1]))
    assert np.array_equal(shifted.sum(axis=1), expected_ones)
    assert set(np.unique(shifted)) == {0.0, 1.0}


def test_max_shift_zero_is_the_identity():
    images = np.random.default_rng(3).random((70, 784)).astype(np.float32)
    shifted = random_shifts(images, max_shift=0, rng=np.random.default_rng(0))
    assert np.array_equal(shifted, images) and shifted is not images


def test_same_seed_same_shifts_other_seed_other_shifts():
    images = np.random.default_rng(4).random((64, 784)).astype(np.float32)
    first = random_shifts(images, max_shift=2, rng=np.random.default_rng(11))
    again = random_shifts(images, max_shift=2, rng=np.random.default_rng(11))
    other = random_shifts(images, max_shift=2, rng=np.random.default_rng(12))
    assert np.array_equal(first, again) and not np.array_equal(first, other)


def test_pixel_mass_is_kept_when_the_digit_is_away_from_the_edges():
    rng = np.random.default_rng(5)
    images = np.zeros((1000, 28, 28), np.float32)
    images[:, 3:25, 3:25] = rng.random((1000, 22, 22))  # at least 3 pixels from every edge
    images = images.reshape(1000, -1)
    shifted = random_shifts(images, max_shift=3, rng=rng)
    np.testing.assert_allclose(shifted.sum(axis=1), images.sum(axis=1), rtol=1e-5)
    assert shifted.mean() == pytest.approx(images.mean(), rel=1e-5)
    assert not np.array_equal(shifted, images)


def test_out_receives_the_result_even_in_place_and_the_input_is_left_alone():
    rng = np.random.default_rng(6)
    images = rng.random((2 * IMAGES_PER_CHUNK + 5, 784)).astype(np.float32)  # several chunks
    original = images.copy()
    expected = random_shifts(images, max_shift=2, rng=np.random.default_rng(8))
    assert np.array_equal(images, original)
    out = np.empty_like(images)
    assert random_shifts(images, max_shift=2, rng=np.random.default_rng(8), out=out) is out
    assert np.array_equal(out, expected)
    in_place = images.copy()
    random_shifts(in_place, max_shift=2, rng=np.random.default_rng(8), out=in_place)
    assert np.array_equal(in_place, expected)


def test_read_only_data_sets_and_other_dtypes_are_fine():
    images = (np.random.default_rng(9).random((10, 784)) * 255).astype(np.uint8)
    images.flags.writeable = False
    shifted = random_shifts(images, max_shift=2, rng=np.random.default_rng(0))
    assert shifted.dtype == np.uint8
    shifts = np.random.default_rng(0).integers(-2, 3, size=(10, 2))
    assert np.array_equal(shifted, shifted_by_hand(images, (28, 28), shifts))


def test_bad_arguments_are_refused():
    images = np.zeros((4, 784), np.float32)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"28×28 images \(N, 784\)"):
        random_shifts(np.zeros((4, 28, 28)), max_shift=1, rng=rng)
    with pytest.raises(ValueError, match=r"5×5 images \(N, 25\)"):
        random_shifts(images, (5, 5), max_shift=1, rng=rng)
    with pytest.raises(ValueError, match="max_shift"):
        random_shifts(images, max_shift=-1, rng=rng)
    with pytest.raises(ValueError, match="max_shift"):
        random_shifts(images, max_shift=1.5, rng=rng)
    with pytest.raises(ValueError, match="out has shape"):
        random_shifts(images, max_shift=1, rng=rng, out=np.zeros((3, 784), np.float32))
    with pytest.raises(ValueError, match="overlap"):
        random_shifts(images[:3], max_shift=1, rng=rng, out=images[1:])

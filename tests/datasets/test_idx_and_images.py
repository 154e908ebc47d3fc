"""IDX parsing, the offline MNIST sample and the full sets from hand-placed files."""

import gzip

import numpy as np
import pytest
from dataset_files import idx_bytes, small_set, write_set

from mlp.datasets import IDX_FILE_NAMES, IMAGE_DATASETS, DataError, load_images
from mlp.datasets import images as images_module
from mlp.datasets.idx import read_idx, read_idx_images, read_idx_labels, read_idx_pair

UNREACHABLE = ["http://127.0.0.1:9/"]  # the discard port: nothing answers there


@pytest.fixture
def no_mirrors(monkeypatch):
    """Any attempt to download fails at once instead of reaching the internet."""
    monkeypatch.setattr(images_module, "MIRRORS", {name: UNREACHABLE for name in IMAGE_DATASETS})


def test_reads_gzipped_and_plain_files_alike(tmp_path):
    array = np.arange(2 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(2, 28, 28)
    plain = tmp_path / "images"
    plain.write_bytes(idx_bytes(array))
    zipped = tmp_path / "images.gz"
    zipped.write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(plain), array)
    np.testing.assert_array_equal(read_idx_images(zipped), array)
    assert read_idx(zipped).dtype == np.uint8


def test_wrong_magic_number_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 28, 28)), magic=0x00000D03)))
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(path) in str(error.value) and "magic number" in str(error.value)
    assert "0x00000d03" in str(error.value)


def test_a_text_file_is_not_an_idx_file(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(b"<html>Not found</html>")
    with pytest.raises(DataError, match="not an IDX file"):
        read_idx(path)


@pytest.mark.parametrize("cut", [1, 100, 28 * 28 * 3 - 1])
def test_truncated_data_names_the_file(tmp_path, cut):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28)))[:-cut])
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(path) in str(error.value) and "truncated" in str(error.value)


def test_truncated_header_names_the_file(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 28, 28)))[:9])
    with pytest.raises(DataError, match="truncated: its header"):
        read_idx(path)


def test_extra_bytes_after_the_data_are_an_error(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.zeros(5)) + b"\0\0")
    with pytest.raises(DataError, match="2 bytes more"):
        read_idx(path)


def test_a_cut_gzip_stream_is_reported_as_damaged(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.ones((50, 28, 28))))[:-20])
    with pytest.raises(DataError) as error:
        read_idx(path)
    assert str(path) in str(error.value) and "damaged" in str(error.value)


def test_mismatched_counts_name_both_files(tmp_path):
    images_path = tmp_path / "train-images-idx3-ubyte.gz"
    labels_path = tmp_path / "train-labels-idx1-ubyte.gz"
    images_path.write_bytes(gzip.compress(idx_bytes(np.zeros((4, 28, 28)))))
    labels_path.write_bytes(gzip.compress(idx_bytes(np.zeros(5))))
    with pytest.raises(DataError) as error:
        read_idx_pair(images_path, labels_path)
    message = str(error.value)
    assert str(images_path) in message and str(labels_path) in message
    assert "4 images" in message and "5 labels" in message


def test_swapped_files_are_named(tmp_path):
    labels_as_images = tmp_path / "train-images-idx3-ubyte.gz"
    labels_as_images.write_bytes(gzip.compress(idx_bytes(np.zeros(5))))
    with pytest.raises(DataError, match="Is it a label file"):
        read_idx_images(labels_as_images)
    images_as_labels = tmp_path / "train-labels-idx1-ubyte.gz"
    images_as_labels.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 28, 28)))))
    with pytest.raises(DataError, match="Is it an image file"):
        read_idx_labels(images_as_labels)
    wrong_size = tmp_path / "t10k-images-idx3-ubyte.gz"
    wrong_size.write_bytes(gzip.compress(idx_bytes(np.zeros((2, 32, 32)))))
    with pytest.raises(DataError, match="28x28"):
        read_idx_images(wrong_size)


def test_labels_out_of_range_are_refused(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.array([0, 3, 12])))
    with pytest.raises(DataError, match="label 12"):
        read_idx_labels(path)


def test_offline_sample_is_balanced_float_pixels_without_network(no_mirrors):
    data = load_images("mnist", source="sample")
    assert data.X_train.shape == (4000, 784) and data.X_test.shape == (1000, 784)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    for X in (data.X_train, data.X_test):
        assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(data.y_train).tolist() == [400] * 10
    assert np.bincount(data.y_test).tolist() == [100] * 10
    assert data.class_names == tuple("0123456789")
    # Train and test hold different images.
    train_rows = {row.tobytes() for row in data.X_train}
    assert not any(row.tobytes() in train_rows for row in data.X_test)
    # Real digits: most pixels are background, strokes are bright.
    assert 0.1 < data.X_train.mean() < 0.2


def test_loaded_sets_are_shared_and_read_only():
    first = load_images()
    assert load_images() is first
    with pytest.raises(ValueError):
        first.X_train[0, 0] = 0.5
    with pytest.raises(ValueError):
        first.y_test[0] = 3


def test_fashion_mnist_has_no_sample_and_says_where_to_put_files(tmp_path):
    with pytest.raises(DataError) as error:
        load_images("fashion-mnist", source="sample", data_dir=tmp_path)
    message = str(error.value)
    assert "Only MNIST has an offline sample" in message
    assert str(tmp_path / "fashion-mnist") in message
    assert "train-images-idx3-ubyte.gz" in message


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"name": "cifar"}, "no image data set"), ({"source": "web"}, '"sample" or "full"')],
)
def test_unknown_name_or_source(kwargs, words):
    with pytest.raises(DataError, match=words):
        load_images(**kwargs)


def test_full_set_from_hand_placed_recompressed_files_needs_no_checksum(
    tmp_path, monkeypatch, no_mirrors
):
    arrays = small_set()
    # Level-1 gzip of tiny random files: certainly not the published bytes or MD5s.
    written = write_set(tmp_path / "mnist", arrays, compresslevel=1)
    assert images_module.MD5_CHECKSUMS["mnist"]  # published sums exist and are not checked
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path))
    calls = []
    data = load_images("mnist", source="full", progress=lambda *report: calls.append(report))
    assert calls == []  # nothing to download
    assert data.X_train.shape == (20, 784) and data.X_test.shape == (10, 784)
    assert data.X_train.dtype == np.float32
    np.testing.assert_allclose(
        data.X_train[3].reshape(28, 28), arrays["train-images-idx3-ubyte.gz"][3] / 255.0
    )
    np.testing.assert_array_equal(data.y_train, np.arange(20) % 10)
    assert not data.X_train.flags.writeable
    assert load_images("mnist", source="full", data_dir=tmp_path) is data
    assert {path.name: path.read_bytes() for path in (tmp_path / "mnist").iterdir()} == written


def test_a_bad_hand_placed_file_is_named(tmp_path, no_mirrors):
    arrays = small_set()
    arrays["t10k-labels-idx1-ubyte.gz"] = np.zeros(7, dtype=np.uint8)
    write_set(tmp_path / "fashion-mnist", arrays)
    with pytest.raises(DataError) as error:
        load_images("fashion-mnist", source="full", data_dir=tmp_path)
    assert "t10k-labels-idx1-ubyte.gz" in str(error.value)
    assert "10 images" in str(error.value) and "7 labels" in str(error.value)


@pytest.mark.shared_data
def test_real_fashion_mnist_loads_through_the_data_dir_variable(
    shared_data_dir, monkeypatch, no_mirrors
):
    folder = shared_data_dir / "fashion-mnist"
    # All four must be there: a missing one would be downloaded, and this folder is read-only.
    if not all((folder / file_name).is_file() for file_name in IDX_FILE_NAMES):
        pytest.skip(f"The four Fashion-MNIST files are not all in {folder}.")
    monkeypatch.setenv("MLP_DATA_DIR", str(shared_data_dir))
    data = load_images("fashion-mnist", source="full")
    assert data.X_train.shape == (60000, 784) and data.X_test.shape == (10000, 784)
    assert data.X_train.dtype == np.float32
    assert 0.0 == data.X_train.min() and data.X_train.max() == 1.0
    assert np.bincount(data.y_train).tolist() == [6000] * 10
    assert np.bincount(data.y_test).tolist() == [1000] * 10
    assert data.class_names[9] == "Ankle boot"


@pytest.mark.shared_data
def test_sample_holds_real_mnist_training_images_not_test_images(shared_data_dir):
    folder = shared_data_dir / "mnist-test"
    if not folder.is_dir():
        pytest.skip(f"No mnist-test/ folder in {shared_data_dir}.")
    test_images, test_labels = read_idx_pair(
        folder / "t10k-images-idx3-ubyte.gz", folder / "t10k-labels-idx1-ubyte.gz"
    )
    assert test_images.shape == (10000, 28, 28) and test_labels.shape == (10000,)
    sample = load_images()
    sample_pixels = np.concatenate([sample.X_train, sample.X_test])
    # Same pixel statistics as the real test set, and none of the same images.
    real_pixels = test_images.reshape(10000, 784) / 255.0
    assert abs(sample_pixels.mean() - real_pixels.mean()) < 0.01
    real_rows = {row.tobytes() for row in test_images.reshape(10000, 784)}
    sample_rows = np.rint(sample_pixels * 255).astype(np.uint8)
    assert not any(row.tobytes() in real_rows for row in sample_rows)

"""Model files that claim more than they hold: refused from their headers, before anything
large is allocated, and the loader's size limits, each at its edge.

A 790-byte file holding a valid MNIST configuration (two hidden layers of 1,024 ReLU) and
`shape = [100000, 10]` made the loader build a network for 100,000 inputs (1.6 GB peak) before
it refused the file. These files are written by hand the way `np.savez_compressed` writes
them (deflated zip members `name.npy`, each a `.npy` header and its numbers), with headers
that may promise numbers the file does not hold.
"""

from __future__ import annotations

import io
import json
import math
import re
import tracemalloc
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from mlp.datasets.regression import CURVE_DATASETS, REGRESSION_DATASETS
from playground.core.config import (
    MAX_HIDDEN_LAYERS,
    MNIST_PAGE,
    PLAYGROUND_PAGE,
    Config,
    HiddenLayer,
)
from playground.core.data import INPUT_FEATURES
from playground.core.model_io import (
    MAX_FILE_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    ModelError,
    array_shapes,
    data_shape,
    load_model,
    max_weights,
    named_arrays,
    save_model,
)
from playground.core.session import make_network

MB = 1_000_000
MNIST_2x1024 = MNIST_PAGE.default.replace(hidden=(HiddenLayer(1024, "relu"),) * 2)
TOY = Config(hidden=(HiddenLayer(8, "relu"), HiddenLayer(6, "tanh")), batch_norm=True)


def npy(shape, descr: str = "<f4", data: bytes = b"") -> bytes:
    """A `.npy` file whose header says `shape` and `descr`, followed by `data` (the numbers
    it holds, perhaps fewer than the header promises)."""
    header = {"descr": descr, "fortran_order": False, "shape": tuple(shape)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + data


def npz(members: dict[str, bytes]) -> bytes:
    """A zip of `.npy` members as `np.savez_compressed` writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(f"{name}.npy", content)
    return buffer.getvalue()


def real(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def hostile_file(n_inputs: int = 100_000, weights: bool = False) -> bytes:
    """The file of the report: a valid MNIST 2×1,024 ReLU configuration and a claimed input
    count; with `weights`, also every array of the claimed network, as headers without data."""
    arrays = {"config": np.array(MNIST_2x1024.to_json()), "shape": np.array([n_inputs, 10])}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    if not weights:
        return buffer.getvalue()
    members = {name: real(array) for name, array in arrays.items()}
    for name, shape in array_shapes(MNIST_2x1024, n_inputs, 10).items():
        members[name] = npy(shape)
    return npz(members)


def load_traced(content: bytes, page=MNIST_PAGE, **options):
    """(the loaded model or the ModelError, the most memory the call allocated)"""
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        try:
            outcome = load_model(content, page, **options)
        except ModelError as error:
            outcome = error
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak - start


def is_sentence(message: str) -> bool:
    """One line of words that ends like a sentence, not a traceback or an exception's repr."""
    return bool(re.fullmatch(r"['\w].* .*[.]", message)) and "Error" not in message


# -- the hostile file ------------------------------------------------------------------------


def test_the_hostile_file_is_refused_without_allocating_its_network():
    content = hostile_file()
    assert len(content) < 1000
    outcome, peak = load_traced(content)
    assert peak < 50 * MB, f"loading it allocated {peak / MB:.0f} MB"
    assert isinstance(outcome, ModelError)
    assert str(outcome) == "This model takes 100,000 inputs; this page's data has 784."


def test_headers_that_promise_a_big_network_are_refused_from_the_headers():
    content = hostile_file(weights=True)  # the claimed arrays are ~400 MB; the file is tiny
    assert len(content) < 2000
    outcome, peak = load_traced(content)
    assert peak < 50 * MB, f"loading it allocated {peak / MB:.0f} MB"
    assert "This model takes 100,000 inputs" in str(outcome)


def test_headers_of_the_right_shape_without_their_numbers_are_not_read():
    # The counts are the page's, so each header matches the configuration: only the size of
    # the member shows that the numbers are not there, and it is checked before reading.
    content = hostile_file(784, weights=True)
    outcome, peak = load_traced(content)
    assert isinstance(outcome, ModelError)
    assert "hidden1.W is cut short" in str(outcome)
    assert peak < 5 * MB, f"loading it allocated {peak / MB:.0f} MB"


def test_bytes_after_an_arrays_numbers_are_refused():
    # np.save writes a header and its numbers, nothing more.
    network = make_network(TOY, 2, 2)
    members = {name: real(array) for name, array in named_arrays(network).items()}
    members["config"] = real(np.array(TOY.to_json()))
    members["shape"] = real(np.array([2, 2]))
    assert load_model(npz(members), PLAYGROUND_PAGE).config == TOY
    members["hidden2.b"] += b"\0" * 4
    with pytest.raises(ModelError, match=r"^This model file cannot be used: hidden2\.b holds "
                                         r"more bytes than its header says\.$"):  # fmt: skip
        load_model(npz(members), PLAYGROUND_PAGE)


def test_a_header_of_another_shape_is_refused_before_its_numbers_are_read():
    members = {name: real(array) for name, array in {
        "config": np.array(MNIST_2x1024.to_json()), "shape": np.array([784, 10])}.items()
    }  # fmt: skip
    for name, shape in array_shapes(MNIST_2x1024, 784, 10).items():
        members[name] = npy(shape)
    members["hidden1.W"] = npy((100_000, 1024))
    outcome, peak = load_traced(npz(members))
    assert (
        str(outcome) == "hidden1.W has shape (100000, 1024); the configuration needs (784, 1024)."
    )
    assert peak < 5 * MB


def test_a_model_of_too_many_weights_is_refused_before_its_arrays_are_looked_at():
    # The counts are the page's own on every page, so only a caller expecting other data
    # reaches the size limit: the limit holds whatever the caller says. The page's largest
    # network with one input more is 1,024 weights over.
    largest = MNIST_PAGE.default.replace(
        hidden=(HiddenLayer(1024, "relu"),) * MAX_HIDDEN_LAYERS, batch_norm=True
    )
    buffer = io.BytesIO()
    np.savez_compressed(buffer, config=np.array(largest.to_json()), shape=np.array([785, 10]))
    outcome, peak = load_traced(buffer.getvalue(), expect=lambda config: (785, 10))
    limit = max_weights(MNIST_PAGE)
    assert str(outcome) == (
        f"This model has {limit + 1024:,} weights; a model on the MNIST page has at most {limit:,}."
    )
    assert peak < 5 * MB


def test_the_weight_limit_is_the_pages_largest_network():
    config = Config(hidden=(HiddenLayer(PLAYGROUND_PAGE.max_units, "relu"),) * MAX_HIDDEN_LAYERS,
                    batch_norm=True)  # fmt: skip
    network = make_network(config, len(INPUT_FEATURES), 10)
    assert max_weights(PLAYGROUND_PAGE) == sum(a.size for a in named_arrays(network).values())
    assert max_weights(MNIST_PAGE) == 6_086_666  # 784 inputs, 6 × 1,024 units, 10 classes


def test_the_largest_mnist_model_loads():
    # Exactly at the weight limit, and within the file-size limit though it barely compresses.
    config = MNIST_PAGE.default.replace(
        hidden=(HiddenLayer(1024, "relu"),) * MAX_HIDDEN_LAYERS, batch_norm=True
    )
    network = make_network(config, 784, 10)
    content = save_model(network, config, 784, 10)
    assert len(content) <= MAX_FILE_BYTES
    model = load_model(content, MNIST_PAGE)
    assert sum(a.size for a in model.arrays.values()) == max_weights(MNIST_PAGE)


# -- the input and class counts --------------------------------------------------------------


def test_a_model_for_other_data_is_refused_with_its_counts():
    network = make_network(TOY, 2, 2)
    three_features = TOY.replace(features=("x1", "x2", "x1sq"))
    with pytest.raises(ModelError, match=r"^This model takes 2 inputs; this page's data has 3\.$"):
        load_model(save_model(network, three_features, 2, 2), PLAYGROUND_PAGE)
    spiral3 = TOY.replace(dataset="spiral3")
    with pytest.raises(ModelError, match=r"^This model tells 2 classes apart; this page's data "
                                         r"has 3\.$"):  # fmt: skip
        load_model(save_model(network, spiral3, 2, 2), PLAYGROUND_PAGE)
    # A model of another setup loads: the page takes on its data set and features.
    wide = make_network(three_features, 3, 3)
    model = load_model(save_model(wide, three_features.replace(dataset="spiral3"), 3, 3),
                       PLAYGROUND_PAGE)  # fmt: skip
    assert (model.n_inputs, model.n_classes) == (3, 3)


def test_a_csv_model_is_checked_against_the_csv_the_page_has():
    csv = TOY.replace(dataset="csv")
    content = save_model(make_network(csv, 2, 5), csv, 2, 5)
    assert load_model(content, PLAYGROUND_PAGE).n_classes == 5  # classes unknown: up to 10
    with pytest.raises(ModelError, match=r"^This model tells 5 classes apart; this page's data "
                                         r"has 4\.$"):  # fmt: skip
        load_model(content, PLAYGROUND_PAGE, expect=lambda config: (2, 4))
    eleven = save_model(make_network(csv, 2, 11), csv, 2, 11)
    with pytest.raises(ModelError, match=r"^This model tells 11 classes apart; data on the "
                                         r"Playground page has at most 10\.$"):  # fmt: skip
        load_model(eleven, PLAYGROUND_PAGE)


class _Session:
    """What `_page_data` reads of a training session."""

    def __init__(self, dataset: str, n_classes: int) -> None:
        self.configs = [Config(dataset=dataset)]
        self.data = SimpleNamespace(class_names=tuple(range(n_classes)))


def test_the_page_expects_the_data_of_the_loaded_setup():
    from playground.ui.model_views import _page_data

    # Loading a model sets the page to its setup: its data set and input features count.
    spiral3 = Config(dataset="spiral3", features=("x1", "x2", "x1sq"))
    assert _page_data(None)(spiral3) == (3, 3)
    assert _page_data(_Session("spiral", 2))(spiral3) == (3, 3)
    assert _page_data(None)(MNIST_PAGE.default) == (784, 10)
    # A CSV model trains on the CSV the page has: its classes, when the page has one.
    csv = Config(dataset="csv")
    assert _page_data(_Session("csv", 5))(csv) == (2, 5)
    assert _page_data(_Session("spiral", 2))(csv) == (2, None)


def test_data_shape_is_the_shape_of_the_data_a_page_builds():
    from playground.core.data import make_toy_data

    for dataset in ("spiral", "spiral3", "blobs"):
        config = Config(dataset=dataset, features=("x1", "x2", "sinx1"))
        data = make_toy_data(dataset, 60, 0.0, 0.5, 0, config.features)
        assert data_shape(config) == (data.inputs_train.shape[1], len(data.class_names))
    assert data_shape(MNIST_PAGE.default) == (784, 10)
    assert data_shape(Config(dataset="csv")) == (2, None)


@settings(max_examples=60, deadline=None)
@given(
    units=st.lists(st.integers(1, 12), max_size=4),
    batch_norm=st.booleans(),
    n_inputs=st.integers(1, 9),
    n_classes=st.integers(2, 6),
)
def test_array_shapes_are_those_of_the_network_built(units, batch_norm, n_inputs, n_classes):
    config = Config(hidden=tuple(HiddenLayer(n, "tanh") for n in units), batch_norm=batch_norm)
    network = make_network(config, n_inputs, n_classes)
    built = {name: array.shape for name, array in named_arrays(network).items()}
    assert array_shapes(config, n_inputs, n_classes) == built


# -- the file's limits, each at its edge -----------------------------------------------------


@pytest.fixture(scope="module")
def toy_file() -> bytes:
    return save_model(make_network(TOY, 2, 2), TOY, 2, 2)


def test_a_file_of_exactly_the_size_limit_loads_and_one_byte_more_is_refused(toy_file):
    # Bytes before a zip are allowed (its directory is found from the end).
    padded = b"\0" * (MAX_FILE_BYTES - len(toy_file)) + toy_file
    assert len(padded) == MAX_FILE_BYTES
    assert load_model(padded, PLAYGROUND_PAGE).config == TOY
    with pytest.raises(ModelError, match=r"^This file is 50,000,001 bytes; a model file is at "
                                         r"most 50,000,000\.$"):  # fmt: skip
        load_model(b"\0" + padded, PLAYGROUND_PAGE)


def with_members(content: bytes, count: int) -> bytes:
    """`content` with small extra members up to `count` members in all."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for k in range(count - len(archive.infolist())):
            archive.writestr(f"extra{k:03d}.npy", real(np.zeros(1, np.float32)))
    return buffer.getvalue()


def test_a_file_of_exactly_the_member_limit_reaches_the_next_check(toy_file):
    at_limit = with_members(toy_file, MAX_MEMBERS)
    with pytest.raises(ModelError) as refusal:
        load_model(at_limit, PLAYGROUND_PAGE)
    assert "arrays do not match its configuration (unexpected: extra000" in str(refusal.value)
    with pytest.raises(ModelError, match=r"^This file holds 201 arrays; a model has at most "
                                         r"200\.$"):  # fmt: skip
        load_model(with_members(toy_file, MAX_MEMBERS + 1), PLAYGROUND_PAGE)


def big_member(size: int) -> bytes:
    """A zip holding one `.npy` member of `size` bytes that compresses about 40 times: within
    the compression limit, so only its size can refuse it."""
    header = npy((size - len(npy((size,), "|u1")),), "|u1")
    assert len(header) == len(npy((size,), "|u1"))
    incompressible = np.random.default_rng(0).bytes(2_100_000)
    data = header + incompressible + bytes(size - len(header) - len(incompressible))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("hidden1.W.npy", data)
    return buffer.getvalue()


def test_a_member_of_exactly_the_size_limit_reaches_the_next_check():
    at_limit = big_member(MAX_MEMBER_BYTES)
    with pytest.raises(ModelError) as refusal:
        load_model(at_limit, PLAYGROUND_PAGE)
    assert str(refusal.value) == "This is not a model file of MLP Playground (no 'config')."
    with pytest.raises(ModelError, match=r"^'hidden1.W.npy' would unpack to 100,000,001 bytes"):
        load_model(big_member(MAX_MEMBER_BYTES + 1), PLAYGROUND_PAGE)


# -- any claimed shapes and configurations ---------------------------------------------------

ARRAY_LIMIT = 300_000  # numbers written honestly per example; larger arrays get a header only


def true_shape(page, dataset: str, features: list[str], csv_classes: int) -> tuple[int, int]:
    if page is MNIST_PAGE:
        return 784, 10
    if dataset in CURVE_DATASETS:  # one input, x: only the features of x₁ count
        return max(1, sum(name in ("x1", "x1sq", "sinx1") for name in features)), 1
    if dataset in REGRESSION_DATASETS:  # one output, the prediction
        return len(features), 1
    classes = {"spiral3": 3, "blobs": 4, "csv": csv_classes}.get(dataset, 2)
    return len(features), classes


def expected_shapes(units, batch_norm, n_inputs, n_classes) -> dict[str, tuple[int, ...]]:
    """The test's own account of a model file's arrays (see the module doc of model_io)."""
    shapes, width = {}, n_inputs
    for k, n in enumerate(units, start=1):
        shapes[f"hidden{k}.W"], shapes[f"hidden{k}.b"] = (width, n), (n,)
        for stat in ("gamma", "beta", "running_mean", "running_var") if batch_norm else ():
            shapes[f"hidden{k}.{stat}"] = (n,)
        width = n
    shapes["output.W"], shapes["output.b"] = (width, n_classes), (n_classes,)
    return shapes


dims = st.integers(0, 10**9)
lies = st.sampled_from(["header only", "other shape", "ints", "object", "missing", "short",
                        "long", "not finite"])  # fmt: skip


@st.composite
def model_files(draw):
    """(page, file bytes, whether the file is a consistent model file of that page)"""
    page = draw(st.sampled_from([PLAYGROUND_PAGE, MNIST_PAGE]))
    dataset = draw(st.sampled_from(page.datasets))
    features = draw(st.lists(st.sampled_from(list(INPUT_FEATURES)), min_size=1, max_size=3,
                             unique=True))  # fmt: skip
    units = draw(st.lists(st.integers(1, 16), max_size=MAX_HIDDEN_LAYERS))
    if draw(st.integers(0, 3)) == 0:  # now and then a layer too many, or one too wide
        wide = st.sampled_from([page.max_units, page.max_units + 1, 5000])
        units.insert(draw(st.integers(0, len(units))), draw(st.one_of(st.integers(1, 16), wide)))
    batch_norm = draw(st.booleans())
    values = json.loads(page.default.to_json())
    values.update(dataset=dataset, batch_norm=batch_norm,
                  hidden=[{"units": n, "activation": "relu"} for n in units])  # fmt: skip
    if page is PLAYGROUND_PAGE:
        values["features"] = features
    n_inputs, n_classes = true_shape(page, dataset, features, draw(st.integers(2, 10)))
    counts = (n_inputs, n_classes)
    if draw(st.integers(0, 2)) == 0:  # a third of the files claim other counts
        counts = draw(st.one_of(
            st.tuples(st.integers(-2, 10**6), st.integers(-2, 10**4)),
            st.tuples(st.just(n_inputs), st.integers(0, 12)),
        ))  # fmt: skip
    # A CSV's class count is known only with the file: any from 2 to 10 may be its, or 1
    # output for a regression (a label column of many numbers).
    csv_classes = dataset == "csv" and counts[0] == n_inputs and 1 <= counts[1] <= 10
    valid = (
        len(units) <= MAX_HIDDEN_LAYERS
        and all(n <= page.max_units for n in units)
        and (counts == (n_inputs, n_classes) or csv_classes)
    )
    note(f"{page.name}: {dataset}, {len(features)} features, units {units}, batch norm "
         f"{batch_norm}, counts {counts}")  # fmt: skip
    members = {"config": real(np.array(json.dumps(values))), "shape": real(np.array(counts))}
    claimed = expected_shapes(units, batch_norm, *counts) if min(counts) >= 1 else {}
    small = sum(math.prod(shape) for shape in claimed.values()) <= ARRAY_LIMIT
    mode = draw(st.sampled_from(["honest", "one lie", "one lie", "many lies"]))
    liar = draw(st.sampled_from(sorted(claimed))) if claimed else None
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    for name, shape in claimed.items():
        lie = None
        if mode == "many lies" and draw(st.booleans()) or mode == "one lie" and name == liar:
            lie = draw(lies)
        elif not small:
            lie = "header only"  # too big to write: the loader must not read it either
        note(f"{name} {shape}: {lie or 'honest'}")
        valid = valid and lie is None
        numbers = rng.standard_normal(shape).astype(np.float32) if small else None
        if lie is None:
            members[name] = real(numbers)
        elif lie == "header only":
            members[name] = npy(shape)
        elif lie == "other shape":
            members[name] = npy(draw(st.lists(dims, max_size=3)))
        elif lie == "ints":
            members[name] = npy(shape, "<i8")
        elif lie == "object":
            members[name] = npy(shape, "|O")
        elif lie == "short":
            held = draw(st.integers(0, min(64, 4 * math.prod(shape) - 1)))  # not all of it
            members[name] = npy(shape, data=b"\0" * held)
        elif lie == "long" and numbers is not None:
            members[name] = real(numbers) + b"\0" * draw(st.integers(1, 64))
        elif lie == "not finite" and numbers is not None:
            numbers.flat[draw(st.integers(0, numbers.size - 1))] = draw(
                st.sampled_from([np.inf, -np.inf, np.nan]))  # fmt: skip
            members[name] = real(numbers)
        # "missing", and a lie about numbers too many to write: no member
    if draw(st.integers(0, 9)) == 0:
        members["extra"] = npy(draw(st.lists(dims, max_size=3)))
        valid = False
    return page, npz(members), valid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_files())
def test_any_claimed_shapes_load_consistently_or_are_refused_in_a_sentence(case):
    page, content, valid = case
    outcome, peak = load_traced(content, page)
    assert peak < 50 * MB, f"loading allocated {peak / MB:.0f} MB"
    event("refused" if isinstance(outcome, ModelError) else "loaded")
    if isinstance(outcome, ModelError):
        event(re.sub(r"[\d,]+|\(.*", "#", str(outcome))[:60])  # which check refused it
        assert not valid, f"a consistent file was refused: {outcome}"
        assert is_sentence(str(outcome)), str(outcome)
        return
    model = outcome
    n_inputs, n_classes = data_shape(model.config)
    assert model.n_inputs == n_inputs
    assert n_classes is None or model.n_classes == n_classes
    units = [layer.units for layer in model.config.hidden]
    assert all(n <= page.max_units for n in units)
    want = expected_shapes(units, model.config.batch_norm, model.n_inputs, model.n_classes)
    assert {name: array.shape for name, array in model.arrays.items()} == want
    for array in model.arrays.values():
        assert array.dtype == np.float32 and np.isfinite(array).all()
    assert valid  # the test's own account agrees

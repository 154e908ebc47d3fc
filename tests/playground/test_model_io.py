"""Model files: a trained network round-trips exactly, and anything else is refused in words."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp.layers import BatchNorm, Dense
from playground.core.config import MNIST_PAGE, PLAYGROUND_PAGE, Config, HiddenLayer
from playground.core.data import make_toy_data
from playground.core.model_io import ModelError, load_model, save_model
from playground.core.session import make_network, make_run

CONFIG = Config(n_points=200, hidden=(HiddenLayer(8, "relu"), HiddenLayer(6, "tanh")),
                batch_norm=True)  # fmt: skip


@pytest.fixture(scope="module")
def trained():
    data = make_toy_data("spiral", 200, 0.0, 0.5, 0)
    run = make_run(CONFIG, data)
    for _ in range(40):
        run.step()
    return run, data


def test_a_trained_model_round_trips_exactly(trained):
    run, data = trained
    content = save_model(run.network, CONFIG, 2, 2)
    model = load_model(content, PLAYGROUND_PAGE)
    assert model.config == CONFIG and (model.n_inputs, model.n_classes) == (2, 2)
    fresh = make_network(model.config, 2, 2)
    model.apply_to(fresh)
    assert np.array_equal(fresh.predict_proba(data.inputs_test),
                          run.network.predict_proba(data.inputs_test))  # fmt: skip


def rewrite(content: bytes, change) -> bytes:
    with np.load(io.BytesIO(content), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    change(arrays)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda a: a.update({"hidden1.W": np.zeros((3, 8), np.float32)}), "shape"),
        (lambda a: a.update({"hidden1.b": np.full(8, np.nan, np.float32)}), "not finite"),
        (lambda a: a.update({"hidden1.b": np.zeros(8, np.int64)}), "not floating-point"),
        (lambda a: a.pop("hidden2.gamma"), "missing: hidden2.gamma"),
        (lambda a: a.update(extra=np.zeros(3)), "unexpected: extra"),
        (lambda a: a.update(config=np.array('{"hidden": "512relu"}')), "Playground page"),
        (lambda a: a.update(config=np.array('{"lr": 99}')), "Learning rate"),
        (lambda a: a.update(shape=np.array([2, 1])), "class counts"),
        (lambda a: a.update(shape=np.array([3, 2])), "takes 3 inputs; this page's data has 2"),
        (lambda a: a.update(shape=np.array([2, 4])), "tells 4 classes apart; this page's data"),
        (lambda a: a.update(shape=np.array([2.0, 2.0])), "class counts"),
        (lambda a: a.update(config=np.array(["{}"])), "not text"),
        (lambda a: a.update(config=np.array(CONFIG.to_json() + " " * 20_000)), r"20,\d\d\d char"),
        (lambda a: a.pop("config"), "no 'config'"),
    ],
    ids=[
        "shape",
        "nan",
        "ints",
        "missing",
        "extra",
        "too-wide",
        "bad-setting",
        "one-class",
        "other-inputs",
        "other-classes",
        "float-counts",
        "config-array",
        "config-too-long",
        "no-config",
    ],
)
def test_a_changed_file_is_refused_in_words(trained, change, words):
    run, _ = trained
    content = rewrite(save_model(run.network, CONFIG, 2, 2), change)
    with pytest.raises(ModelError, match=words):
        load_model(content, PLAYGROUND_PAGE)


def test_an_array_saved_in_fortran_order_loads_as_saved(trained):
    run, _ = trained

    def fortran(arrays):
        arrays["hidden1.W"] = np.asfortranarray(arrays["hidden1.W"])

    content = rewrite(save_model(run.network, CONFIG, 2, 2), fortran)
    with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("hidden1.W.npy") as npy:
        np.lib.format.read_magic(npy)
        assert np.lib.format.read_array_header_1_0(npy)[1]  # fortran_order
    fresh = make_network(CONFIG, 2, 2)
    load_model(content, PLAYGROUND_PAGE).apply_to(fresh)
    assert np.array_equal(fresh.param_vector, run.network.param_vector)


def test_loading_builds_no_network(trained, monkeypatch):
    # The shapes come from the configuration: a file that claims a huge network is refused
    # before anything of its size exists (a network was once built from the file's claims).
    run, _ = trained
    content = save_model(run.network, CONFIG, 2, 2)

    def refuse(*args, **kwargs):
        raise AssertionError("load_model built a layer")

    monkeypatch.setattr(Dense, "__init__", refuse)
    monkeypatch.setattr(BatchNorm, "__init__", refuse)
    assert load_model(content, PLAYGROUND_PAGE).config == CONFIG


def test_a_pickle_inside_an_npz_is_never_loaded(trained):
    run, _ = trained
    buffer = io.BytesIO()
    np.savez(buffer, config=np.array(CONFIG.to_json()), shape=np.array([2, 2]),
             **{"hidden1.W": np.array([{"evil": 1}], dtype=object)})  # fmt: skip
    with pytest.raises(ModelError, match="pickle"):
        load_model(buffer.getvalue(), PLAYGROUND_PAGE)


def test_a_truncated_file_and_a_zip_bomb_are_refused(trained):
    run, _ = trained
    content = save_model(run.network, CONFIG, 2, 2)
    with pytest.raises(ModelError, match="cut short"):
        load_model(content[: len(content) // 2], PLAYGROUND_PAGE)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hidden1.W.npy", b"\0" * 50_000_000)
    with pytest.raises(ModelError, match="would unpack"):
        load_model(buffer.getvalue(), PLAYGROUND_PAGE)


def test_a_model_of_another_page_is_refused(trained):
    run, _ = trained
    with pytest.raises(ModelError, match="MNIST page"):
        load_model(save_model(run.network, CONFIG, 2, 2), MNIST_PAGE)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_model_or_a_message(content):
    try:
        load_model(content, PLAYGROUND_PAGE)
    except ModelError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_damaged_model_file_gives_a_model_or_a_message(trained, data):
    run, _ = trained
    content = bytearray(save_model(run.network, CONFIG, 2, 2))
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    try:
        load_model(bytes(content), PLAYGROUND_PAGE)
    except ModelError:
        pass

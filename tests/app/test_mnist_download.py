"""The MNIST page's full sets, downloaded on first use, through Streamlit's test runner: a
progress bar while the files arrive, then training on them; without a network, a message
that says what to do, no traceback and no file left behind. No test touches the network: a
fake downloader writes tiny IDX files, and "offline" is a mirror on a closed local port."""

from __future__ import annotations

import gzip
import socket
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mlp.datasets import IDX_FILE_NAMES
from mlp.datasets import images as images_module
from tests.app.messages import lines, message_text
from tests.datasets.dataset_files import idx_bytes, small_set

APP = str(Path(__file__).resolve().parents[2] / "app.py")
FULL_FASHION = {"dataset": "fashion-mnist", "source": "full"}


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty data folder the page uses (through MLP_DATA_DIR)."""
    folder = tmp_path / "data"
    monkeypatch.setenv(images_module.DATA_DIR_VARIABLE, str(folder))
    return folder


class FakeDownloader:
    """Stands in for `images._download`: writes each file of a tiny set, driving the progress
    reporter the way pooch does (a total, then chunks), and records what it was asked for."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self.arrays = small_set(n_train=300, n_test=40)

    def __call__(self, name, file_name, folder, progress):
        self.files.append(file_name)
        content = gzip.compress(idx_bytes(self.arrays[file_name]), mtime=0)
        if progress is not None:
            progress.total = len(content)
            for start in range(0, len(content), 4096):
                progress.update(min(4096, len(content) - start))
        (folder / file_name).write_bytes(content)
        return None


def open_mnist(query: dict) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query)
    app.switch_page("pages/mnist.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def download_bars(app: AppTest) -> list:
    """The download's progress bars (the paper presets' step bar is another)."""
    return [bar for bar in app.get("progress") if "Fashion-MNIST" in bar_text(bar)]


def bar_text(bar) -> str:
    return bar.proto.text


def errors(app: AppTest) -> str:
    return message_text(app, "error")


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: a download there fails as offline does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_a_missing_full_set_is_downloaded_once_with_a_progress_bar(data_dir, monkeypatch):
    downloader = FakeDownloader()
    monkeypatch.setattr(images_module, "_download", downloader)
    app = open_mnist(FULL_FASHION)
    assert sorted(downloader.files) == sorted(IDX_FILE_NAMES)
    folder = data_dir / "fashion-mnist"
    assert sorted(path.name for path in folder.iterdir()) == sorted(IDX_FILE_NAMES)
    # The bar stays at 100% saying where the files went, until the next run.
    (bar,) = download_bars(app)
    assert bar.proto.value == 100
    assert bar_text(bar) == "Fashion-MNIST (clothes): downloaded"
    assert f"Fashion-MNIST (clothes) downloaded into {folder}" in lines(app)  # as plain text
    assert any("300 training and 40 test images" in c.value for c in app.caption)
    session = app.session_state["mnist_session"]
    assert session.data.name == "fashion-mnist" and session.data.inputs_train.shape == (300, 784)

    app.run()  # the files are there now: no download, no bar
    assert not app.exception
    assert len(downloader.files) == len(IDX_FILE_NAMES)
    assert download_bars(app) == []


def test_the_progress_bar_follows_the_files_as_they_arrive(data_dir, monkeypatch):
    reports: list[tuple[float, str]] = []
    real_download = images_module.download

    def recording_download(name, data_dir=None, progress=None):
        def report(fraction, message):
            reports.append((fraction, message))
            progress(fraction, message)

        return real_download(name, data_dir, report)

    monkeypatch.setattr(images_module, "_download", FakeDownloader())
    monkeypatch.setattr("mlp.datasets.download", recording_download)
    open_mnist(FULL_FASHION)
    fractions = [fraction for fraction, _ in reports]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)
    assert all(any(name in message for _, message in reports) for name in IDX_FILE_NAMES)


def test_without_a_network_the_page_says_what_to_do_and_leaves_no_file(data_dir, monkeypatch):
    monkeypatch.setitem(images_module.MIRRORS, "fashion-mnist", [closed_port_url()])
    app = open_mnist(FULL_FASHION)  # no exception, so no traceback on the page
    message = errors(app)
    folder = data_dir / "fashion-mnist"
    assert "Fashion-MNIST (clothes) could not be downloaded" in message
    assert "are you offline?" in message
    assert str(folder) in message and all(name in message for name in IDX_FILE_NAMES)
    assert "The offline MNIST sample works without them" in message
    assert download_bars(app) == []  # the bar is gone with the failure
    assert not folder.exists() or list(folder.iterdir()) == []
    assert "mnist_session" not in app.session_state


def test_a_download_that_breaks_off_midway_keeps_only_whole_files(data_dir, monkeypatch):
    fake = FakeDownloader()

    def second_file_fails(name, file_name, folder, progress):
        if fake.files:  # the first file arrived whole; the next one breaks off
            fake.files.append(file_name)
            progress.total = 1000
            progress.update(500)
            return "http://mirror.invalid/: the download broke off before the end"
        return fake(name, file_name, folder, progress)

    monkeypatch.setattr(images_module, "_download", second_file_fails)
    app = open_mnist(FULL_FASHION)
    assert "broke off before the end" in errors(app)
    assert download_bars(app) == []
    folder = data_dir / "fashion-mnist"
    assert [path.name for path in folder.iterdir()] == [IDX_FILE_NAMES[0]]

    # Back online: the next visit fetches only what is missing, and trains.
    retried = FakeDownloader()
    monkeypatch.setattr(images_module, "_download", retried)
    app.run()
    assert not app.exception
    assert retried.files == list(IDX_FILE_NAMES[1:])
    assert len(app.error) == 0
    assert app.session_state["mnist_session"].data.inputs_train.shape == (300, 784)

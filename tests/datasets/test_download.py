"""Downloading the full sets, against a small HTTP server on 127.0.0.1 that the test runs."""

import functools
import gzip
import hashlib
import http.server
import socket
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import requests
from dataset_files import idx_bytes, small_set, write_set

from mlp.datasets import IDX_FILE_NAMES, DataError, load_images
from mlp.datasets import images as images_module
from mlp.datasets.__main__ import main as command_line

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files from a folder, records each path asked for, and can cut one short."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.endswith("/cut-short"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + b"\0" * 1000)
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def mirror(tmp_path):
    """A local mirror serving a tiny MNIST-like set; yields (base url, served bytes, server)."""
    served_folder = tmp_path / "mirror"
    served = write_set(served_folder, small_set(n_train=300, n_test=40))
    handler = functools.partial(QuietHandler, directory=str(served_folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served, server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def use_mirrors(monkeypatch, urls, served, wrong_md5_for=()):
    monkeypatch.setitem(images_module.MIRRORS, "mnist", urls)
    checksums = {
        file_name: "0" * 32 if file_name in wrong_md5_for else hashlib.md5(data).hexdigest()
        for file_name, data in served.items()
    }
    monkeypatch.setitem(images_module.MD5_CHECKSUMS, "mnist", checksums)


def test_verified_download_lands_in_the_cache_and_loads(tmp_path, mirror, monkeypatch):
    url, served, server = mirror
    use_mirrors(monkeypatch, [url], served)
    reports = []
    data = load_images(
        "mnist", "full", data_dir=tmp_path / "cache", progress=lambda *r: reports.append(r)
    )
    folder = tmp_path / "cache" / "mnist"
    assert sorted(path.name for path in folder.iterdir()) == sorted(IDX_FILE_NAMES)
    for file_name in IDX_FILE_NAMES:
        assert (folder / file_name).read_bytes() == served[file_name]
    assert data.X_train.shape == (300, 784) and data.X_test.shape == (40, 784)
    # Progress: fractions from 0 to 1, never going back, naming the files.
    fractions = [fraction for fraction, _ in reports]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(later >= earlier for earlier, later in zip(fractions, fractions[1:], strict=False))
    assert any("train-images-idx3-ubyte.gz" in message for _, message in reports)
    # A second load needs no server.
    server.requests.clear()
    load_images("mnist", "full", data_dir=tmp_path / "cache")
    assert server.requests == []


def test_only_missing_files_are_downloaded(tmp_path, mirror, monkeypatch):
    url, served, server = mirror
    use_mirrors(monkeypatch, [url], served)
    folder = tmp_path / "mnist"
    folder.mkdir()
    # Placed by hand, from the same arrays but compressed differently: no checksum asked.
    for file_name in IDX_FILE_NAMES[:2]:
        (folder / file_name).write_bytes(gzip.compress(gzip.decompress(served[file_name]), 1))
    load_images("mnist", "full", data_dir=tmp_path)
    assert sorted(server.requests) == sorted(f"/{name}" for name in IDX_FILE_NAMES[2:])


def test_bad_checksum_leaves_no_file_and_says_so(tmp_path, mirror, monkeypatch):
    url, served, _ = mirror
    use_mirrors(monkeypatch, [url], served, wrong_md5_for=IDX_FILE_NAMES)
    with pytest.raises(DataError) as error:
        load_images("mnist", "full", data_dir=tmp_path)
    message = str(error.value)
    assert "checksum" in message
    assert str(tmp_path / "mnist") in message
    assert all(file_name in message for file_name in IDX_FILE_NAMES)
    assert list((tmp_path / "mnist").iterdir()) == []
    # The offline sample is still there.
    assert load_images("mnist", "sample").X_train.shape == (4000, 784)


def test_a_checksum_failure_on_one_file_keeps_the_verified_ones(tmp_path, mirror, monkeypatch):
    url, served, _ = mirror
    use_mirrors(monkeypatch, [url], served, wrong_md5_for=[IDX_FILE_NAMES[2]])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz failed"):
        load_images("mnist", "full", data_dir=tmp_path)
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(IDX_FILE_NAMES[:2])


def test_server_gone_fails_fast_naming_the_folder(tmp_path, mirror, monkeypatch):
    _, served, _ = mirror
    mirrors = [closed_port_url(), closed_port_url()]
    use_mirrors(monkeypatch, mirrors, served)
    asked = []  # every request the download makes, with the timeouts it gives
    get = requests.get

    def recorded_get(url, *args, **kwargs):
        asked.append((url, kwargs.get("timeout")))
        return get(url, *args, **kwargs)

    monkeypatch.setattr(requests, "get", recorded_get)
    with pytest.raises(DataError) as error:
        load_images("mnist", "full", data_dir=tmp_path)
    # Fast: each mirror asked once for the first file, no retries, no other file tried, and
    # each request bounded by the connect and read timeouts (no endless wait on a dead host).
    first_file = IDX_FILE_NAMES[0]
    assert asked == [(mirror + first_file, images_module.DOWNLOAD_TIMEOUT) for mirror in mirrors]
    assert all(0 < limit < 60 for limit in images_module.DOWNLOAD_TIMEOUT)
    message = str(error.value)
    assert "no connection" in message and str(tmp_path / "mnist") in message
    assert "train-images-idx3-ubyte.gz" in message and "place the four files" in message
    assert list((tmp_path / "mnist").iterdir()) == []


def test_the_next_mirror_is_tried_when_one_is_down(tmp_path, mirror, monkeypatch):
    url, served, server = mirror
    use_mirrors(monkeypatch, [closed_port_url(), url], served)
    data = load_images("mnist", "full", data_dir=tmp_path)
    assert data.y_train.shape == (300,)
    assert len(server.requests) == 4


def test_missing_file_on_the_mirror_is_reported(tmp_path, mirror, monkeypatch):
    url, served, _ = mirror
    use_mirrors(monkeypatch, [url + "elsewhere/"], served)
    with pytest.raises(DataError, match="404"):
        load_images("mnist", "full", data_dir=tmp_path)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_a_download_cut_short_leaves_no_file(tmp_path, mirror, monkeypatch):
    url, served, _ = mirror
    use_mirrors(monkeypatch, [url], served)
    # The server promises 100,000 bytes for "cut-short", sends 1,002 and hangs up.
    monkeypatch.setattr(images_module, "IDX_FILE_NAMES", ("cut-short",))
    monkeypatch.setitem(images_module.MD5_CHECKSUMS["mnist"], "cut-short", "0" * 32)
    with pytest.raises(DataError, match="cut-short failed") as error:
        images_module.download("mnist", data_dir=tmp_path)
    assert "broke off" in str(error.value)
    assert list((tmp_path / "mnist").iterdir()) == []


def test_command_line_downloads_with_a_progress_bar(tmp_path, mirror, monkeypatch, capsys):
    url, served, _ = mirror
    use_mirrors(monkeypatch, [url], served)
    assert command_line(["download", "mnist", "--data-dir", str(tmp_path)]) == 0
    output = capsys.readouterr()
    assert "[" + "#" * 30 + "] 100%" in output.err
    assert str(tmp_path / "mnist") in output.out and "300 training" in output.out


def test_command_line_failure_exits_non_zero_without_traceback(
    tmp_path, mirror, monkeypatch, capsys
):
    _, served, _ = mirror
    use_mirrors(monkeypatch, [closed_port_url()], served)
    assert command_line(["download", "mnist", "--data-dir", str(tmp_path)]) == 1
    error_output = capsys.readouterr().err
    assert "error:" in error_output and str(tmp_path / "mnist") in error_output
    assert "Traceback" not in error_output


def download_fashion_mnist_with_the_command_line(data_dir) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "mlp.datasets", "download", "fashion-mnist"]
    return subprocess.run(
        [*command, "--data-dir", str(data_dir)],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_line_as_a_program_reports_a_bad_hand_placed_file(tmp_path):
    arrays = small_set()
    arrays["train-images-idx3-ubyte.gz"] = np.zeros((20, 27, 28), dtype=np.uint8)
    write_set(tmp_path / "fashion-mnist", arrays)
    finished = download_fashion_mnist_with_the_command_line(tmp_path)
    assert finished.returncode == 1
    assert "train-images-idx3-ubyte.gz" in finished.stderr and "28x28" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_command_line_as_a_program_finds_hand_placed_files(tmp_path):
    write_set(tmp_path / "fashion-mnist", small_set())
    finished = download_fashion_mnist_with_the_command_line(tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert "20 training and 10 test images" in finished.stdout
    assert str(tmp_path / "fashion-mnist") in finished.stdout


def test_idx_bytes_helper_matches_the_format():
    # Guards the other tests: the helper writes what the real files hold.
    assert idx_bytes(np.zeros((1, 2, 3)))[:8] == bytes([0, 0, 8, 3, 0, 0, 0, 1])

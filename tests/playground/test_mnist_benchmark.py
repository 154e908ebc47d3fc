"""The MNIST benchmark's core on tiny budgets (behaviour only, never timing): training through
the headless command's code, the test accuracy of every epoch, what it says when the full
set is absent; and the quality-target presets the page accepts as they are."""

from __future__ import annotations

import importlib.util
import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from mlp import datasets
from playground.core.config import MNIST_PAGE, HiddenLayer
from playground.core.data import make_image_set
from playground.core.presets import FASHION, QUICK_SAMPLE, TARGET_PRESETS

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "mnist.py"


@pytest.fixture(scope="module")
def benchmark():
    spec = importlib.util.spec_from_file_location("mnist_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.fixture(scope="module")
def sample():
    return make_image_set(datasets.load_images("mnist", "sample"))


def small(config):
    return config.replace(hidden=(HiddenLayer(32, "relu"),))


def test_every_epoch_is_scored_on_the_whole_test_set_and_the_run_keeps_its_weights(
    benchmark, sample
):
    config = small(QUICK_SAMPLE.config)
    per_epoch = len(sample.y_train) // config.batch_size
    result = benchmark.train_within(config, sample, seconds=600, target=0.0,
                                    max_steps=2 * per_epoch)  # fmt: skip
    assert result.metrics.steps == 2 * per_epoch and result.metrics.n_test == 1000
    assert [(p.epoch, p.step) for p in result.epochs] == [(1, per_epoch), (2, 2 * per_epoch)]
    assert all(0 < p.seconds for p in result.epochs)
    assert result.epochs[0].seconds < result.epochs[1].seconds <= result.metrics.seconds
    # The last epoch ends with the run: its score is the final one, so the weights put back
    # after scoring the earlier epoch are the run's own.
    assert result.epochs[-1].test_accuracy == result.metrics.test_accuracy
    assert result.reached is result.epochs[0]  # a target of 0 is met at once
    assert result.best.test_accuracy == max(p.test_accuracy for p in result.epochs)
    assert result.seconds_per_epoch > 0


def test_an_unmet_target_is_reported_as_such(benchmark, sample):
    result = benchmark.train_within(small(QUICK_SAMPLE.config), sample, seconds=600,
                                    target=1.01, max_steps=70)  # fmt: skip
    assert result.reached is None and len(result.epochs) == 1
    out = io.StringIO()
    preset = benchmark.BenchmarkPreset("quick-sample", "tiny", QUICK_SAMPLE.config, 1.01, True)
    with redirect_stdout(out):
        benchmark.print_budget_table([(preset, 1.0, result)])
    assert "101.0% not met" in out.getvalue()


def test_the_quick_mode_runs_a_preset_and_leaves_out_an_absent_full_set(
    benchmark, monkeypatch, tmp_path
):
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path))  # holds no fashion-mnist/
    monkeypatch.setattr(benchmark, "QUICK", {**benchmark.QUICK, "budget": 0.5})
    out = io.StringIO()
    with redirect_stdout(out):
        benchmark.main(["--quick", "--no-page", "--presets", "quick-sample,fashion"])
    text = out.getvalue()
    assert f"{FASHION.title}: left out ({tmp_path / 'fashion-mnist'} lacks" in text
    assert list(tmp_path.iterdir()) == []  # nothing was downloaded
    row = next(line for line in text.splitlines() if line.startswith(QUICK_SAMPLE.title[:43]))
    assert "96.5%" in row
    assert "Page figures left out (--no-page)." in text


def test_unknown_preset_keys_are_named(benchmark):
    with pytest.raises(SystemExit, match="Unknown preset keys: nope"):
        benchmark.main(["--quick", "--presets", "nope"])


@pytest.mark.parametrize("preset", TARGET_PRESETS, ids=lambda preset: preset.key)
def test_the_target_presets_are_configurations_the_mnist_page_takes_as_they_are(preset):
    assert MNIST_PAGE.limit(preset.config) == (preset.config, [])
    assert 0 < preset.target_accuracy < 1 and preset.target_seconds > 0


def test_a_preset_claimed_on_another_test_set_is_scored_on_it(benchmark, sample):
    config = small(QUICK_SAMPLE.config)
    per_epoch = len(sample.y_train) // config.batch_size
    other = (sample.inputs_test[:300], sample.y_test[:300])
    result = benchmark.train_within(config, sample, seconds=600, target=0.0,
                                    max_steps=2 * per_epoch, test=other)  # fmt: skip
    assert result.metrics.n_test == 1000  # the command's own figures stay the sample's
    assert len(result.epochs) == 2
    # Every epoch and the end on the 300 images: multiples of 1/300.
    for accuracy in [p.test_accuracy for p in result.epochs] + [result.final_accuracy]:
        assert round(accuracy * 300, 6).is_integer()
    assert result.epochs[-1].test_accuracy == result.final_accuracy


def test_every_target_names_its_test_set():
    words = {preset.key: preset.test_set_words for preset in TARGET_PRESETS}
    assert words["quick-sample"] == "the sample's 1,000 test images (±0.6 points)"
    assert words["fashion"] == "the full set's 10,000 test images"
    for preset in TARGET_PRESETS:
        if preset.test_set == "mnist-test":
            assert "10,000" in preset.summary and "real MNIST test set" in preset.summary

"""The network you built, as code you can take with you: a plain NumPy notebook or script that
reproduces the run, and a PyTorch twin that loads the trained weights.

The engine (`mlp`) is written for speed: reused buffers and `out=` calls. The export is written
to be read: a class per layer with `forward` and `backward`, one line of NumPy per formula and
the formula beside it, and only the layers, the optimizer and the regularisers this network
uses. It still computes what the engine computes, in the same order where the order changes
the rounding, so the same configuration and seed print the same evaluation numbers as
`python -m playground.train --save-curves` (tested to a relative 1e-5 in float32 for every
activation, optimizer and regulariser, a toy set, a CSV set and the MNIST sample).

- `program_cells(...)`: the program as cells (Markdown and code), the one source of both forms;
- `export_script(...)`: the cells as one `.py` file, the Markdown as comments;
- `export_notebook(...)`: the cells as a Jupyter notebook (built with `nbformat`), plus cells
  that draw the loss curve and, on 2-D points, the decision boundary with Plotly;
- `export_torch_twin(...)`: a PyTorch script that builds the same architecture and loads the
  weights from the model file the pages save (`playground.core.model_io`).

Data: the points of a toy or CSV set are written into the program (in the plot's units, as the
pages draw them), with the code that turns them into the network's inputs; images are read
from the same files the app reads, their path a variable at the top.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mlp import datasets
from mlp.datasets.images import SAMPLE_PATH, TEST_IMAGES, TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS
from mlp.train import AUGMENT_STREAM
from playground.core.config import (
    ACTIVATION_CHOICES,
    OPTIMIZERS,
    STEP_DECAY_GAMMA,
    WARMUP_START_FACTOR,
    Config,
)
from playground.core.data import INPUT_FEATURES, ImageSet, PointData, TrainingData
from playground.core.drawn import PLANE
from playground.core.session import EVALUATION_POINTS

__all__ = [
    "Cell",
    "export_notebook",
    "export_script",
    "export_torch_twin",
    "program_cells",
]

# The feature formulas as the exported program writes them (the lambdas of INPUT_FEATURES).
FEATURE_CODE = {
    "x1": "x1",
    "x2": "x2",
    "x1sq": "x1**2",
    "x2sq": "x2**2",
    "x1x2": "x1 * x2",
    "sinx1": "np.sin(x1)",
    "sinx2": "np.sin(x2)",
}
ACTIVATION_LABELS = dict(ACTIVATION_CHOICES)


@dataclass(frozen=True)
class Cell:
    """One cell of the program: Markdown or code. `notebook_only` cells (the charts) are left
    out of the script."""

    kind: Literal["markdown", "code"]
    text: str
    notebook_only: bool = False


def _md(text: str) -> Cell:
    return Cell("markdown", textwrap.dedent(text).strip())


def _code(text: str, notebook_only: bool = False) -> Cell:
    return Cell("code", textwrap.dedent(text).strip(), notebook_only)


# -- numbers written into the program -----------------------------------------------------------


def _float32_text(values: np.ndarray) -> list[str]:
    """Each float32 value as the shortest text that reads back as exactly that float32 (through
    a float64, as `np.array(..., dtype=np.float32)` reads it)."""
    values = np.asarray(values, dtype=np.float32).ravel()
    texts = [str(v) for v in values.tolist()]  # float64 reprs: exact, but long
    short = [np.format_float_positional(v, unique=True, trim="-") for v in values]
    back = np.array([float(t) for t in short], dtype=np.float64).astype(np.float32)
    same = back.view(np.uint32) == values.view(np.uint32)
    return [s if ok else t for s, t, ok in zip(short, texts, same, strict=True)]


def _matrix_literal(
    name: str, values: np.ndarray, per_line: int = 4, shown: int | None = None
) -> str:
    """`name = np.array([[...], ...], dtype=np.float32)` for an (N, 2) float32 array; with
    `shown`, only its first rows and a comment saying how many more there are."""
    rows = np.asarray(values, dtype=np.float32)
    if len(rows) == 0:
        return f"{name} = np.empty((0, {rows.shape[1]}), dtype=np.float32)"
    more = 0
    if shown is not None and len(rows) > shown:
        rows, more = rows[:shown], len(rows) - shown
    texts = _float32_text(rows)
    width = rows.shape[1]
    pairs = [
        "[" + ", ".join(texts[i * width : (i + 1) * width]) + "]" for i in range(rows.shape[0])
    ]
    lines = [", ".join(pairs[i : i + per_line]) for i in range(0, len(pairs), per_line)]
    body = ",\n    ".join(lines) + "," + (f"\n    # … {more:,} more rows" if more else "")
    return f"{name} = np.array([\n    {body}\n], dtype=np.float32).reshape(-1, {width})"


def _labels_literal(
    name: str, labels: np.ndarray, per_line: int = 30, shown: int | None = None
) -> str:
    values = [str(int(v)) for v in np.asarray(labels).ravel()]
    if not values:
        return f"{name} = np.empty(0, dtype=np.int64)"
    more = 0
    if shown is not None and len(values) > shown:
        values, more = values[:shown], len(values) - shown
    lines = [", ".join(values[i : i + per_line]) for i in range(0, len(values), per_line)]
    body = ",\n    ".join(lines) + "," + (f"\n    # … {more:,} more" if more else "")
    return f"{name} = np.array([\n    {body}\n], dtype=np.int64)"


def _number(value: float) -> str:
    """A setting as Python source: the shortest text of the float (repr)."""
    return repr(float(value))


# -- the cells ------------------------------------------------------------------------------------


def _title_cells(config: Config, data: TrainingData, steps: int, note: str | None) -> list[Cell]:
    layers = " → ".join(
        [str(data.inputs_train.shape[1])]
        + [f"{layer.units} {ACTIVATION_LABELS[layer.activation]}" for layer in config.hidden]
        + [f"{len(data.class_names)} classes"]
    )
    extras = []
    if config.batch_norm:
        extras.append("batch norm")
    if config.dropout or config.input_dropout:
        extras.append("dropout")
    if config.max_norm:
        extras.append("max-norm")
    if config.weight_decay:
        extras.append("L2 weight decay")
    if config.l1:
        extras.append("an L1 penalty")
    if config.shift:
        extras.append("random shifts of the training images")
    if config.schedule != "constant":
        extras.append(f"{SCHEDULE_NAMES[config.schedule]} of the learning rate")
    with_ = f", with {', '.join(extras)}" if extras else ""
    text = f"""
    # An MLP from scratch, in NumPy

    The network you built in MLP Playground: **{layers}**{with_}, trained with
    {OPTIMIZERS[config.optimizer].label} on {_data_label(config)}.

    Every layer is a small class with a `forward` and a `backward`; each formula is one line of
    NumPy, with the maths beside it. Nothing else is needed: no autograd, no framework.

    The same settings and the same seeds draw the same initial weights and the same minibatches
    as the app, so the numbers this prints are the ones the app showed, step by step.
    """
    cells = [_md(text)]
    if note:
        cells.append(_md(f"**Note.** {note}"))
    return cells


def _data_label(config: Config) -> str:
    if config.is_images:
        source = "the offline sample" if config.source == "sample" else "the full set"
        return f"{datasets.IMAGE_DATASETS[config.dataset]} ({source})"
    if config.dataset == "csv":
        return "your own CSV points"
    if config.dataset == "drawn":
        return "points drawn by hand"
    return f"the {datasets.TOY_DATASETS[config.dataset]} points"


def _settings_cell(config: Config, steps: int) -> Cell:
    lines = [
        "import numpy as np",
        "",
        f"STEPS = {steps}  # minibatches to train",
        f"SEED = {config.seed}  # initial weights and dropout masks",
        f"BATCH_SIZE = {config.batch_size}",
    ]
    if config.schedule == "constant":
        lines.append(f"LEARNING_RATE = {_number(config.lr)}")
    else:
        lines += [
            f"BASE_LEARNING_RATE = {_number(config.lr)}  # η₀: the schedule starts from it",
            f"SCHEDULE_STEPS = {config.schedule_steps}  # N: the schedule's length in steps",
            "LEARNING_RATE = BASE_LEARNING_RATE  # set before every step from the schedule",
        ]
    if config.weight_decay:
        lines.append(f"WEIGHT_DECAY = {_number(config.weight_decay)}  # L2 penalty λ")
    if config.l1:
        lines.append(f"L1 = {_number(config.l1)}  # L1 penalty λ₁")
    if config.shift:
        lines.append(f"SHIFT = {config.shift}  # largest random shift of a training image, pixels")
    if config.optimizer in ("momentum", "nesterov"):
        lines.append(f"MOMENTUM = {_number(config.momentum)}")
    if config.optimizer == "rmsprop":
        lines.append(f"RHO = {_number(config.rho)}")
    if config.optimizer == "adam":
        lines.append(f"BETA1, BETA2 = {_number(config.beta1)}, {_number(config.beta2)}")
    if config.dropout:
        lines.append(f"DROPOUT = {_number(config.dropout)}  # share of hidden units dropped")
    if config.input_dropout:
        lines.append(f"INPUT_DROPOUT = {_number(config.input_dropout)}  # share of inputs dropped")
    if config.max_norm:
        lines.append(f"MAX_NORM = {_number(config.max_norm)}  # longest incoming weight vector")
    hidden = ", ".join(f"({layer.units}, {layer.activation!r})" for layer in config.hidden)
    lines.append(f"HIDDEN = [{hidden}]  # (units, activation) per hidden layer")
    return _code("\n".join(lines))


def _point_data_cells(config: Config, data: PointData, shown: int | None) -> list[Cell]:
    features = data.features
    formulas = ", ".join(FEATURE_CODE[name] for name in features)
    labels = ", ".join(INPUT_FEATURES[name].label for name in features)
    names = ", ".join(repr(name) for name in data.class_names)
    noise = ""
    if config.label_noise:
        noise = (
            f"\n\n{config.label_noise:.0%} of the training labels were flipped to another class "
            "(label noise); the test labels are true."
        )
    drawn = config.dataset == "drawn"
    if drawn:
        text = f"""
        ## The data

        {len(data.y_train):,} points drawn by hand on the plane from {-PLANE:g} to {PLANE:g},
        with their classes: all of them for training, none held out for testing.

        The network does not see them as they are: each coordinate is standardised on the
        plane itself (the grid of the app's chart, not the points, so that a point drawn
        later does not move the others; z = (x − mean) / std), turned into the inputs
        {labels}, and each input standardised again on the plane, so no input starts out
        dominating.
        """
    else:
        text = f"""
        ## The data

        {len(data.y_train):,} training and {len(data.y_test):,} test points, in the units of
        the app's chart, with their classes.{noise}

        The network does not see them as they are: each coordinate is standardised on the
        training points (z = (x − mean) / std), turned into the inputs {labels}, and each
        input standardised again, so no input starts out dominating.
        """
    code = "\n".join(
        [
            _matrix_literal("X_train", data.X_train, shown=shown),
            _labels_literal("y_train", data.y_train, shown=shown),
            _matrix_literal("X_test", data.X_test, shown=shown),
            _labels_literal("y_test", data.y_test, shown=shown),
            f"CLASS_NAMES = [{names}]",
        ]
    )
    scale_on, scale_points = "", "X_train"
    if drawn:
        grid = len(data.grid_x)
        scale_on = "\n    ".join([
            f"plane = np.linspace({-PLANE:g}, {PLANE:g}, {grid}, dtype=np.float32)  # the grid",
            "mesh_x, mesh_y = np.meshgrid(plane, plane)",
            "plane_points = np.column_stack([mesh_x.ravel(), mesh_y.ravel()])",
        ])  # fmt: skip
        scale_points = "plane_points"
    prepare = f'''
    def fit_standardiser(X):
        """Mean and standard deviation of each column (a constant column keeps std 1)."""
        X = X.astype(np.float64)
        mean, std = X.mean(axis=0), X.std(axis=0)
        return mean, np.where(std > 0.0, std, 1.0)


    def standardise(X, mean_std):
        # z = (x − mean) / std
        mean, std = mean_std
        return ((X.astype(np.float64) - mean) / std).astype(np.float32)


    def features(Z):
        """The network's inputs ({labels}) of standardised points Z: (N, 2)."""
        x1, x2 = Z.astype(np.float64).T
        return np.column_stack([{formulas}])


    {scale_on}
    point_scale = fit_standardiser({scale_points})
    feature_scale = fit_standardiser(features(standardise({scale_points}, point_scale)))


    def inputs_of(points):
        """Points in the chart's units -> the network's inputs: (N, {len(features)}) float32."""
        return standardise(features(standardise(points, point_scale)), feature_scale)


    inputs_train, inputs_test = inputs_of(X_train), inputs_of(X_test)
    print("inputs:", inputs_train.shape, "training,", inputs_test.shape, "test")
    '''
    return [_md(text), _code(code), _code(prepare)]


def _image_data_cells(config: Config, data: ImageSet, data_path: str | None) -> list[Cell]:
    names = ", ".join(repr(name) for name in data.class_names)
    if config.source == "sample":
        path = data_path or str(SAMPLE_PATH)
        text = f"""
        ## The data

        The offline sample of {datasets.IMAGE_DATASETS[config.dataset]} that comes with the
        app: {len(data.y_train):,} training and {len(data.y_test):,} test images of 28 × 28
        pixels. Each image becomes a row of 784 numbers in [0, 1].
        """
        code = f"""
        DATA_FILE = {path!r}  # mlp/datasets/mnist_sample.npz in the app's folder

        with np.load(DATA_FILE) as sample:
            train_images, y_train = sample["train_images"], sample["train_labels"]
            test_images, y_test = sample["test_images"], sample["test_labels"]
        """
    else:
        path = data_path or "data"
        text = f"""
        ## The data

        The full {datasets.IMAGE_DATASETS[config.dataset]}: {len(data.y_train):,} training and
        {len(data.y_test):,} test images of 28 × 28 pixels, from the IDX files the app
        downloaded (`python -m mlp.datasets download {config.dataset}` fetches them). Each image
        becomes a row of 784 numbers in [0, 1].
        """
        code = f'''
        import gzip
        from pathlib import Path

        DATA_DIR = Path({path!r})  # the folder holding the four .gz files


        def read_idx(name):
            """An IDX file (the MNIST format): a 4-byte magic, the sizes, then uint8 data."""
            raw = gzip.decompress((DATA_DIR / name).read_bytes())
            dims = raw[3]
            shape = np.frombuffer(raw, ">u4", count=dims, offset=4)
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


        train_images, y_train = read_idx({TRAIN_IMAGES!r}), read_idx({TRAIN_LABELS!r})
        test_images, y_test = read_idx({TEST_IMAGES!r}), read_idx({TEST_LABELS!r})
        '''
    code = textwrap.dedent(code) + textwrap.dedent(f"""
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    # pixels: 0..255 -> [0, 1], one row of 784 per image
    inputs_train = train_images.reshape(len(train_images), -1).astype(np.float32) / np.float32(255)
    inputs_test = test_images.reshape(len(test_images), -1).astype(np.float32) / np.float32(255)
    CLASS_NAMES = [{names}]
    print("inputs:", inputs_train.shape, "training,", inputs_test.shape, "test")
    """)
    return [_md(text), _code(code)]


def _data_cells(
    config: Config, data: TrainingData, data_path: str | None, shown: int | None = None
) -> list[Cell]:
    if isinstance(data, PointData):
        return _point_data_cells(config, data, shown)
    if isinstance(data, ImageSet):
        return _image_data_cells(config, data, data_path)
    raise TypeError(f"Cannot export a run on {type(data).__name__}.")


INIT_CODE = {
    "xavier": (
        "Xavier (Glorot) normal: W ~ N(0, σ²), σ = √(2 / (n_in + n_out)), which keeps the "
        "spread of the signal about the same from layer to layer",
        "std = np.sqrt(2.0 / (n_in + n_out))\n"
        "self.W = (rng.standard_normal((n_in, n_out)) * std).astype(np.float32)",
    ),
    "xavier_uniform": (
        "Xavier (Glorot) uniform: W ~ U(−a, a), a = √(6 / (n_in + n_out))",
        "limit = np.sqrt(6.0 / (n_in + n_out))\n"
        "self.W = rng.uniform(-limit, limit, size=(n_in, n_out)).astype(np.float32)",
    ),
    "he": (
        "He (Kaiming) normal: W ~ N(0, σ²), σ = √(2 / n_in), made for ReLU units",
        "std = np.sqrt(2.0 / n_in)\n"
        "self.W = (rng.standard_normal((n_in, n_out)) * std).astype(np.float32)",
    ),
    "small": (
        "small random weights: W ~ N(0, 0.01²)",
        "self.W = (rng.standard_normal((n_in, n_out)) * 0.01).astype(np.float32)",
    ),
}


def _dense_cell(config: Config) -> list[Cell]:
    words, init = INIT_CODE[config.init]
    init = textwrap.indent(init, " " * 12)
    text = f"""
    ## The layers

    **Dense**: every unit j sums its weighted inputs, z = x·W + b. Its weights start
    {words}; its biases start at zero.

    Backward, with δ = ∂L/∂z coming from above: ∂L/∂W = xᵀ·δ, ∂L/∂b = Σₙ δₙ, ∂L/∂x = δ·Wᵀ.
    """
    code = f'''
    class Dense:
        """z = x · W + b.   x: (N, n_in), W: (n_in, n_out), b: (n_out,)."""

        def __init__(self, n_in, n_out, rng):
{init}
            self.b = np.zeros(n_out, np.float32)

        def forward(self, x, train):
            self.x = x
            return x @ self.W + self.b  # z = x·W + b

        def backward(self, dz):
            self.dW = self.x.T @ dz  # ∂L/∂W = xᵀ·δ
            # ∂L/∂b = Σₙ δₙ, the sum over the batch, written as a product with a row of ones
            # as the app computes it (the same sum; the last bit of rounding agrees too)
            self.db = np.ones(len(dz), np.float32) @ dz
            return dz @ self.W.T  # ∂L/∂x = δ·Wᵀ

        def parameters(self):
            return [(self.W, self.dW), (self.b, self.db)]
    '''
    return [_md(text), _code(code)]


ACTIVATION_CELLS = {
    "relu": (
        "**ReLU**: a = max(z, 0). It passes the gradient where the unit is active: "
        "∂a/∂z = 1 where z > 0, else 0.",
        '''
        class ReLU:
            """a = max(z, 0)."""

            def forward(self, z, train):
                self.a = np.maximum(z, 0)
                return self.a

            def backward(self, da):
                return da * (self.a > 0)  # ∂L/∂z = ∂L/∂a · [z > 0]

            def parameters(self):
                return []
        ''',
    ),
    "leaky_relu": (
        "**Leaky ReLU**: a = z where z > 0, else 0.01·z, so a unit never goes quite dead: "
        "∂a/∂z = 1 or 0.01.",
        '''
        class LeakyReLU:
            """a = z where z > 0, else α·z (α = 0.01)."""

            alpha = 0.01

            def forward(self, z, train):
                self.z = z
                return np.where(z > 0, z, self.alpha * z)

            def backward(self, da):
                return np.where(self.z > 0, da, self.alpha * da)  # ∂L/∂z = ∂L/∂a · (1 or α)

            def parameters(self):
                return []
        ''',
    ),
    "tanh": (
        "**tanh**: a = tanh(z), between −1 and 1, with ∂a/∂z = 1 − a².",
        '''
        class Tanh:
            """a = tanh(z)."""

            def forward(self, z, train):
                self.a = np.tanh(z)
                return self.a

            def backward(self, da):
                return (1 - self.a**2) * da  # ∂L/∂z = (1 − a²) · ∂L/∂a

            def parameters(self):
                return []
        ''',
    ),
    "sigmoid": (
        "**Sigmoid**: a = σ(z) = 1 / (1 + e⁻ᶻ), between 0 and 1, with ∂a/∂z = a·(1 − a). It "
        "is computed as ½ + ½·tanh(z/2), the same function, so e⁻ᶻ never overflows.",
        '''
        class Sigmoid:
            """a = σ(z) = 1 / (1 + exp(−z)) = ½ + ½·tanh(z/2)."""

            def forward(self, z, train):
                self.a = 0.5 * np.tanh(0.5 * z) + 0.5
                return self.a

            def backward(self, da):
                return (1 - self.a) * self.a * da  # ∂L/∂z = a·(1 − a) · ∂L/∂a

            def parameters(self):
                return []
        ''',
    ),
    "elu": (
        "**ELU** (Clevert et al., 2016): a = z where z > 0, else eᶻ − 1, which levels off at −1. "
        "∂a/∂z = 1 where z > 0, else eᶻ = a + 1. The exponential only sees min(z, 0), so a "
        "large z cannot overflow.",
        '''
        class ELU:
            """a = z where z > 0, else exp(z) − 1."""

            def forward(self, z, train):
                self.a = np.maximum(z, np.expm1(np.minimum(z, 0)))
                return self.a

            def backward(self, da):
                return np.minimum(self.a + 1, 1) * da  # ∂L/∂z = (1 or eᶻ) · ∂L/∂a

            def parameters(self):
                return []
        ''',
    ),
    "gelu": (
        "**GELU** (Hendrycks & Gimpel, 2016), in its tanh form: a = ½·z·(1 + tanh(u)) with "
        "u = √(2/π)·(z + 0.044715·z³). Smooth, near 0 for negative z and near z for positive.",
        '''
        class GELU:
            """a = ½ · z · (1 + tanh(√(2/π) · (z + 0.044715 · z³)))."""

            C, K = 0.7978845608028654, 0.044715  # C = √(2/π), as a Python number: a NumPy
            # float64 would turn the float32 arrays into float64 ones

            def forward(self, z, train):
                self.z = z
                self.t = np.tanh((z * z * (self.C * self.K) + self.C) * z)  # tanh(u)
                return 0.5 * (z * self.t + z)

            def backward(self, da):
                z, t, C, K = self.z, self.t, self.C, self.K
                # ∂a/∂z = ½·(1 + t) + ½·z·(1 − t²)·∂u/∂z,   ∂u/∂z = C·(1 + 3K·z²)
                return ((1 - t * t) * z * (z * z * (3 * C * K) + C) + t + 1) * 0.5 * da

            def parameters(self):
                return []
        ''',
    ),
    "silu": (
        "**SiLU** or swish (Elfwing et al., 2018): a = z·σ(z), with "
        "∂a/∂z = σ(z)·(1 + z·(1 − σ(z))). σ is computed as ½ + ½·tanh(z/2).",
        '''
        class SiLU:
            """a = z · σ(z)."""

            def forward(self, z, train):
                self.z = z
                self.s = 0.5 * np.tanh(0.5 * z) + 0.5  # σ(z)
                return z * self.s

            def backward(self, da):
                return ((1 - self.s) * self.z + 1) * self.s * da  # σ·(1 + z·(1 − σ)) · ∂L/∂a

            def parameters(self):
                return []
        ''',
    ),
    "sine": (
        "**Sine**: a = sin(z), with ∂a/∂z = cos(z): a periodic unit, good at fitting waves.",
        '''
        class Sine:
            """a = sin(z)."""

            def forward(self, z, train):
                self.z = z
                return np.sin(z)

            def backward(self, da):
                return np.cos(self.z) * da  # ∂L/∂z = cos(z) · ∂L/∂a

            def parameters(self):
                return []
        ''',
    ),
    "linear": (
        "**Linear**: no activation, a = z. Layers of it in a row add up to one linear map, "
        "whatever their number.",
        '''
        class Linear:
            """a = z: no activation."""

            def forward(self, z, train):
                return z

            def backward(self, da):
                return da

            def parameters(self):
                return []
        ''',
    ),
}

BATCH_NORM_CELL = (
    """
    **Batch norm** (Ioffe & Szegedy, 2015), after each hidden Dense layer: in training each unit
    is normalised over the minibatch, x̂ = (x − μ) / √(σ² + ε), then scaled and shifted,
    y = γ·x̂ + β, with γ and β learned. Running averages of μ and σ² replace the batch's in
    evaluation. Backward:
    ∂L/∂x = γ / √(σ² + ε) · (δ − mean(δ) − x̂ · mean(δ ⊙ x̂)), δ = ∂L/∂y.
    """,
    '''
    class BatchNorm:
        """y = γ · (x − μ) / √(σ² + ε) + β, per unit, over the batch."""

        momentum, eps = 0.1, 1e-5

        def __init__(self, n):
            self.gamma, self.beta = np.ones(n, np.float32), np.zeros(n, np.float32)
            self.running_mean, self.running_var = np.zeros(n, np.float32), np.ones(n, np.float32)

        def forward(self, x, train):
            if not train:
                # the running statistics instead of the batch's:
                # y = γ·(x − μ̄)/√(σ̄² + ε) + β = x·s + (β − μ̄·s),  s = γ/√(σ̄² + ε)
                scale = self.gamma / np.sqrt(self.running_var + self.eps)
                return x * scale + (self.beta - self.running_mean * scale)
            n = len(x)
            # μ = (1/N)·Σₙ xₙ and σ² = (1/N)·Σₙ (xₙ − μ)², written as products with a row of
            # 1/N as the app computes them (the same means, to the last bit)
            weights = np.full(n, 1 / n, np.float32)
            mean = weights @ x
            centred = x - mean
            var = weights @ (centred * centred)
            self.inv_std = 1 / np.sqrt(var + self.eps)  # 1 / √(σ² + ε)
            self.x_hat = centred * self.inv_std  # x̂ = (x − μ) / √(σ² + ε)
            # running averages: μ̄ ← 0.9·μ̄ + 0.1·μ, σ̄² ← 0.9·σ̄² + 0.1·σ²·N/(N − 1)
            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean
            if n > 1:
                self.running_var = (1 - self.momentum) * self.running_var + (
                    self.momentum * n / (n - 1)
                ) * var
            return self.x_hat * self.gamma + self.beta  # y = γ·x̂ + β

        def backward(self, dy):
            n = len(dy)
            ones = np.ones(n, np.float32)
            self.dbeta = ones @ dy  # ∂L/∂β = Σₙ δₙ
            self.dgamma = ones @ (dy * self.x_hat)  # ∂L/∂γ = Σₙ δₙ ⊙ x̂ₙ
            # ∂L/∂x = (δ − x̂·(∂L/∂γ)/N − (∂L/∂β)/N) ⊙ γ / √(σ² + ε)
            dx = dy - self.x_hat * (self.dgamma / n) - self.dbeta / n
            return dx * (self.gamma * self.inv_std)

        def parameters(self):
            return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]
    ''',
)

DROPOUT_CELL = (
    """
    **Dropout** (Srivastava et al., 2014): in training each unit is dropped (set to 0) with
    probability p and the kept ones are scaled by 1 / (1 − p), so the expected activation is
    unchanged and evaluation uses every unit as it is. Backward multiplies by the same mask.

    The mask is drawn from 16 random bits per unit, four units per 64-bit draw, as the app draws
    it: faster than a random float per unit, and the same bits give the same masks as in the
    app.
    """,
    '''
    class Dropout:
        """y = x ⊙ m / (1 − p) in training, m ~ Bernoulli(1 − p); y = x in evaluation."""

        def __init__(self, p, rng):
            self.p, self.rng = p, rng
            # a unit is kept when its 16 bits, read as u in 0..65535, are ≥ 65536·p
            self.threshold = np.uint16(min(round(p * 65536), 65535))

        def forward(self, x, train):
            if not train:
                return x
            bits = self.rng.bit_generator.random_raw((x.size + 3) // 4).view(np.uint16)[: x.size]
            kept = (bits >= self.threshold).reshape(x.shape)
            self.mask = kept.astype(np.float32) * (1 / (1 - self.p))
            return x * self.mask

        def backward(self, dy):
            return dy * self.mask  # ∂L/∂x = δ ⊙ m / (1 − p)

        def parameters(self):
            return []
    ''',
)

LOSS_CELL = (
    """
    ## The loss

    **Softmax cross-entropy**: the logits z become probabilities pⱼ = e^zⱼ / Σₖ e^zₖ, and the
    loss of a sample of class y is −log p_y, averaged over the batch. Its gradient is simply
    ∂L/∂z = (p − onehot(y)) / N. Each row is shifted by its largest logit first, which changes
    nothing in p but keeps e^z from overflowing.
    """,
    '''
    def softmax_cross_entropy(logits, labels):
        """Mean loss over the batch, and ∂L/∂logits: (N, C)."""
        n = len(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)  # z − maxₖ zₖ
        exp = np.exp(shifted)
        sum_exp = exp.sum(axis=1)
        rows = np.arange(n)
        # L = (1/N) · Σₙ (log Σⱼ e^zₙⱼ − zₙ,yₙ)
        loss = float((np.log(sum_exp) - shifted[rows, labels]).sum()) / n
        # ∂L/∂z = (softmax(z) − onehot(y)) / N
        grad = exp / (n * sum_exp)[:, None]
        grad[rows, labels] -= 1 / n
        return loss, grad
    ''',
)

OPTIMIZER_CELLS = {
    "sgd": (
        "**SGD**: each parameter takes a step against its gradient, θ ← θ − η·g.",
        """
        def make_optimizer(parameters):
            def step():
                for theta, grad in parameters():
                    {decay}theta -= LEARNING_RATE * grad  # θ ← θ − η·g

            return step
        """,
    ),
    "momentum": (
        "**SGD with momentum** (Polyak, 1964): a velocity b sums past gradients, "
        "b ← μ·b + g (b = g at the first step), and the parameter steps along it, "
        "θ ← θ − η·b.",
        """
        def make_optimizer(parameters):
            velocities = {{}}

            def step():
                for theta, grad in parameters():
                    {decay}b = velocities.get(id(theta))
                    b = grad.copy() if b is None else MOMENTUM * b + grad  # b ← μ·b + g
                    velocities[id(theta)] = b
                    theta -= LEARNING_RATE * b  # θ ← θ − η·b

            return step
        """,
    ),
    "nesterov": (
        "**SGD with Nesterov momentum** (Sutskever et al., 2013): as momentum, "
        "b ← μ·b + g, but the step looks ahead along the velocity: θ ← θ − η·(g + μ·b).",
        """
        def make_optimizer(parameters):
            velocities = {{}}

            def step():
                for theta, grad in parameters():
                    {decay}b = velocities.get(id(theta))
                    b = grad.copy() if b is None else MOMENTUM * b + grad  # b ← μ·b + g
                    velocities[id(theta)] = b
                    theta -= LEARNING_RATE * (grad + MOMENTUM * b)  # θ ← θ − η·(g + μ·b)

            return step
        """,
    ),
    "adagrad": (
        "**AdaGrad** (Duchi et al., 2011): each number gets its own step size, which shrinks "
        "with the squared gradients it has seen: s ← s + g², θ ← θ − η·g / (√s + ε).",
        """
        def make_optimizer(parameters, eps=1e-10):
            sums = {{}}

            def step():
                for theta, grad in parameters():
                    {decay}s = sums.get(id(theta), 0) + grad * grad  # s ← s + g²
                    sums[id(theta)] = s
                    theta -= LEARNING_RATE * (grad / (np.sqrt(s) + eps))  # θ ← θ − η·g/(√s + ε)

            return step
        """,
    ),
    "rmsprop": (
        "**RMSProp** (Tieleman & Hinton, 2012): divide the gradient by a running root mean "
        "square of recent gradients: v ← ρ·v + (1 − ρ)·g², θ ← θ − η·g / (√v + ε).",
        """
        def make_optimizer(parameters, eps=1e-8):
            squares = {{}}

            def step():
                for theta, grad in parameters():
                    {decay}v = squares.get(id(theta), 0)
                    v = RHO * v + (1 - RHO) * grad**2  # v ← ρ·v + (1 − ρ)·g²
                    squares[id(theta)] = v
                    theta -= LEARNING_RATE * (grad / (np.sqrt(v) + eps))  # θ ← θ − η·g/(√v + ε)

            return step
        """,
    ),
    "adam": (
        "**Adam** (Kingma & Ba, 2015): momentum on the gradient and on its square, with a bias "
        "correction for their start at zero. At step t: m ← β₁·m + (1 − β₁)·g, "
        "v ← β₂·v + (1 − β₂)·g², θ ← θ − η·m̂ / (√v̂ + ε) with m̂ = m / (1 − β₁ᵗ) and "
        "v̂ = v / (1 − β₂ᵗ).\n\n"
        "The code keeps the moments without their constant factors, m = (1 − β₁)·m_sum and "
        "v = (1 − β₂)·v_sum, and folds both bias corrections into two numbers (section 2 of "
        "the paper): the same step, computed as the app computes it, so its rounding agrees "
        "to the last bit. That matters more than it seems: a gradient that is only rounding "
        "noise (a bias just before batch norm) still gets a full step from Adam.",
        """
        import math


        def make_optimizer(parameters, eps=1e-8):
            moments = {{}}
            t = 0

            def step():
                nonlocal t
                t += 1
                # η·m̂/(√v̂ + ε) = size · m_sum / (√v_sum + ε·k),  k = √((1 − β₂ᵗ)/(1 − β₂)),
                # size = η·(1 − β₁)/(1 − β₁ᵗ)·k
                k = math.sqrt((1 - BETA2**t) / (1 - BETA2))
                size = LEARNING_RATE * (1 - BETA1) / (1 - BETA1**t) * k
                for theta, grad in parameters():
                    {decay}m_sum, v_sum = moments.get(id(theta), (0, 0))
                    m_sum = BETA1 * m_sum + grad  # m ← β₁·m + (1 − β₁)·g
                    v_sum = BETA2 * v_sum + grad * grad  # v ← β₂·v + (1 − β₂)·g²
                    moments[id(theta)] = m_sum, v_sum
                    theta -= size * (m_sum / (np.sqrt(v_sum) + eps * k))  # θ ← θ − η·m̂/(√v̂ + ε)

            return step
        """,
    ),
}

MAX_NORM_CELL = (
    """
    **Max-norm** (Srivastava et al., 2014): after each step, a unit whose incoming weights
    (a column of W) are longer than c is scaled back to length c: w ← w · min(1, c / ‖w‖).
    """,
    """
    def apply_max_norm(network):
        for layer in network:
            if isinstance(layer, Dense):
                norms = np.sqrt(np.einsum("ij,ij->j", layer.W, layer.W))  # ‖w_j‖ per column
                if norms.max() > MAX_NORM:
                    layer.W *= MAX_NORM / np.maximum(norms, MAX_NORM)  # w ← w·min(1, c/‖w‖)
    """,
)


def _layer_cells(config: Config) -> list[Cell]:
    cells = _dense_cell(config)
    if config.batch_norm:
        text, code = BATCH_NORM_CELL
        cells += [_md(text), _code(code)]
    for activation in dict.fromkeys(layer.activation for layer in config.hidden):
        text, code = ACTIVATION_CELLS[activation]
        cells += [_md(text), _code(code)]
    if config.dropout or config.input_dropout:
        text, code = DROPOUT_CELL
        cells += [_md(text), _code(code)]
    if config.shift:
        text, code = SHIFT_CELL
        cells += [_md(text), _code(code)]
    text, code = LOSS_CELL
    cells += [_md(text), _code(code)]
    return cells


def _optimizer_cells(config: Config) -> list[Cell]:
    text, code = OPTIMIZER_CELLS[config.optimizer]
    decay = ""
    if config.weight_decay:
        decay = "grad = grad + WEIGHT_DECAY * theta  # L2: g ← g + λ·θ\n" + " " * 12
        text += (
            " With **L2 weight decay**, λ·θ is added to every gradient first: the gradient of "
            "the penalty (λ/2)·‖θ‖²."
        )
    if config.l1:
        decay += "grad = grad + L1 * np.sign(theta)  # L1: g ← g + λ₁·sign(θ)\n" + " " * 12
        text += (
            " With the **L1 penalty** λ₁·Σ|θ|, λ₁·sign(θ) is added to every gradient "
            "(sign(0) = 0): a constant pull towards zero that sets small weights to exactly "
            "zero, where L2's pull fades with the weight."
        )
    cells = [_md("## Learning\n\n" + text), _code(textwrap.dedent(code).format(decay=decay))]
    if config.schedule != "constant":
        text, code = SCHEDULE_CELLS[config.schedule]
        cells += [_md(text), _code(code)]
    if config.max_norm:
        text, code = MAX_NORM_CELL
        cells += [_md(text), _code(code)]
    return cells


SCHEDULE_NAMES = {"step": "step decay", "cosine": "cosine annealing", "warmup": "linear warm-up"}
# The schedules of `mlp.schedules`, written as the engine computes them (the same order of
# operations, so the same floats), with the constants of `playground.core.config`.
SCHEDULE_CELLS = {
    "step": (
        f"""
        **Step decay**: the learning rate is multiplied by γ = {STEP_DECAY_GAMMA:g} every N
        steps, η_t = η₀ · γ^⌊t / N⌋ (PyTorch's `StepLR(step_size=N, gamma={STEP_DECAY_GAMMA:g})`).
        """,
        f"""
        DECAY = {STEP_DECAY_GAMMA!r}  # γ: the factor of each decay


        def learning_rate(t):
            # η_t = η₀ · γ^⌊t / N⌋   (t = 0 for the first step)
            return BASE_LEARNING_RATE * DECAY ** (t // SCHEDULE_STEPS)
        """,
    ),
    "cosine": (
        """
        **Cosine annealing** (Loshchilov & Hutter, 2017): the learning rate falls along half a
        cosine from η₀ to 0 at step N, η_t = η₀ · (1 + cos(π·t / N)) / 2 (PyTorch's
        `CosineAnnealingLR(T_max=N)`; past N the cosine goes on and rises again).
        """,
        """
        import math


        def learning_rate(t):
            # η_t = η₀ · (1 + cos(π·t / N)) / 2   (t = 0 for the first step)
            return BASE_LEARNING_RATE * (1 + math.cos(math.pi * t / SCHEDULE_STEPS)) / 2
        """,
    ),
    "warmup": (
        f"""
        **Linear warm-up** (Goyal et al., 2017): the learning rate rises in a straight line
        from {WARMUP_START_FACTOR:g} · η₀ to η₀ over the first N steps, then stays there,
        η_t = η₀ · (f + (1 − f) · min(t, N) / N) with f = {WARMUP_START_FACTOR:g} (PyTorch's
        `LinearLR(start_factor={WARMUP_START_FACTOR:g}, total_iters=N)`).
        """,
        f"""
        WARMUP_START = {WARMUP_START_FACTOR!r}  # f: the share of η₀ at step 0


        def learning_rate(t):
            # η_t = η₀ · (f + (1 − f) · min(t, N) / N)   (t = 0 for the first step)
            progress = min(t, SCHEDULE_STEPS) / SCHEDULE_STEPS
            return BASE_LEARNING_RATE * (WARMUP_START + (1.0 - WARMUP_START) * progress)
        """,
    ),
}

SHIFT_CELL = (
    """
    **Random shifts** (data augmentation): at every step each training image of the minibatch
    is moved by its own random (dx, dy), whole pixels from −SHIFT to SHIFT each way, and what
    comes in from the edge is black (0). The network sees each digit in many places, so it
    learns the digit rather than where it sits. The test images are never moved. The shifts
    have a random stream of their own, so the minibatches and the dropout masks are those of
    a run without shifts.
    """,
    f"""
    shift_rng = np.random.default_rng(np.random.SeedSequence(SEED).spawn({AUGMENT_STREAM + 1})[-1])


    def random_shifts(images, rng, height=28, width=28):
        # Each image (a row of height·width pixels) moved by its own random (dx, dy).
        n = len(images)
        shifts = rng.integers(-SHIFT, SHIFT + 1, size=(n, 2))  # (dx, dy) per image
        padded = np.zeros((n, height + 2 * SHIFT, width + 2 * SHIFT), images.dtype)
        padded[:, SHIFT : SHIFT + height, SHIFT : SHIFT + width] = images.reshape(n, height, width)
        shifted = np.empty((n, height, width), images.dtype)
        for k, (dx, dy) in enumerate(shifts):
            # out[r, c] = x[r − dy, c − dx]: dx > 0 moves the image right, dy > 0 down
            top, left = SHIFT - dy, SHIFT - dx
            shifted[k] = padded[k, top : top + height, left : left + width]
        return shifted.reshape(n, height * width)
    """,
)


CLASS_NAMES_OF = {
    "relu": "ReLU",
    "leaky_relu": "LeakyReLU",
    "tanh": "Tanh",
    "sigmoid": "Sigmoid",
    "elu": "ELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "sine": "Sine",
    "linear": "Linear",
}


def _network_cells(config: Config) -> list[Cell]:
    text = """
    ## The network

    The layers in order. The seeds are split as the app splits them: one random stream per
    Dense layer for its initial weights and one per dropout layer for its masks, so the same
    seed gives the same network whatever else changes.
    """
    body = ["init_seeds, dropout_seeds = np.random.SeedSequence(SEED).spawn(2)",
            "weight_rngs = [np.random.default_rng(s) for s in init_seeds.spawn(len(HIDDEN) + 1)]",
            "mask_rngs = [np.random.default_rng(s) for s in dropout_seeds.spawn(len(HIDDEN) + 1)]",
            "ACTIVATIONS = {" + ", ".join(
                f"{name!r}: {CLASS_NAMES_OF[name]}"
                for name in dict.fromkeys(layer.activation for layer in config.hidden)
            ) + "}",
            "",
            "network = []"]  # fmt: skip
    if config.input_dropout:
        body.append("network.append(Dropout(INPUT_DROPOUT, mask_rngs[0]))")
    body += [
        "width = inputs_train.shape[1]",
        "for k, (units, activation) in enumerate(HIDDEN):",
        "    network.append(Dense(width, units, weight_rngs[k]))",
    ]
    if config.batch_norm:
        body.append("    network.append(BatchNorm(units))")
    body.append("    network.append(ACTIVATIONS[activation]())")
    if config.dropout:
        body.append("    network.append(Dropout(DROPOUT, mask_rngs[k + 1]))")
    body += [
        "    width = units",
        "network.append(Dense(width, len(CLASS_NAMES), weight_rngs[-1]))",
        "print(' → '.join(type(layer).__name__ for layer in network))",
        "",
        "",
        "def forward(x, train=False):",
        "    for layer in network:",
        "        x = layer.forward(x, train)",
        "    return x",
        "",
        "",
        "def backward(grad):",
        "    for layer in reversed(network):",
        "        grad = layer.backward(grad)",
        "",
        "",
        "def parameters():",
        "    return [pair for layer in network for pair in layer.parameters()]",
        "",
        "",
        "optimizer_step = make_optimizer(parameters)",
    ]
    return [_md(text), _code("\n".join(body))]


def _training_cells(config: Config, steps: int, has_test: bool = True) -> list[Cell]:
    max_norm = "\n        apply_max_norm(network)" if config.max_norm else ""
    batch = "inputs_train[rows]"
    if config.shift:
        batch = "random_shifts(inputs_train[rows], shift_rng)"
    schedule = ""
    if config.schedule != "constant":
        schedule = "\n        LEARNING_RATE = learning_rate(step - 1)  # this step's η_t (t from 0)"
    words = [
        *(["the random shifts"] if config.shift else []),
        "forward, loss, backward",
        *(["the step's learning rate"] if config.schedule != "constant" else []),
        "the optimizer",
        *(["max-norm"] if config.max_norm else []),
    ]
    text = f"""
    ## Training

    Each epoch visits the training set in a fresh random order, {config.batch_size} samples at
    a time (the last incomplete minibatch of an epoch waits for the next shuffle). A step is:
    {", ".join(words)}.

    At the start and after every epoch the network is evaluated (dropout off, batch norm on its
    running statistics) on the training and the test set, on at most {EVALUATION_POINTS:,}
    fixed rows of each, as the app's curves are.
    """
    test_line = "test_loss, test_accuracy = evaluate(inputs_test[test_rows], y_test[test_rows])"
    if not has_test:
        test_line = 'test_loss = test_accuracy = float("nan")  # no test points: all were drawn'
    code = f'''
    def fixed_rows(n, limit, seed):
        """The same random `limit` of n rows every time (all rows if they fit)."""
        if n <= limit:
            return np.arange(n)
        return np.sort(np.random.default_rng(seed).permutation(n)[:limit])


    train_rows = fixed_rows(len(y_train), {EVALUATION_POINTS}, seed=1)
    test_rows = fixed_rows(len(y_test), {EVALUATION_POINTS}, seed=2)


    def evaluate(inputs, labels):
        """(mean loss, accuracy) in evaluation mode."""
        logits = forward(inputs)
        loss, _ = softmax_cross_entropy(logits, labels)
        return loss, float(np.mean(logits.argmax(axis=1) == labels))


    history = []


    def report(step, epoch):
        train_loss, train_accuracy = evaluate(inputs_train[train_rows], y_train[train_rows])
        {test_line}
        history.append((step, train_loss, test_loss, train_accuracy, test_accuracy))
        print(
            f"step {{step:>6}}  epoch {{epoch:>8.4f}}  "
            f"train loss {{train_loss:.7g}}  train accuracy {{train_accuracy:.2%}}  "
            f"test loss {{test_loss:.7g}}  test accuracy {{test_accuracy:.2%}}"
        )


    batch_size = min(BATCH_SIZE, len(y_train))
    batches_per_epoch = len(y_train) // batch_size
    shuffler = np.random.default_rng(SEED)
    order = shuffler.permutation(len(y_train))
    report(0, 0.0)
    step = 0
    while step < STEPS:
        step += 1
        k = (step - 1) % batches_per_epoch  # minibatch k of this epoch
        rows = order[k * batch_size : (k + 1) * batch_size]
        logits = forward({batch}, train=True)
        loss, grad = softmax_cross_entropy(logits, y_train[rows])
        if not np.isfinite(loss):
            print(f"Diverged at step {{step}}: the loss became {{loss}}. Lower the learning rate.")
            step -= 1  # that step was not taken
            break
        backward(grad){schedule}
        optimizer_step(){max_norm}
        if k == batches_per_epoch - 1:  # the end of an epoch: evaluate, reshuffle
            order = shuffler.permutation(len(y_train))
            report(step, step / batches_per_epoch)
    if history[-1][0] != step:
        report(step, step / batches_per_epoch)
    '''
    return [_md(text), _code(code)]


def _chart_cells(data: TrainingData) -> list[Cell]:
    curve = """
    import plotly.graph_objects as go

    steps, train_losses, test_losses = zip(*[(h[0], h[1], h[2]) for h in history])
    figure = go.Figure()
    figure.add_scatter(x=steps, y=train_losses, name="training loss", mode="lines+markers")
    figure.add_scatter(x=steps, y=test_losses, name="test loss", mode="lines+markers")
    figure.update_layout(title="Loss", xaxis_title="step", yaxis_title="cross-entropy")
    figure.show()
    """
    cells = [_md("## Charts\n\nThe loss at every evaluation."), _code(curve, notebook_only=True)]
    if isinstance(data, PointData):
        boundary = """
        # The decision boundary: the class the network picks at every point of a grid.
        points = np.concatenate([X_train, X_test])
        low, high = points.min(axis=0), points.max(axis=0)
        margin = 0.08 * np.where(high > low, high - low, 1.0)
        grid_x = np.linspace(low[0] - margin[0], high[0] + margin[0], 100)
        grid_y = np.linspace(low[1] - margin[1], high[1] + margin[1], 100)
        mesh_x, mesh_y = np.meshgrid(grid_x, grid_y)
        grid = np.column_stack([mesh_x.ravel(), mesh_y.ravel()]).astype(np.float32)
        picked = forward(inputs_of(grid)).argmax(axis=1).reshape(mesh_x.shape)

        figure = go.Figure()
        figure.add_heatmap(x=grid_x, y=grid_y, z=picked, colorscale="RdBu", opacity=0.45,
                           showscale=False, hoverinfo="skip")
        for k, name in enumerate(CLASS_NAMES):
            chosen = y_train == k
            figure.add_scatter(x=X_train[chosen, 0], y=X_train[chosen, 1], mode="markers",
                               name=f"{name} (training)")
        figure.update_layout(title="Decision boundary", xaxis_title="x₁", yaxis_title="x₂")
        figure.show()
        """
        cells.append(_code(boundary, notebook_only=True))
    return cells


def program_cells(
    config: Config,
    data: TrainingData,
    steps: int,
    data_path: str | None = None,
    note: str | None = None,
    shown_points: int | None = None,
) -> list[Cell]:
    """The plain NumPy program that trains `config` on `data` for `steps` minibatches.

    `data_path` is where the exported program reads images from (the sample's `.npz`, or the
    folder of a full set's IDX files); None: the files the app itself reads. `note`, if given,
    is shown under the title (e.g. that settings changed while the run trained).
    `shown_points`: write only that many points of each split (to show the code on a page;
    the program then does not run)."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}.")
    return [
        *_title_cells(config, data, steps, note),
        _settings_cell(config, steps),
        *_data_cells(config, data, data_path, shown_points),
        *_layer_cells(config),
        *_optimizer_cells(config),
        *_network_cells(config),
        *_training_cells(config, steps, has_test=len(data.y_test) > 0),
        *_chart_cells(data),
    ]


def _comment(text: str) -> str:
    """Markdown as a block of comments: a heading underlined, bold marks left out."""
    lines = []
    for line in text.replace("**", "").splitlines():
        heading = line.lstrip("#")
        if heading != line and heading.startswith(" "):
            title = heading.strip()
            lines += [title, "─" * len(title)]
        else:
            lines.append(line)
    return "\n".join(f"# {line}".rstrip() for line in lines)


def export_script(
    config: Config,
    data: TrainingData,
    steps: int,
    data_path: str | None = None,
    note: str | None = None,
    shown_points: int | None = None,
) -> str:
    """`program_cells` as one Python script (Markdown as comments, no charts). Running it with
    a number (`python script.py 500`) trains that many steps instead."""
    parts = []
    for cell in program_cells(config, data, steps, data_path, note, shown_points):
        if cell.notebook_only:
            continue
        parts.append(_comment(cell.text) if cell.kind == "markdown" else cell.text)
        if cell.kind == "code" and cell.text.startswith("import numpy as np"):
            parts.append(
                "import sys\n\nif len(sys.argv) > 1:  # python this_file.py STEPS\n"
                "    STEPS = int(sys.argv[1])"
            )
    return "\n\n\n".join(parts) + "\n"


def export_notebook(
    config: Config,
    data: TrainingData,
    steps: int,
    data_path: str | None = None,
    note: str | None = None,
) -> str:
    """`program_cells` as a Jupyter notebook (nbformat 4 JSON text), charts included."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    for cell in program_cells(config, data, steps, data_path, note):
        make = (
            nbformat.v4.new_markdown_cell if cell.kind == "markdown" else nbformat.v4.new_code_cell
        )
        notebook.cells.append(make(cell.text))
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


# -- the PyTorch twin -----------------------------------------------------------------------------

TORCH_ACTIVATIONS = {
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "elu": "nn.ELU()",
    "gelu": 'nn.GELU(approximate="tanh")',
    "silu": "nn.SiLU()",
    "sine": "Sine()",
    "linear": "nn.Identity()",
}
TORCH_SINE = '''
class Sine(nn.Module):
    """sin(x): torch.nn has no sine unit."""

    def forward(self, x):
        return torch.sin(x)
'''


def export_torch_twin(
    config: Config,
    data: TrainingData,
    model_file: str = "model.npz",
    data_path: str | None = None,
) -> str:
    """A PyTorch script that builds the same architecture, loads the trained weights from the
    model file the app saved (`model_file`) and predicts the test set. It leaves the class
    probabilities in `probabilities` and prints the test accuracy."""
    header = f'''
    """The network you trained in MLP Playground, rebuilt in PyTorch.

    It loads the weights from the model file the app saved (Model → Save weights) and predicts
    the test set with them: the same probabilities as the app's, to float32 rounding.
    """
    import numpy as np
    import torch
    from torch import nn

    MODEL_FILE = {model_file!r}
    '''
    data_code = "\n\n".join(
        cell.text for cell in _data_cells(config, data, data_path) if cell.kind == "code"
    )
    modules = []
    width = "inputs_train.shape[1]"
    for index, layer in enumerate(config.hidden, start=1):
        modules.append(f"nn.Linear({width}, {layer.units}),  # hidden{index}")
        if config.batch_norm:
            modules.append(f"nn.BatchNorm1d({layer.units}),")
        modules.append(f"{TORCH_ACTIVATIONS[layer.activation]},")
        if config.dropout:
            modules.append(f"nn.Dropout({_number(config.dropout)}),")
        width = str(layer.units)
    modules.append(f"nn.Linear({width}, len(CLASS_NAMES)),  # output")
    if config.input_dropout:
        modules.insert(0, f"nn.Dropout({_number(config.input_dropout)}),")
    body = "\n    ".join(modules)
    model = f"""
    model = nn.Sequential(
        {body}
    )

    # The model file holds W: (inputs, units) per layer; torch's Linear keeps its transpose.
    linears = [m for m in model if isinstance(m, nn.Linear)]
    norms = [m for m in model if isinstance(m, nn.BatchNorm1d)]
    names = [f"hidden{{k}}" for k in range(1, len(linears))] + ["output"]
    with np.load(MODEL_FILE, allow_pickle=False) as weights, torch.no_grad():
        for name, linear in zip(names, linears):
            linear.weight.copy_(torch.from_numpy(weights[f"{{name}}.W"].T.copy()))
            linear.bias.copy_(torch.from_numpy(weights[f"{{name}}.b"]))
        for name, norm in zip(names, norms):
            norm.weight.copy_(torch.from_numpy(weights[f"{{name}}.gamma"]))
            norm.bias.copy_(torch.from_numpy(weights[f"{{name}}.beta"]))
            norm.running_mean.copy_(torch.from_numpy(weights[f"{{name}}.running_mean"]))
            norm.running_var.copy_(torch.from_numpy(weights[f"{{name}}.running_var"]))

    model.eval()  # dropout off, batch norm on its running statistics
    with torch.no_grad():
        probabilities = torch.softmax(model(torch.from_numpy(inputs_test)), dim=1).numpy()
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y_test))
    print(f"test accuracy {{accuracy:.2%}} on {{len(y_test):,}} test rows")
    """
    parts = [textwrap.dedent(header).strip(), data_code]
    if any(layer.activation == "sine" for layer in config.hidden):
        parts.append(TORCH_SINE.strip())
    parts.append(textwrap.dedent(model).strip())
    return "\n\n".join(parts) + "\n"


# -- a page's run ---------------------------------------------------------------------------------

EXPORT_KINDS = ("notebook", "script", "torch")
MODEL_FILE_NAME = "mlp-model.npz"  # the name the pages save a model under


@dataclass(frozen=True)
class RunState:
    """What an export needs of a run, copied under its lock: the configuration, the steps
    taken and what happened to it that the configuration does not say (`Run.departures`)."""

    config: Config
    data: TrainingData
    steps: int
    departures: tuple[str, ...] = ()

    @property
    def note(self) -> str | None:
        if not self.departures:
            return None
        return (
            "This program trains the settings below from step 0. The run on the page went "
            f"another way: {'; '.join(self.departures)}. From there on, its numbers differ "
            "from the page's."
        )


def default_data_path(config: Config) -> str | None:
    """Where a full image set's files are (the app's data folder); None for the others."""
    if config.is_images and config.source == "full":
        return str(datasets.dataset_folder(config.dataset))
    return None


def export_file(state: RunState, kind: str) -> str:
    """The text of one export of a page's run: "notebook", "script" or "torch" (the twin
    loads the model file the page saves, `MODEL_FILE_NAME`)."""
    path = default_data_path(state.config)
    if kind == "notebook":
        return export_notebook(state.config, state.data, state.steps, path, state.note)
    if kind == "script":
        return export_script(state.config, state.data, state.steps, path, state.note)
    if kind == "torch":
        return export_torch_twin(state.config, state.data, MODEL_FILE_NAME, path)
    raise ValueError(f"Unknown export {kind!r}; choose one of: {', '.join(EXPORT_KINDS)}.")


def file_name(config: Config, kind: str) -> str:
    """A file name for an export of `config`, e.g. `mlp-spiral-tanh-16x16.ipynb`."""
    units = "x".join(str(layer.units) for layer in config.hidden) or "linear"
    activation = config.hidden[0].activation.replace("_", "-") if config.hidden else "none"
    stem = f"mlp-{config.dataset}-{activation}-{units}"
    return {"notebook": f"{stem}.ipynb", "script": f"{stem}.py",
            "torch": f"{stem}-torch.py"}[kind]  # fmt: skip

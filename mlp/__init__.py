"""MLP Playground's engine: a multilayer perceptron written from scratch in NumPy.

The engine imports only NumPy, so it runs the same in the app, a test, a script or a notebook.
"""

from mlp.init import INITIALIZERS
from mlp.layers import BatchNorm, Dense, Dropout, Layer, LeakyReLU, ReLU, Sigmoid, Tanh
from mlp.losses import softmax_cross_entropy
from mlp.network import ACTIVATIONS, Network, build_network

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "BatchNorm",
    "Dense",
    "Dropout",
    "Layer",
    "LeakyReLU",
    "Network",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "build_network",
    "softmax_cross_entropy",
]

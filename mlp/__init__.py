"""MLP Playground's engine: a multilayer perceptron written from scratch in NumPy.

The engine imports only NumPy, so it runs the same in the app, a test, a script or a notebook.
"""

from mlp.constraints import MaxNorm
from mlp.init import INITIALIZERS
from mlp.layers import BatchNorm, Dense, Dropout, Layer, LeakyReLU, ReLU, Sigmoid, Tanh
from mlp.losses import softmax_cross_entropy
from mlp.network import ACTIVATIONS, Network, build_network
from mlp.optim import SGD, AdaGrad, Adam, Optimizer, RMSProp
from mlp.train import History, Trainer

__all__ = [
    "ACTIVATIONS",
    "INITIALIZERS",
    "SGD",
    "AdaGrad",
    "Adam",
    "BatchNorm",
    "Dense",
    "Dropout",
    "History",
    "Layer",
    "LeakyReLU",
    "MaxNorm",
    "Network",
    "Optimizer",
    "RMSProp",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "Trainer",
    "build_network",
    "softmax_cross_entropy",
]

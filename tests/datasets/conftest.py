"""Fixtures for the data-set tests: a fresh image cache, the shared data folder."""

import pytest
from dataset_files import SHARED_DATA_DIR

from mlp.datasets import images


@pytest.fixture(autouse=True)
def fresh_image_cache():
    """Each test starts and ends without loaded sets shared from another test."""
    images._load_full.cache_clear()
    yield
    images._load_full.cache_clear()


@pytest.fixture
def shared_data_dir():
    if not SHARED_DATA_DIR.is_dir():
        pytest.skip(
            f"The shared MNIST-family files are absent ({SHARED_DATA_DIR}); "
            "set MLP_TEST_DATA_DIR to the folder that holds fashion-mnist/."
        )
    return SHARED_DATA_DIR.resolve()

"""The shipped data subsets: shapes, balance, order, size, and that the command makes them again."""

import re

import numpy as np
import pytest

from cnnviz import datasets
from cnnviz.errors import InvalidInput
from tests.models_support import data_dir


@pytest.mark.parametrize("name", datasets.SUBSETS)
def test_shapes_types_and_read_only(name):
    _, train, test = datasets.SUBSETS[name]
    x_train, y_train, x_test, y_test = datasets.load_subset(name)
    assert x_train.shape == (train, 28, 28) and x_test.shape == (test, 28, 28)
    assert y_train.shape == (train,) and y_test.shape == (test,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert not x_train.flags.writeable and not y_test.flags.writeable
    assert datasets.load_subset(name)[0] is x_train      # read once per process


@pytest.mark.parametrize("name", datasets.SUBSETS)
def test_balanced_in_every_prefix_of_ten_and_shuffled(name):
    _, y_train, _, y_test = datasets.load_subset(name)
    for labels in (y_train, y_test):
        assert np.array_equal(np.bincount(labels, minlength=10), np.full(10, len(labels) // 10))
        blocks = np.sort(labels.reshape(-1, 10), axis=1)
        assert (blocks == np.arange(10)).all()           # every block of ten holds each class once
        assert (np.diff(labels.astype(int)) < 0).sum() > len(labels) // 4    # not sorted by label
        assert len({tuple(row) for row in labels[:1000].reshape(-1, 10)}) > 90   # the order in a block varies


def test_the_files_fit_their_budget_and_the_readme_names_them():
    sizes = {name: datasets.subset_path(name).stat().st_size for name in datasets.SUBSETS}
    assert sum(sizes.values()) <= 8 * 2**20
    readme = (datasets.ASSETS / "README.md").read_text()
    for name in datasets.SUBSETS:
        assert datasets.sha256(datasets.subset_path(name)) in readme
        assert f"`{datasets.subset_path(name).name}`" in readme


def test_unknown_data_set():
    with pytest.raises(InvalidInput) as caught:
        datasets.load_subset("cifar10")
    assert caught.value.key == "errors.training.unknown_dataset" and "mnist" in str(caught.value)


@pytest.mark.parametrize("name", datasets.SUBSETS)
def test_the_command_makes_the_same_arrays(name):
    file, train, test = datasets.SUBSETS[name]
    source = data_dir() / file
    if not source.is_file():
        pytest.skip(f"{source} is absent: making the subsets needs the full data sets (../shared/data)")
    made = datasets.make_subset(source, train, test)
    for key, shipped in zip(datasets.KEYS, datasets.load_subset(name)):
        assert made[key].dtype == shipped.dtype and np.array_equal(made[key], shipped), key


def test_equal_arrays_make_equal_files(tmp_path):
    arrays = {"x_train": np.arange(784, dtype=np.uint8).reshape(1, 28, 28), "y_train": np.zeros(1, np.uint8)}
    datasets.write_npz(tmp_path / "a.npz", arrays)
    datasets.write_npz(tmp_path / "b.npz", {key: value.copy() for key, value in arrays.items()})
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz", allow_pickle=False) as loaded:
        assert np.array_equal(loaded["x_train"], arrays["x_train"])


def test_readme_counts_match_the_files():
    readme = (datasets.ASSETS / "README.md").read_text()
    for name in datasets.SUBSETS:
        _, y_train, _, y_test = datasets.load_subset(name)
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{name}-subset.npz`"))
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*\b", row)]
        assert len(y_train) in numbers and len(y_test) in numbers

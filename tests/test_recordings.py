"""The recorded reference runs: complete, small, described, and made again by their command."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from cnnviz import recordings
from cnnviz.datasets import sha256
from cnnviz.learning import json_safe


@pytest.mark.parametrize("name", recordings.RUNS)
def test_each_run_is_shipped_whole(name):
    recording = recordings.load_recording(name)
    config = recordings.RUNS[name][0]
    assert recording.config == config
    assert [s.step for s in recording.snapshots] == list(range(0, config.steps + 1, config.eval_every))
    last = recording.snapshots[-1]
    assert last.kernels.shape == (6, 5, 5) and last.confusion.sum() == 2000 and not last.diverged
    assert not last.kernels.flags.writeable
    assert recordings.load_recording(name) is recording


def test_the_runs_show_what_they_are_for():
    final = {name: recordings.load_recording(name).snapshots[-1] for name in recordings.RUNS}
    assert final["good"].test_accuracy > 0.95
    assert final["stall"].test_accuracy < 0.15 and final["zero-init"].test_accuracy == 0.1
    assert final["normal-1-init"].test_accuracy < final["good"].test_accuracy
    assert final["small-data"].train_accuracy == 1.0
    assert final["small-data-augmented"].test_accuracy > final["small-data"].test_accuracy
    assert final["small-data-flipped"].test_accuracy < final["small-data-augmented"].test_accuracy


def test_small_and_described():
    files = [recordings.path_of(name) for name in recordings.RUNS]
    assert sum(path.stat().st_size for path in files) < 2**20
    readme = (recordings.RUNS_DIR / "README.md").read_text()
    assert "python -m cnnviz.recordings" in readme
    assert all(sha256(path) in readme for path in files)


def test_unknown_run():
    with pytest.raises(KeyError, match="good"):
        recordings.load_recording("great")


def close(fresh, stored) -> bool:
    """Equal to the stored rounding; another CPU may sum in another order and round a last digit otherwise."""
    if isinstance(fresh, dict):
        return fresh.keys() == stored.keys() and all(close(fresh[k], stored[k]) for k in fresh)
    if isinstance(fresh, list) and fresh and isinstance(fresh[0], list) and isinstance(fresh[0][0], int):
        return int(np.abs(np.subtract(fresh, stored)).sum()) <= 4      # a confusion matrix: two images may move
    if isinstance(fresh, (list, float)):
        return np.allclose(fresh, stored, rtol=2e-3, atol=1e-6)
    return fresh == stored


@pytest.mark.parametrize("name", recordings.RUNS)
def test_recording_again_gives_the_same_first_snapshots(name):
    config = recordings.RUNS[name][0]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)        # as the command records
    try:
        fresh = recordings.record(replace(config, steps=config.eval_every))
    finally:
        torch.set_num_threads(threads)
    stored = [json_safe(s.to_dict(), recordings.DIGITS) for s in recordings.load_recording(name).snapshots[:2]]
    assert len(fresh) == 2 and all(close(a, b) for a, b in zip(fresh, stored))

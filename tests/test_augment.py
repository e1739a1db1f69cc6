"""Data augmentation (cnnviz.augment): each transform against a case worked out by hand, each one's neutral
setting as the identity, the draws reproducible from a seed, impossible settings refused in both languages,
and the rule that augmentation is for training batches only."""

from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnviz import augment, learning
from cnnviz.augment import Augmentation
from cnnviz.datasets import load_subset
from cnnviz.errors import InvalidInput


def batch(*pictures) -> torch.Tensor:
    """Grey pictures (lists of rows) as a float batch N x 1 x H x W."""
    return torch.tensor(np.array(pictures, dtype=np.float32))[:, None]


def rows(tensor: torch.Tensor, index: int = 0) -> list:
    return tensor[index, 0].tolist()


# ------------------------------------------------------------ each transform, by hand

def test_flips_mirror_only_the_chosen_pictures():
    x = batch([[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 6]])
    chosen = torch.tensor([True, False])
    assert rows(augment.flip(x, chosen, -1)) == [[3, 2, 1], [6, 5, 4]]
    assert rows(augment.flip(x, chosen, -2)) == [[4, 5, 6], [1, 2, 3]]
    assert rows(augment.flip(x, chosen, -1), 1) == [[1, 2, 3], [4, 5, 6]]


def test_a_quarter_turn_is_anticlockwise():
    x = batch([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    turned = augment.rotate_zoom(x, torch.tensor([90.0]), torch.tensor([1.0]))
    assert np.allclose(rows(turned), [[2, 5, 8], [1, 4, 7], [0, 3, 6]], atol=1e-5)
    half = augment.rotate_zoom(batch([[0, 1, 2], [3, 4, 5]]), torch.tensor([180.0]), torch.tensor([1.0]))
    assert np.allclose(rows(half), [[5, 4, 3], [2, 1, 0]], atol=1e-5)      # a wide picture keeps its pixels square


def test_zooming_in_reads_between_the_pixels():
    """Zoom 2 on a 4-pixel ramp 0, 1, 2, 3: the output's pixel centres fall on input columns 0.75, 1.25, 1.75
    and 2.25, where bilinear interpolation reads the ramp's own value."""
    x = batch([[0, 1, 2, 3]] * 4)
    assert np.allclose(rows(augment.rotate_zoom(x, torch.tensor([0.0]), torch.tensor([2.0]))),
                       [[0.75, 1.25, 1.75, 2.25]] * 4)


def test_zooming_out_brings_in_the_fill():
    """Zoom 1/2 of a 4x4 picture of ones: the inner 2x2 reads inside the picture, the border reads 1.5 pixels
    outside it, where there is only the fill."""
    x = batch(np.ones((4, 4)))
    inner = [[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
    assert np.allclose(rows(augment.rotate_zoom(x, torch.tensor([0.0]), torch.tensor([0.5]))), inner)
    filled = augment.rotate_zoom(x, torch.tensor([0.0]), torch.tensor([0.5]), fill=0.25)
    assert np.allclose(rows(filled), np.where(np.array(inner) == 1, 1.0, 0.25))


def test_a_shift_moves_whole_pixels_and_fills_the_gap():
    x = batch([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    moved = augment.translate(x, [(1, -1)], 1, fill=-1.0)      # one down, one to the left
    assert rows(moved) == [[-1, -1, -1], [2, 3, -1], [5, 6, -1]]
    assert rows(augment.translate(x, [(0, 0)], 2)) == rows(x)


def test_brightness_multiplies_and_clips():
    x = batch([[0.2, 0.6, 0.8]])
    assert np.allclose(rows(augment.scale_brightness(x, torch.tensor([1.5]))), [[0.3, 0.9, 1.0]])


def test_contrast_scales_the_distance_from_the_mean_grey():
    x = batch([[0.2, 0.6]])                                      # mean 0.4
    assert np.allclose(rows(augment.scale_contrast(x, torch.tensor([2.0]))), [[0.0, 0.8]])
    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 1.0                                              # pure red: grey 0.299
    flat = augment.scale_contrast(red, torch.tensor([0.0]))
    assert torch.allclose(flat, torch.full_like(red, 0.299))


def test_cutout_erases_one_square():
    x = batch(np.ones((4, 4)), np.ones((4, 4)))
    erased = augment.erase(x, [(1, 2), (0, 0)], 2, fill=0.5)
    assert rows(erased) == [[1, 1, 1, 1], [1, 1, 0.5, 0.5], [1, 1, 0.5, 0.5], [1, 1, 1, 1]]
    assert rows(erased, 1) == [[0.5, 0.5, 1, 1], [0.5, 0.5, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]


def test_noise_is_gaussian_with_the_given_spread():
    x = torch.full((1, 1, 4, 4), 0.5)
    noisy = augment.apply(x, Augmentation(noise=0.1), torch.Generator().manual_seed(3))
    expected = (0.5 + 0.1 * torch.randn((1, 1, 4, 4), generator=torch.Generator().manual_seed(3))).clamp(0, 1)
    assert torch.equal(noisy, expected)
    big = augment.apply(torch.full((1, 1, 200, 200), 0.5), Augmentation(noise=0.1), torch.Generator().manual_seed(0))
    assert float((big - 0.5).std()) == pytest.approx(0.1, rel=0.05)


# ------------------------------------------------------------ neutral settings change nothing

def test_each_step_at_its_neutral_setting_is_the_identity():
    x = torch.rand(2, 3, 5, 7, generator=torch.Generator().manual_seed(0))
    none = torch.tensor([False, False])
    assert torch.equal(augment.flip(x, none, -1), x) and torch.equal(augment.flip(x, none, -2), x)
    assert torch.allclose(augment.rotate_zoom(x, torch.zeros(2), torch.ones(2)), x, atol=1e-6)
    assert torch.equal(augment.translate(x, [(0, 0), (0, 0)], 3), x)
    assert torch.equal(augment.scale_brightness(x, torch.ones(2)), x)
    assert torch.allclose(augment.scale_contrast(x, torch.ones(2)), x, atol=1e-6)
    assert torch.equal(augment.erase(x, [(0, 0), (2, 3)], 0), x)


def test_neutral_settings_leave_the_batch_as_it_is_and_draw_nothing():
    x = torch.rand(3, 1, 28, 28)
    generator = torch.Generator().manual_seed(7)
    state = generator.get_state()
    assert Augmentation().neutral and not Augmentation(shift=1).neutral
    assert torch.equal(augment.apply(x, Augmentation(), generator), x)
    assert torch.equal(generator.get_state(), state)
    picture = load_subset("mnist")[0][0]
    assert (augment.draw(picture, Augmentation(), count=4) == picture).all()


@pytest.mark.parametrize("setting", [{"rotation": 30}, {"hflip": True}, {"vflip": True}, {"shift": 3},
                                     {"zoom": 1.5}, {"zoom": 0.7}, {"brightness": 0.5}, {"contrast": 0.5},
                                     {"noise": 0.2}, {"cutout": 8}])
def test_each_setting_changes_the_pictures_and_keeps_their_shape(setting):
    picture = load_subset("mnist")[0][7]
    draws = augment.draw(picture, Augmentation(**setting), count=8, seed=1)
    assert draws.shape == (8, 28, 28) and draws.dtype == np.uint8
    assert any((draw != picture).any() for draw in draws)


# ------------------------------------------------------------ the draws

def test_draws_follow_the_seed():
    picture = np.asarray(np.random.default_rng(0).integers(0, 256, (20, 30, 3)), dtype=np.uint8)
    settings = Augmentation(rotation=20, hflip=True, shift=3, zoom=1.2, brightness=0.3, contrast=0.3, noise=0.05,
                            cutout=6)
    a, b = augment.draw(picture, settings, seed=5), augment.draw(picture, settings, seed=5)
    assert a.shape == (16, 20, 30, 3) and np.array_equal(a, b)
    assert not np.array_equal(a, augment.draw(picture, settings, seed=6))
    assert len({draw.tobytes() for draw in a}) == 16                 # every picture has its own draw


def test_shifts_draw_as_the_training_lesson_always_did():
    """The shift of the recorded runs: pad by the shift with the fill, then a crop at an offset drawn from
    [0, 2 * shift] (rows, columns) for each picture, in one draw: the recordings stay what they were."""
    x = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    shifted = augment.apply(x, Augmentation(shift=2), torch.Generator().manual_seed(9), fill=-0.42)
    offsets = torch.randint(0, 5, (5, 2), generator=torch.Generator().manual_seed(9)).tolist()
    padded = F.pad(x, (2, 2, 2, 2), value=-0.42)
    expected = torch.stack([padded[i, :, dy:dy + 28, dx:dx + 28] for i, (dy, dx) in enumerate(offsets)])
    assert torch.equal(shifted, expected)


def test_the_code_shown_makes_the_same_draws():
    settings = Augmentation(rotation=15, vflip=True, shift=2, cutout=5)
    text = augment.code(['from cnnviz import augment', 'from cnnviz.datasets import load_subset', '',
                         'picture = load_subset("mnist")[0][3]'], settings, 16, 4)
    assert "rotation=15," in text and "vflip=True," in text and "zoom" not in text
    scope: dict = {}
    exec(compile(text, "shown", "exec"), scope)                      # noqa: S102 - our own text
    assert np.array_equal(scope["draws"], augment.draw(load_subset("mnist")[0][3], settings, 16, 4))


# ------------------------------------------------------------ impossible settings

BAD = [({"rotation": -5}, "errors.augment.rotation"), ({"rotation": 400}, "errors.augment.rotation"),
       ({"hflip": "yes"}, "errors.augment.flip"), ({"shift": 1.5}, "errors.augment.shift"),
       ({"shift": -1}, "errors.augment.shift"), ({"zoom": 0}, "errors.augment.zoom"),
       ({"zoom": float("nan")}, "errors.augment.zoom"), ({"brightness": 2}, "errors.augment.brightness"),
       ({"contrast": -0.1}, "errors.augment.contrast"), ({"noise": True}, "errors.augment.noise"),
       ({"cutout": 2000}, "errors.augment.cutout_size")]


@pytest.mark.parametrize("setting, key", BAD)
def test_impossible_settings_are_refused_in_both_languages(setting, key):
    with pytest.raises(InvalidInput) as caught:
        Augmentation(**setting)
    error = caught.value
    assert error.key == key
    english, korean = error.localized("en"), error.localized("ko")
    assert english.endswith(".") and "{" not in english and "{" not in korean and korean != english


def test_a_cutout_larger_than_the_picture_and_a_shift_out_of_it_are_refused():
    digit = load_subset("mnist")[0][0]
    with pytest.raises(InvalidInput, match="30×30 cutout is larger than the 28×28 picture") as caught:
        augment.draw(digit, Augmentation(cutout=30))
    assert "28×28" in caught.value.localized("ko")
    with pytest.raises(InvalidInput) as caught:
        augment.draw(digit, Augmentation(shift=28))
    assert caught.value.key == "errors.augment.shift_too_far"
    assert augment.draw(digit, Augmentation(cutout=28, shift=27), count=2).shape == (2, 28, 28)
    with pytest.raises(InvalidInput):
        learning.TrainConfig(augment=Augmentation(cutout=29))          # a run's pictures are 28x28
    with pytest.raises(InvalidInput):
        augment.draw(digit.astype(np.float32), Augmentation())


# ------------------------------------------------------------ training batches only

def test_the_trainer_augments_training_batches_and_never_what_it_tests(monkeypatch):
    """Each step goes through augment.apply; evaluate() never does, and its scores are those of the network on
    the test images and the first training images exactly as they are."""
    calls = []
    real = augment.apply
    monkeypatch.setattr(augment, "apply", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        config = learning.TrainConfig(train_images=200, batch_size=32, steps=3, eval_every=3,
                                      augment=Augmentation(vflip=True, noise=0.5, cutout=14))
        trainer = learning.Trainer(config, "cpu")
        for _ in range(3):
            trainer.step()
        assert len(calls) == 3
        snapshot = trainer.evaluate()
        assert len(calls) == 3
        spec = learning.DATA_SPECS["mnist"]
        x_train, y_train, x_test, y_test = load_subset("mnist")
        with torch.no_grad():
            test_guess = trainer.model(learning.to_tensor(x_test, spec)).argmax(1).numpy()
            train_guess = trainer.model(learning.to_tensor(x_train[:200], spec)).argmax(1).numpy()
    finally:
        torch.set_num_threads(threads)
    assert snapshot.test_accuracy == np.mean(test_guess == y_test)
    assert snapshot.train_set_accuracy == pytest.approx(np.mean(train_guess == y_train[:200]))
    assert learning.TRAIN_SET_TESTED >= 200


def test_a_config_with_augmentation_goes_through_json():
    config = learning.TrainConfig(augment=Augmentation(rotation=10.0, shift=2))
    again = learning.TrainConfig.from_dict(config.to_dict())
    assert again == config
    assert learning.TrainConfig.from_dict(replace(config, augment=None).to_dict()).augment is None

"""cnnviz.models: the public API, the shipped weights, activations, Grad-CAM, the module's numbers."""

import numpy as np
import pytest
import torch

from cnnviz import device as devices
from cnnviz import models
from cnnviz.errors import InvalidInput
from cnnviz.models import runtime
from cnnviz.models.samples import samples_for
from cnnviz.models.specs import SPECS
from tests.models_support import FAULTS, break_model, disc

NAMES = ["lenet5-mnist", "tinyvgg-fashion-mnist"]


@pytest.fixture(scope="module", params=NAMES)
def model(request):
    return models.load(request.param, device="cpu")


def test_available_lists_the_shipped_models():
    assert set(NAMES) <= set(models.available())
    assert models.available() == list(SPECS)


@pytest.mark.parametrize("name", NAMES)
def test_shipped_weights_load_as_a_plain_state_dict(name):
    spec = SPECS[name]
    assert spec.weights_path.stat().st_size < 300_000
    state = torch.load(spec.weights_path, map_location="cpu", weights_only=True)
    assert set(state) == set(spec.build().state_dict())
    loaded = models.load(name, device="cpu")
    assert not loaded.module.training
    assert not any(p.requires_grad for p in loaded.module.parameters())
    assert loaded.device == torch.device("cpu")
    assert len(loaded.labels) == 10
    assert loaded.card["model"] == name and loaded.card["parameters"] == sum(
        p.numel() for p in loaded.module.parameters())


def test_the_model_api(model):
    images = np.stack([disc(), disc(centre=(20, 40))])
    probabilities = model.predict(images)
    assert probabilities.shape == (2, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-6)
    activations = model.feature_maps(images[0])
    assert all(isinstance(a, models.Activation) for a in activations)
    np.testing.assert_allclose(activations[-1].array, probabilities[0], atol=1e-6)


@pytest.mark.parametrize("shape", [(3, 28, 28), (2, 28, 28, 3), (1, 100, 60), (2, 7, 9, 3), (1, 1, 1), (1, 300, 500)])
def test_predict_takes_any_size_gray_or_colour(model, shape):
    images = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    probabilities = model.predict(images)
    assert probabilities.shape == (shape[0], 10)
    assert np.all(probabilities >= 0)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-6)


def test_predict_of_an_empty_stack(model):
    assert model.predict(np.zeros((0, 28, 28), np.uint8)).shape == (0, 10)


def test_feature_maps_follow_the_module_layer_by_layer(model):
    activations = model.feature_maps(disc(radius=14))
    children = list(model.module.named_children())
    assert [a.name for a in activations] == ["input"] + [name for name, _ in children] + ["softmax"]
    assert activations[0].kind == "input" and activations[-1].kind == "softmax"
    assert {a.kind for a in activations[1:-1]} <= {"conv", "relu", "pool", "flatten", "linear"}
    for row, activation in zip(model.layers(), activations[1:-1]):
        assert list(activation.array.shape) == row["shape"]
    # Each activation is the layer applied to the one before (the input is shown 0-1, fed normalised).
    x = (torch.from_numpy(activations[0].array)[None] - model.spec.mean) / model.spec.std
    for (name, layer), before, after in zip(children, activations[:-2], activations[1:-1]):
        x = layer(x)
        np.testing.assert_allclose(after.array, x[0].numpy(), rtol=1e-5, atol=1e-5, err_msg=name)
        if after.kind == "relu":
            assert after.array.min() >= 0
            np.testing.assert_array_equal(after.array, np.maximum(before.array, 0))
        if after.kind == "pool":
            assert after.array.shape[1:] == tuple(s // 2 for s in before.array.shape[1:])
    probabilities = torch.softmax(torch.from_numpy(activations[-2].array), 0).numpy()
    np.testing.assert_allclose(activations[-1].array, probabilities, atol=1e-6)


def test_feature_maps_are_fresh_arrays_each_call(model):
    first = model.feature_maps(disc())
    first[1].array[:] = 123.0      # a caller scribbling on its own result
    second = model.feature_maps(disc())
    assert not np.any(second[1].array == 123.0)


def test_layer_table_counts_come_from_the_module(model):
    rows = model.layers()
    assert sum(row["parameters"] for row in rows) == sum(p.numel() for p in model.module.parameters())
    for row, (name, layer) in zip(rows, model.module.named_children()):
        assert row["name"] == name
        assert row["parameters"] == sum(p.numel() for p in layer.parameters())
    rows[0]["parameters"] = -1     # a copy: the model's own table is untouched
    assert model.layers()[0]["parameters"] > 0


def test_known_sizes():
    lenet, vgg = (models.load(name, device="cpu") for name in NAMES)
    assert sum(r["parameters"] for r in lenet.layers()) == 61_706     # LeNet-5's classic count
    assert [r["shape"] for r in lenet.layers() if r["kind"] == "pool"] == [[6, 14, 14], [16, 5, 5]]
    assert [r["shape"] for r in vgg.layers() if r["kind"] == "conv"] == [[16, 28, 28]] * 2 + [[32, 14, 14]] * 2
    name, kernels = vgg.first_kernels()
    assert name == "conv_1_1" and kernels.shape == (16, 1, 3, 3)
    assert lenet.first_kernels()[1].shape == (6, 1, 5, 5)


def test_class_names_in_both_languages():
    vgg = models.load("tinyvgg-fashion-mnist", device="cpu")
    assert vgg.class_names("en")[9] == "Ankle boot"
    assert vgg.class_names("ko")[1] == "바지"
    assert models.load("lenet5-mnist", device="cpu").class_names("ko") == [str(d) for d in range(10)]


def test_grad_cam(model):
    image = samples_for(model.name)[0].image
    predicted = int(model.predict(image[None]).argmax())
    cam = model.grad_cam(image)
    assert cam.class_index == predicted and cam.layer == model.spec.grad_cam_layer
    assert cam.heatmap.shape == (28, 28)
    assert cam.heatmap.min() >= 0 and cam.heatmap.max() == pytest.approx(1.0)
    other = model.grad_cam(image, (predicted + 1) % 10)
    assert other.class_index == (predicted + 1) % 10
    assert not np.allclose(other.heatmap, cam.heatmap)
    assert all(p.grad is None for p in model.module.parameters())


def test_grad_cam_works_inside_inference_mode(model):
    with torch.inference_mode():
        cam = model.grad_cam(disc())
    assert cam.heatmap.shape == (28, 28)


def test_grad_cam_cells_sit_over_the_pixels_they_see():
    lenet, vgg = (models.load(name, device="cpu") for name in NAMES)
    # LeNet: conv 5x5 pad 2, pool 2, conv 5x5: the first 10x10 cell is centred on input pixel 4.5.
    assert runtime._cell_geometry(lenet.module[:5]) == (4.5, 2.0)
    # Tiny VGG: 'same' convolutions keep centres; one pool of 2 halves the grid.
    assert runtime._cell_geometry(vgg.module[:9]) == (0.5, 2.0)
    grid = np.zeros((10, 10))
    grid[3, 6] = 1.0
    placed = runtime._place(grid, 4.5, 2.0, 28)
    assert np.unravel_index(placed.argmax(), placed.shape) in {(10, 16), (10, 17), (11, 16), (11, 17)}


BAD = {
    "float image": (lambda m: m.feature_maps(np.zeros((28, 28))), "errors.models.not_uint8"),
    "list": (lambda m: m.feature_maps([[0, 1], [2, 3]]), "errors.models.not_array"),
    "4 channels": (lambda m: m.feature_maps(np.zeros((28, 28, 4), np.uint8)), "errors.models.image_shape"),
    "1-D": (lambda m: m.feature_maps(np.zeros(28, np.uint8)), "errors.models.image_shape"),
    "no pixels": (lambda m: m.feature_maps(np.zeros((0, 28), np.uint8)), "errors.models.empty_image"),
    "batch with alpha": (lambda m: m.predict(np.zeros((2, 28, 28, 4), np.uint8)), "errors.models.batch_shape"),
    "batch as 2-D": (lambda m: m.predict(np.zeros((28, 28), np.uint8)), "errors.models.batch_shape"),
    "huge": (lambda m: m.feature_maps(np.broadcast_to(np.uint8(0), (7000, 7000))), "errors.models.too_many_pixels"),
    "no such class": (lambda m: m.grad_cam(disc(), 10), "errors.models.class_index"),
    "negative class": (lambda m: m.grad_cam(disc(), -1), "errors.models.class_index"),
    "unknown model": (lambda m: models.load("resnet-imagenet"), "errors.models.unknown_model"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_a_readable_error_in_both_languages(case):
    call, key = BAD[case]
    with pytest.raises(InvalidInput) as caught:
        call(models.load("lenet5-mnist", device="cpu"))
    assert caught.value.key == key
    english, korean = caught.value.localized("en"), caught.value.localized("ko")
    assert english.endswith(".") and "{" not in english
    assert korean != english and "{" not in korean and "names." not in english + korean


def test_missing_weights_say_how_to_make_them(tmp_path, monkeypatch):
    monkeypatch.setattr("cnnviz.models.specs.ASSETS", tmp_path)
    with pytest.raises(InvalidInput) as caught:
        models.load("lenet5-mnist")
    assert caught.value.key == "errors.models.no_weights"
    assert "cnnviz.train" in str(caught.value) and "lenet5-mnist" in caught.value.localized("ko")


@pytest.mark.parametrize("fault", FAULTS)
def test_each_broken_model_file_is_one_sentence_and_the_other_network_loads(fault, tmp_path, monkeypatch):
    key = break_model(fault, tmp_path)
    monkeypatch.setattr("cnnviz.models.specs.ASSETS", tmp_path)
    with pytest.raises(InvalidInput) as caught:
        models.load("lenet5-mnist", device="cpu").feature_maps(disc())
    assert caught.value.key == key
    assert "lenet5-mnist" in caught.value.localized("ko") and "{" not in caught.value.localized("ko")
    assert models.load("tinyvgg-fashion-mnist", device="cpu").feature_maps(disc())[-1].array.sum() == \
        pytest.approx(1)


# ---------------------------------------------------------------- device choice (no GPU here)

def test_cnnviz_device_overrides(monkeypatch):
    monkeypatch.setenv("CNNVIZ_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert devices.choose_device() == torch.device("cpu")
    assert models.load("lenet5-mnist").device == torch.device("cpu")
    monkeypatch.setenv("CNNVIZ_DEVICE", "cuda:1")
    assert devices.choose_device() == torch.device("cuda", 1)


def test_cuda_first_then_mps_then_cpu(monkeypatch):
    monkeypatch.delenv("CNNVIZ_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert devices.choose_device() == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert devices.choose_device() == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert devices.choose_device() == torch.device("cpu")
    assert devices.describe(torch.device("cpu")) == "CPU"


def test_load_puts_the_module_on_the_chosen_device(monkeypatch):
    """Where a GPU is chosen the module goes there; here the move itself is recorded, not made."""
    moved = []
    monkeypatch.setenv("CNNVIZ_DEVICE", "cuda")
    monkeypatch.setattr(torch.nn.Module, "to", lambda self, device: moved.append(device) or self)
    loaded = models.load("tinyvgg-fashion-mnist")
    assert loaded.device == torch.device("cuda") and moved == [torch.device("cuda")]

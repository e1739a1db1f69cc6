"""The great architectures: exact parameter counts, multiply-adds within 1% of the published figures, shapes
and receptive fields against the modules' own forward passes, the sentences for sizes a network cannot
take, the diagram, and AlexNet's LRN and dropout against torch."""

import math
import re
from xml.etree import ElementTree

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz import alexnet_parts
from cnnviz.architecture_diagram import SKIP_COLOUR, diagram, units
from cnnviz.errors import InvalidInput
from cnnviz.models.anatomy import _Walk, anatomy, layer_summary
from cnnviz.models.architectures import NETWORKS, ResidualBlock, build, lenet5
from cnnviz.models.papers import ENSEMBLES, PAPERS

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PARAMETERS = {"lenet5": 61_706, "alexnet": 60_965_224, "vgg16": 138_357_544, "resnet18": 11_689_512,
              "resnet50": 25_557_032}
PUBLISHED_MACS = {"vgg16": 15.47e9, "resnet18": 1.81e9, "resnet50": 4.09e9}     # torchvision's layout for ResNet-50


@pytest.mark.parametrize("network", PARAMETERS)
def test_parameter_counts_are_exact(network):
    classes = 10 if network == "lenet5" else 1000
    with torch.device("meta"):
        module = build(network, classes)
    assert sum(p.numel() for p in module.parameters()) == PARAMETERS[network]
    assert anatomy(network).parameters == PARAMETERS[network]       # the table adds up to the module


@pytest.mark.parametrize("network", PUBLISHED_MACS)
def test_multiply_adds_are_within_one_percent_of_the_published_figures(network):
    assert anatomy(network).macs == pytest.approx(PUBLISHED_MACS[network], rel=0.01)


def test_alexnet_multiply_adds_fall_in_the_papers_range_at_224():
    """The paper's variant gives 0.66-0.72 G at 224 depending on conv1's padding; with padding 2 its 55 x 55
    first maps are the paper's."""
    found = anatomy("alexnet")
    assert 0.66e9 <= found.macs <= 0.72e9 * 1.01
    assert found.layer("conv1").shape == (96, 55, 55)
    assert found.layer("pool5").shape == (256, 6, 6)


def test_resnet50_strides_on_the_3x3_as_torchvision_does():
    first_of_stage2 = [layer for layer in anatomy("resnet50").layers if layer.block == "layer2.0"
                       and layer.kind == "conv" and layer.branch == "main"]
    assert [(layer.kernel, layer.stride) for layer in first_of_stage2] == [(1, 1), (3, 2), (1, 1)]


def _hooked_shapes(module: nn.Module, x: torch.Tensor) -> dict[str, tuple]:
    """Every leaf's output shape in the module's own forward pass (forward hooks on a private module)."""
    shapes, handles = {}, []
    for name, layer in module.named_modules():
        if not list(layer.children()) and not isinstance(layer, nn.Identity):
            handles.append(layer.register_forward_hook(
                lambda _m, _i, out, name=name: shapes.__setitem__(name, tuple(out.shape[1:]))))
    with torch.inference_mode():
        module(x)
    for handle in handles:
        handle.remove()
    return shapes


@pytest.mark.parametrize("network, sides", [("lenet5", [28, 31]), ("alexnet", [224, 227]), ("vgg16", [224]),
                                            ("resnet18", [32, 64, 100, 224]), ("resnet50", [33, 224])])
def test_shapes_are_the_modules_own(network, sides):
    with torch.device("meta"):
        module = build(network, 10 if network == "lenet5" else 1000).eval()
    channels = NETWORKS[network][1]
    for side in sides:
        drawn = {layer.path: layer.shape for layer in anatomy(network, side).layers if layer.kind != "add"}
        assert drawn == _hooked_shapes(module, torch.zeros(1, channels, side, side, device="meta"))


@pytest.mark.parametrize("network, side", [("lenet5", 28), ("alexnet", 224), ("resnet18", 48), ("resnet50", 64)])
def test_the_walk_computes_what_the_module_computes(network, side):
    """The walk runs the layers as ``forward`` does: on real weights it ends on the module's own output."""
    torch.manual_seed(0)
    module = build(network, 10).eval()
    for layer in module.modules():          # batch norm with made-up statistics, so it is not the identity
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2)
    x = torch.randn(2, NETWORKS[network][1], side, side)
    with torch.inference_mode():
        walked, _, _ = _Walk(network, side).run(module, x)
        assert torch.allclose(walked, module(x), atol=1e-5)


def test_a_residual_block_adds_its_input():
    block = ResidualBlock(nn.Sequential(nn.Conv2d(4, 4, 3, padding=1)), nn.Identity())
    x = torch.randn(1, 4, 6, 6)
    assert torch.equal(block(x), torch.relu(block.main(x) + x))


def _measured_field(module: nn.Module, side: int, channels: int) -> int:
    """How many input rows the centre output value depends on, found by autograd."""
    x = torch.rand(1, channels, side, side, requires_grad=True)
    out = module(x)
    out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    rows = torch.nonzero(x.grad[0].abs().sum(dim=(0, 2)))
    return int(rows.max() - rows.min() + 1)


def _positive(module: nn.Module) -> nn.Module:
    """All weights 1 and biases 0, max pooling made average (same window): every path carries a gradient."""
    for name, layer in module.named_children():
        if isinstance(layer, nn.MaxPool2d):
            setattr(module, name, nn.AvgPool2d(layer.kernel_size, layer.stride, layer.padding))
        elif list(layer.children()):
            _positive(layer)
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            parameter.fill_(0.0 if name.endswith("bias") else 1.0)
    return module.eval()


@pytest.mark.parametrize("network, depth, side", [("lenet5", 6, 28), ("resnet18", 6, 160), ("vgg16", 10, 64)])
def test_receptive_fields_match_autograd(network, depth, side):
    """The receptive field of the layer ``depth`` children in, against the input pixels autograd reaches."""
    module = build(network, 10)
    head = nn.Sequential(*list(module.children())[:depth])
    walk = _Walk(network, side)
    walk.run(head, torch.zeros(0, NETWORKS[network][1], side, side))
    expected = walk.layers[-1].receptive_field
    assert expected < side
    assert _measured_field(_positive(head), side, NETWORKS[network][1]) == expected


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_size_a_network_cannot_take_is_said_where_and_why(lang):
    with pytest.raises(InvalidInput) as small:
        anatomy("alexnet", 32)
    message = small.value.localized(lang)
    assert "pool5" in message and "32 × 32" in message and "1 × 1" in message
    with pytest.raises(InvalidInput) as big:
        anatomy("vgg16", 256)
    message = big.value.localized(lang)
    assert all(part in message for part in ("fc6", "25,088", "32,768", "512 × 8 × 8", "224 × 224"))
    assert bool(HANGUL.search(message)) == (lang == "ko")


@pytest.mark.parametrize("side", [8, 32, 97, 512])
def test_global_average_pooling_takes_any_size(side):
    assert anatomy("resnet18", side).output_shape == (1000,)


def test_the_shipped_models_summaries_match_their_cards():
    module = lenet5()
    rows = layer_summary(module, 28)
    assert [row["name"] for row in rows] == [name for name, _ in module.named_children()]
    assert sum(row["parameters"] for row in rows) == PARAMETERS["lenet5"]


def test_the_diagram_draws_every_layer_and_a_skip_per_block():
    found = anatomy("resnet18")
    closed = diagram(found)
    ElementTree.fromstring(closed)                                  # well-formed SVG
    assert 'class="skip"' not in closed                             # stages closed: no skip arrows yet
    assert all(f">{stage}: " in closed for stage in ("layer1", "layer2", "layer3", "layer4"))
    opened = diagram(found, frozenset({"layer2"}))
    ElementTree.fromstring(opened)
    blocks = {layer.block for layer in found.layers if layer.stage == "layer2"}
    assert opened.count("⊕") == len(blocks) == 2
    shortcut_boxes = opened.count(f'stroke="{SKIP_COLOUR}" stroke-width="1.2"')    # layer2.0's projection
    assert shortcut_boxes == 1
    assert opened.count('class="skip"') == len(blocks) + shortcut_boxes    # one arrow per skip, one more into it
    vgg = anatomy("vgg16")
    drawn = diagram(vgg)
    for unit in units(vgg.layers):
        assert f'data-path="{unit.head.path}"' in drawn and f">{unit.head.path}: " in drawn
        assert f">{' × '.join(map(str, unit.out.shape))}<" in drawn          # its output shape on the arrow


def test_every_paper_names_a_network_that_is_built():
    assert {paper.network for paper in PAPERS} == set(NETWORKS)
    assert set(ENSEMBLES) <= set(NETWORKS)
    assert all(paper.top5_error is None or ENSEMBLES.get(paper.network, (0,))[0] < paper.top5_error
               for paper in PAPERS)


def test_local_response_norm_follows_the_papers_formula():
    rng = np.random.default_rng(0)
    maps = rng.uniform(0, 40, (7, 4, 4))
    for size, alpha in ((5, 1e-4), (3, 0.01)):
        after = alexnet_parts.local_response_norm(maps, size, alpha, 0.75, 2.0)
        for channel, row, col in np.ndindex(maps.shape):
            step = alexnet_parts.lrn_step(maps, channel, row, col, size, alpha, 0.75, 2.0)
            assert after[channel, row, col] == pytest.approx(step.after, rel=1e-9)
    module = nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)     # what AlexNet's layers hold
    assert np.allclose(module(torch.from_numpy(maps)[None])[0].numpy(),
                       alexnet_parts.local_response_norm(maps, 5, 1e-4, 0.75, 2.0))
    with pytest.raises(InvalidInput):
        alexnet_parts.local_response_norm(maps, 4, 1e-4, 0.75, 2.0)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_zeroes_with_probability_p_and_scales_the_survivors(p):
    x = np.random.default_rng(1).uniform(0.5, 2, (200, 200))
    out, keep = alexnet_parts.dropout(x, p, seed=3)
    assert np.allclose(out[keep], x[keep] / (1 - p)) and np.all(out[~keep] == 0)
    assert (~keep).mean() == pytest.approx(p, abs=0.01)
    assert np.array_equal(alexnet_parts.dropout(x, p, seed=3)[1], keep)      # the seed decides the draw
    torch_out = nn.Dropout(p).train()(torch.from_numpy(x)).numpy()           # the rule torch's layer follows
    survivors = torch_out != 0
    assert np.allclose(torch_out[survivors], x[survivors] / (1 - p))
    assert np.array_equal(nn.Dropout(p).eval()(torch.from_numpy(x)).numpy(), x)
    assert alexnet_parts.dropout_means(x[:6, :6], p, 2000, 0).mean() == pytest.approx(x[:6, :6].mean(), rel=0.05)
    with pytest.raises(InvalidInput):
        alexnet_parts.dropout(x, 1.0, 0)


def test_weight_layers_count_the_networks_names():
    from cnnviz.architecture_figures import weight_layers
    assert {network: weight_layers(anatomy(network)) for network in NETWORKS} == {
        "lenet5": 5, "alexnet": 8, "vgg16": 16, "resnet18": 18, "resnet50": 50}
    assert math.isclose(anatomy("vgg16").layer("fc6").parameters / PARAMETERS["vgg16"], 0.743, abs_tol=0.001)

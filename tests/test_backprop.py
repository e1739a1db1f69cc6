"""Every number of the step-by-step backpropagation against autograd and torch.optim.SGD."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from cnnviz import backprop
from cnnviz.errors import InvalidInput
from cnnviz.models.architectures import lenet5, tiny_vgg


def close(ours, theirs, rtol=1e-5):
    """Equal to 1e-5 of the larger of each value and the array's largest value (float32 sums of ~800 terms)."""
    theirs = np.asarray(theirs, dtype=np.float64)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * max(np.abs(theirs).max(), 1e-12))


def with_activation(model: nn.Sequential, activation: type[nn.Module]) -> nn.Sequential:
    variant = copy.deepcopy(model)
    for name, layer in variant.named_children():
        if isinstance(layer, nn.ReLU):
            setattr(variant, name, activation())
    return variant


def oracle(model, x, label, kernel, learning_rate):
    """What PyTorch computes: loss.backward() on a copy, then one SGD step on the first layer."""
    model = copy.deepcopy(model).requires_grad_(True)
    conv = model[0]
    z = conv(x)
    z.retain_grad()
    logits = model[1:](z)
    logits.retain_grad()
    loss = F.cross_entropy(logits, torch.tensor([label]))
    loss.backward()
    (ph, pw) = conv.padding
    found = dict(loss=loss.item(), logits=logits[0].detach().numpy(), logit_grad=logits.grad[0].numpy(),
                 z_grad=z.grad[0, kernel].numpy(), w_grad=conv.weight.grad[kernel, 0].numpy().copy(),
                 b_grad=conv.bias.grad[kernel].item(), padded=F.pad(x, [pw, pw, ph, ph])[0, 0].numpy())
    torch.optim.SGD(conv.parameters(), lr=learning_rate).step()
    found.update(w_after=conv.weight[kernel, 0].detach().numpy(), b_after=conv.bias[kernel].item())
    return found


CASES = [(seed, network, activation) for seed in (0, 1, 2) for network in ("lenet5", "tiny_vgg")
         for activation in (nn.ReLU, nn.Sigmoid)]


@pytest.mark.parametrize("seed,network,activation", CASES,
                         ids=[f"{s}-{n}-{a.__name__}" for s, n, a in CASES])
def test_every_number_is_autograds(seed, network, activation):
    torch.manual_seed(seed)
    model = with_activation(lenet5() if network == "lenet5" else tiny_vgg(), activation)
    rng = np.random.default_rng(seed)
    x = torch.as_tensor(rng.normal(0, 1, (1, 1, 28, 28)), dtype=torch.float32)
    label, kernel, rate = int(rng.integers(10)), int(rng.integers(model[0].out_channels)), 0.05 * (seed + 1)
    expected = oracle(model, x, label, kernel, rate)

    example = backprop.backprop_example(model, x, label, kernel, rate)

    ce = example.cross_entropy
    close(ce.logits, expected["logits"])
    close(ce.loss, expected["loss"])
    close(ce.terms.sum(), expected["loss"])
    assert ce.terms[label] == ce.loss and np.count_nonzero(ce.terms) == 1
    close(ce.probabilities, torch.softmax(torch.as_tensor(expected["logits"]), 0).numpy())
    assert ce.target.tolist() == [1.0 if i == label else 0.0 for i in range(10)]
    close(ce.logit_gradient, expected["logit_grad"])

    grad = example.kernel
    assert grad.index == kernel
    np.testing.assert_array_equal(grad.padded_input, expected["padded"])
    close(grad.output_gradient, expected["z_grad"])
    close(grad.weight_gradient, expected["w_grad"])
    close(grad.bias_gradient, expected["b_grad"])

    update = example.update
    close(update.weight_after, expected["w_after"])
    close(update.bias_after, expected["b_after"])
    np.testing.assert_array_equal(update.weight_before, model[0].weight[kernel, 0].detach().numpy())
    assert update.learning_rate == rate and update.weight_gradient is grad.weight_gradient


def test_each_tap_is_the_window_times_the_output_gradient():
    torch.manual_seed(3)
    model = lenet5()
    x = torch.randn(1, 1, 28, 28)
    grad = backprop.backprop_example(model, x, 7, kernel=4).kernel
    assert grad.padded_input.shape == (32, 32) and grad.output_gradient.shape == (28, 28)
    assert grad.weight_gradient.shape == (5, 5) and len(grad.trace.steps) == 25
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        step = grad.tap(i, j)
        assert step.out_index == (i, j)
        np.testing.assert_array_equal(step.patch, grad.padded_input[i:i + 28, j:j + 28])
        np.testing.assert_array_equal(step.products, step.patch * grad.output_gradient)
        assert step.value == pytest.approx(grad.weight_gradient[i, j], rel=1e-12, abs=1e-15)
    assert grad.bias_gradient == pytest.approx(grad.output_gradient.sum())
    with pytest.raises(ValueError, match="no tap"):
        grad.tap(5, 0)


def test_the_shared_frozen_model_is_used_as_it_is_and_never_changed():
    torch.manual_seed(4)
    model = lenet5().eval().requires_grad_(False)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    x = torch.randn(28, 28)
    with torch.inference_mode():
        example = backprop.backprop_example(model, x, 2, kernel=1, learning_rate=0.1)
    assert example.label == 2 and np.abs(example.kernel.weight_gradient).max() > 0
    assert not model.training and all(not p.requires_grad and p.grad is None for p in model.parameters())
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())
    close(example.kernel.weight_gradient,
          oracle(model, x[None, None], 2, 1, 0.1)["w_grad"])


def test_cross_entropy_of_known_numbers():
    ce = backprop.cross_entropy([2.0, 1.0, 0.1], 0)
    close(ce.probabilities, [0.6590011, 0.2424330, 0.0985659])
    close(ce.loss, -np.log(0.6590011), rtol=1e-6)
    close(ce.logit_gradient, [0.6590011 - 1, 0.2424330, 0.0985659], rtol=1e-6)
    assert backprop.cross_entropy([1000.0, 0.0], 1).loss == pytest.approx(1000.0)   # no overflow


def test_impossible_requests_say_what_is_wrong():
    model, x = lenet5(), torch.zeros(1, 1, 28, 28)
    with pytest.raises(InvalidInput) as refused:
        backprop.backprop_example(model, x, 10)
    assert refused.value.key == "errors.models.class_index"
    with pytest.raises(ValueError, match="numbered 0 to 5"):
        backprop.backprop_example(model, x, 1, kernel=6)
    with pytest.raises(ValueError, match="learning rate"):
        backprop.backprop_example(model, x, 1, learning_rate=0)
    with pytest.raises(ValueError, match="grayscale"):
        backprop.backprop_example(model, torch.zeros(1, 3, 28, 28), 1)
    strided = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2), nn.Flatten(), nn.Linear(2 * 13 * 13, 10))
    with pytest.raises(ValueError, match="stride 1"):
        backprop.backprop_example(strided, x, 1)

"""Counting for the lessons: parameters, multiplications and receptive fields."""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.errors import InvalidInput


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("errors.at_least_one", name=name, value=value)
    return value


def conv_params(kernel: int | tuple[int, int], in_channels: int, out_channels: int,
                bias: bool = True) -> int:
    """(kh * kw * C_in + 1) * C_out: each filter holds one kernel per input channel and one bias."""
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    per_filter = _positive(kh, "kernel height") * _positive(kw, "kernel width") * _positive(in_channels, "input channels")
    return (per_filter + int(bias)) * _positive(out_channels, "output channels")


def dense_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """(in + 1) * out: every input connects to every unit."""
    return (_positive(in_features, "inputs") + int(bias)) * _positive(out_features, "units")


def dense_params_for_image(height: int, width: int, channels: int, units: int, bias: bool = True) -> int:
    """A dense first layer on a flattened H x W x C image."""
    return dense_params(_positive(height, "height") * _positive(width, "width")
                        * _positive(channels, "channels"), units, bias)


def conv_multiplications(out_height: int, out_width: int, kernel: int | tuple[int, int],
                         in_channels: int, out_channels: int) -> int:
    """Multiplications one conv layer performs: every output cell of every filter is one window."""
    kh, kw = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    return out_height * out_width * kh * kw * in_channels * out_channels


@dataclass(frozen=True)
class Layer:
    kernel: int
    stride: int = 1
    dilation: int = 1


def receptive_fields(layers: list[Layer]) -> list[int]:
    """How many input pixels (along one axis) one output cell sees after each layer.

    r_l = r_(l-1) + d_l (k_l - 1) j_(l-1), where j, the distance in input pixels
    between neighbouring cells, is multiplied by each stride.
    """
    field, jump, fields = 1, 1, []
    for layer in layers:
        _positive(layer.kernel, "kernel size")
        _positive(layer.stride, "stride")
        _positive(layer.dilation, "dilation")
        field += layer.dilation * (layer.kernel - 1) * jump
        jump *= layer.stride
        fields.append(field)
    return fields

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


@dataclass(frozen=True)
class AxisArithmetic:
    """The output-size arithmetic along one axis, with every intermediate number a lesson shows."""
    n: int
    kernel: int
    stride: int
    dilation: int
    pad_before: int
    pad_after: int

    @property
    def padded(self) -> int:
        return self.n + self.pad_before + self.pad_after

    @property
    def span(self) -> int:
        """Pixels one window covers: d(k-1) + 1."""
        return self.dilation * (self.kernel - 1) + 1

    @property
    def numerator(self) -> int:
        return self.padded - self.span

    @property
    def divides(self) -> bool:
        """Whether (n + 2p - d(k-1) - 1) / s is a whole number: the window lands exactly on the last pixel."""
        return self.numerator % self.stride == 0

    @property
    def out(self) -> int:
        return self.numerator // self.stride + 1

    @property
    def unreached(self) -> int:
        """Padded pixels at the bottom/right that no window ever reads."""
        return self.padded - ((self.out - 1) * self.stride + self.span)

"""Impossible input raises InvalidInput (a ValueError) with a sentence, in both languages."""

import numpy as np
import pytest

from cnnviz import arithmetic, ops, steps
from cnnviz.errors import InvalidInput

X = np.ones((3, 3))
X3 = np.ones((3, 4, 4))

CASES = {
    "kernel larger than the padded input": (lambda: ops.conv2d(X, np.ones((5, 5))), "errors.kernel_too_large"),
    "dilated kernel too large": (lambda: ops.conv2d(X, np.ones((2, 2)), dilation=3), "errors.dilated_kernel_too_large"),
    "stride zero": (lambda: ops.conv2d(X, np.ones((2, 2)), stride=0), "errors.at_least_one"),
    "negative stride": (lambda: ops.conv2d(X, np.ones((2, 2)), stride=(1, -2)), "errors.at_least_one"),
    "dilation zero": (lambda: ops.conv2d(X, np.ones((2, 2)), dilation=0), "errors.at_least_one"),
    "negative padding": (lambda: ops.conv2d(X, np.ones((2, 2)), padding=-1), "errors.padding_negative"),
    "unknown padding mode": (lambda: ops.conv2d(X, np.ones((2, 2)), padding="half"), "errors.padding_unknown"),
    "fractional stride": (lambda: ops.conv2d(X, np.ones((2, 2)), stride=1.5), "errors.not_whole_number"),
    "channel mismatch": (lambda: ops.conv2d(X3, np.ones((2, 3, 3))), "errors.channel_mismatch"),
    "bank channel mismatch": (lambda: ops.conv2d(X3, np.ones((4, 1, 3, 3))), "errors.channel_mismatch"),
    "bias count": (lambda: ops.conv2d(X3, np.ones((2, 3, 3, 3)), bias=[1, 2, 3]), "errors.bias_count"),
    "1-D input": (lambda: ops.conv2d(np.ones(5), np.ones((1, 1))), "errors.input_ndim"),
    "5-D kernel": (lambda: ops.conv2d(X, np.ones((1, 1, 1, 1, 1))), "errors.kernel_ndim"),
    "empty input": (lambda: ops.conv2d(np.ones((0, 3)), np.ones((1, 1))), "errors.empty"),
    "text input": (lambda: ops.conv2d([["a", "b"]], np.ones((1, 1))), "errors.not_numeric"),
    "pool window too large": (lambda: ops.max_pool2d(X, 4), "errors.pool_window_too_large"),
    "avg pool window too large": (lambda: ops.avg_pool2d(X, (1, 5)), "errors.pool_window_too_large"),
    "pool padding over half": (lambda: ops.max_pool2d(X, 2, padding=2), "errors.pool_padding_too_large"),
    "pool stride zero": (lambda: ops.avg_pool2d(X, 2, stride=0), "errors.at_least_one"),
    "output size kernel too big": (lambda: ops.output_size(3, 5), "errors.kernel_too_large_1d"),
    "output size stride zero": (lambda: ops.output_size(5, 3, stride=0), "errors.at_least_one"),
    "output size negative padding": (lambda: ops.output_size(5, 3, padding=-1), "errors.padding_negative"),
    "transpose cropped away": (lambda: ops.conv_transpose2d(np.ones((1, 1)), np.ones((1, 1)), padding=1),
                               "errors.transpose_cropped_away"),
    "transpose output padding": (lambda: ops.conv_transpose2d(X, np.ones((2, 2)), output_padding=1),
                                 "errors.output_padding_too_large"),
    "transpose wrong kernel": (lambda: ops.conv_transpose2d(X3, np.ones((3, 3))), "errors.transpose_kernel_4d"),
    "softmax axis": (lambda: ops.softmax(np.ones(3), axis=2), "errors.bad_axis"),
    "trace too large": (lambda: steps.conv_steps(np.ones((70, 70)), np.ones((1, 1))), "errors.trace_too_large"),
    "trace of a bank": (lambda: steps.conv_steps(X3, np.ones((2, 3, 3, 3))), "errors.trace_one_filter"),
    "pool trace mode": (lambda: steps.pool_steps(X, 2, mode="median"), "errors.pool_mode"),
    "conv params zero channels": (lambda: arithmetic.conv_params(3, 0, 8), "errors.at_least_one"),
}


@pytest.mark.parametrize("name", CASES)
def test_impossible_input_raises_a_readable_value_error(name):
    call, key = CASES[name]
    with pytest.raises(ValueError) as caught:
        call()
    error = caught.value
    assert isinstance(error, InvalidInput)
    assert error.key == key
    english, korean = error.localized("en"), error.localized("ko")
    assert str(error) == english and english.endswith(".") and "{" not in english
    assert korean != english and "{" not in korean


def test_messages_name_the_sizes_involved():
    with pytest.raises(InvalidInput, match="5x5 kernel is larger than the 3x3 padded input"):
        ops.conv2d(X, np.ones((5, 5)))
    with pytest.raises(InvalidInput) as caught:
        ops.conv2d(X, np.ones((2, 2)), stride=0)
    assert "스트라이드" in caught.value.localized("ko")

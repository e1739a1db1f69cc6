"""LaTeX and Markdown tables for the lessons' arithmetic, with the student's own numbers substituted.

Pages hand these strings to ``st.latex`` and ``st.markdown``; keeping them here
lets tests check that every number in a formula is the one cnnviz computed.
"""

from __future__ import annotations

import re

import numpy as np

from cnnviz.arithmetic import AxisArithmetic, conv_params
from cnnviz.figures import format_number
from cnnviz.steps import ConvStep, PoolStep

MAX_TERMS = 25
_ASCII_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
WORD_JOINER = "\u2060"           # invisible: breaks a :shortcode: or a web address without showing


def _n(value: float) -> str:
    text = format_number(float(value)).replace("−∞", r"-\infty")
    return f"({text})" if text.startswith("-") else text


def output_size_general(a: AxisArithmetic, size: str, kernel: str) -> str:
    """floor((n + p_before + p_after - d(k-1) - 1)/s) + 1 = out: the symbols, then the student's numbers."""
    return (rf"\begin{{aligned}} {size}_{{out}} &= \left\lfloor \frac{{{size} + P_{{\mathrm{{start}}}} + "
            rf"P_{{\mathrm{{end}}}} - D({kernel} - 1) - 1}}{{S}} \right\rfloor + 1 \\ "
            rf"&= \left\lfloor \frac{{{a.n} + {a.pad_before} + {a.pad_after} - {a.dilation}({a.kernel} - 1) - 1}}"
            rf"{{{a.stride}}} \right\rfloor + 1 = \left\lfloor \frac{{{a.numerator}}}{{{a.stride}}} \right\rfloor"
            rf" + 1 = \mathbf{{{a.out}}} \end{{aligned}}")


def output_size_simple(a: AxisArithmetic, size: str, kernel: str) -> str | None:
    """The tutorials' forms: (H + 2P - FH)/S + 1, or n - f + 1; None when neither applies."""
    if a.dilation != 1 or a.pad_before != a.pad_after:
        return None
    if a.stride == 1 and a.pad_before == 0:
        return rf"n - f + 1 = {a.n} - {a.kernel} + 1 = \mathbf{{{a.out}}}"
    fraction = rf"\frac{{{a.n} + 2 \cdot {a.pad_before} - {a.kernel}}}{{{a.stride}}} + 1"
    value = (a.n + 2 * a.pad_before - a.kernel) / a.stride + 1
    return (rf"\frac{{{size} + 2P - F{size}}}{{S}} + 1 = {fraction} = {format_number(value)}"
            + ("" if a.divides else rf" \;\rightarrow\; \lfloor\cdot\rfloor \;=\; \mathbf{{{a.out}}}"))


def step_formula(step: ConvStep, kernel, index: tuple[int, int] | None = None, name: str = r"\mathrm{out}") -> str:
    """Each window value times its weight, summed, plus the bias: the output cell.
    ``index`` names the cell when the trace covers only part of a bigger map; ``name`` names the map."""
    pairs = zip(step.patch.reshape(-1), kernel.reshape(-1))
    terms = [rf"{_n(p)} \cdot {_n(k)}" for p, k in pairs]
    row, col = index or step.out_index
    head = rf"{name}[{row}, {col}] "
    if len(terms) <= MAX_TERMS:
        body = r" \\ &\quad + ".join(" + ".join(terms[i: i + 9]) for i in range(0, len(terms), 9))
    else:
        body = r"\textstyle\sum (\mathrm{window} \odot \mathrm{kernel})"
    total = format_number(float(step.products.sum()))
    return (rf"\begin{{aligned}} {head} &= {body} + {_n(step.bias)} \\ "
            rf"&= {total} + {_n(step.bias)} = \mathbf{{{format_number(step.value)}}} \end{{aligned}}")


def gradient_formula(gx: float, gy: float, view: str, index: tuple[int, int]) -> str:
    """How one pixel's Sobel x and y responses make its edge strength (``sobel_magnitude``) or its edge
    direction (``sobel_direction``, the angle of the gradient as ``cnnviz.filtering`` draws it)."""
    row, col = index
    if view == "sobel_magnitude":
        value = format_number(float(np.hypot(gx, gy)))
        return rf"|G|[{row}, {col}] = \sqrt{{G_x^2 + G_y^2}} = \sqrt{{{_n(gx)}^2 + {_n(gy)}^2}} = \mathbf{{{value}}}"
    degrees = format_number(float(np.degrees(np.arctan2(gy, gx))))
    return (rf"\theta[{row}, {col}] = \operatorname{{atan2}}(G_y, G_x) = "
            rf"\operatorname{{atan2}}({format_number(gy)}, {format_number(gx)}) = \mathbf{{{degrees}^\circ}}")


def pool_step_formula(step: PoolStep, mode: str, cell: bool = False) -> str:
    """max(window) = value, or (sum of the window) / count = value; with ``cell``, out[i, j] = first."""
    values = [_n(v) for v in step.patch.reshape(-1)]
    value = format_number(step.value)
    head = rf"\mathrm{{out}}[{step.out_index[0]}, {step.out_index[1]}] = " if cell else ""
    if mode == "max":
        return rf"{head}\max({', '.join(values)}) = \mathbf{{{value}}}"
    total = format_number(float(step.patch.sum()))
    return (rf"{head}\frac{{{' + '.join(values)}}}{{{step.patch.size}}} = \frac{{{total}}}{{{step.patch.size}}}"
            rf" = \mathbf{{{value}}}")


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "{,}")


def global_pool_formulas(maps, averages, maxima) -> str:
    """For each channel c: GAP_c = sum / count = average and GMP_c = max = maximum, one line per channel
    (``averages`` and ``maxima`` from ``ops.global_avg_pool`` and ``ops.global_max_pool``)."""
    lines = []
    for c, (m, average, maximum) in enumerate(zip(maps, averages, maxima), start=1):
        lines.append(rf"\mathrm{{GAP}}_{c} &= \frac{{{format_number(float(m.sum()))}}}{{{m.size}}} = "
                     rf"\mathbf{{{format_number(float(average))}}} & \mathrm{{GMP}}_{c} &= \max = "
                     rf"\mathbf{{{format_number(float(maximum))}}}")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def conv_parameters(kernel: int, channels: int, parameters: int) -> str:
    """(k·k·C + 1)·C with the numbers in: one k x k kernel per input channel and a bias, per filter."""
    return (rf"(k \cdot k \cdot C + 1) \cdot C = ({kernel} \cdot {kernel} \cdot {channels} + 1) \cdot {channels}"
            rf" = \mathbf{{{_thousands(parameters)}}}")


def conv_multiplications(kernel: int, channels: int, out_side: int, multiplications: int) -> str:
    """H_out·W_out·k·k·C·C with the numbers in: one multiplication per tap, channel and filter."""
    return (rf"H_{{out}} W_{{out}} \cdot k^2 \cdot C \cdot C = {out_side} \cdot {out_side} \cdot {kernel}^2 \cdot"
            rf" {channels} \cdot {channels} = \mathbf{{{_thousands(multiplications)}}}")


def power_of_ten(value: float) -> str:
    """Three significant digits: 0.0156, or 9.54 \\times 10^{-7} below 0.001 (LaTeX)."""
    if value == 0 or abs(value) >= 1e-3:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def gradient_product(depth: int, sigmoid: float, relu: float) -> str:
    """(max σ')^n = 0.25^n = 1/4^n ≈ … next to (max ReLU')^n = 1^n = 1, with the student's depth."""
    spelled = rf"= \frac{{1}}{{{_thousands(4 ** depth)}}} " if 4 ** depth < 10 ** 9 else ""
    exact = "=" if float(f"{sigmoid:.3g}") == sigmoid else r"\approx"
    return (rf"\begin{{aligned}} (\max \sigma')^{{{depth}}} &= 0.25^{{{depth}}} = \frac{{1}}{{4^{{{depth}}}}} "
            rf"{spelled}{exact} \mathbf{{{power_of_ten(sigmoid)}}} \\ "
            rf"(\max \mathrm{{ReLU}}')^{{{depth}}} &= 1^{{{depth}}} = \mathbf{{{format_number(relu)}}} \end{{aligned}}")


SOFTMAX = r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}"


def activation_formula(name: str, slope: float = 0.01) -> str:
    """The function and its derivative, in the notation the tutorials use (leaky ReLU with its slope)."""
    a = format_number(slope)
    return {
        "relu": r"\begin{aligned} \mathrm{ReLU}(x) &= \max(0, x) \\ \mathrm{ReLU}'(x) &= "
                r"\begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases} \end{aligned}",
        "leaky_relu": rf"\begin{{aligned}} f(x) &= \max({a}x, x) \\ f'(x) &= "
                      rf"\begin{{cases}} 1 & x > 0 \\ {a} & x \le 0 \end{{cases}} \end{{aligned}}",
        "sigmoid": r"\begin{aligned} \sigma(x) &= \frac{1}{1 + e^{-x}} \\ \sigma'(x) &= \sigma(x)\,(1 - \sigma(x))"
                   r" \le 0.25 \end{aligned}",
        "tanh": r"\begin{aligned} \tanh(x) &= \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} \\ \tanh'(x) &= 1 - \tanh^2(x)"
                r" \le 1 \end{aligned}",
    }[name]


def markdown_literal(text: str) -> str:
    """``text`` (a name a student typed or a file's name) as Markdown that shows it exactly as typed: "*cat* |
    $x$" is no formatting or formula, "www.a.example" no link, ":material/home:" no icon. Every ASCII
    punctuation mark is escaped and control characters become spaces. Streamlit finds links and ``:name:``
    shortcodes again in the text once the Markdown is parsed, its escapes removed, so an invisible word joiner
    also follows each colon and precedes each dot and at sign."""
    return _ASCII_PUNCTUATION.sub(_escaped, _CONTROL.sub(" ", str(text)))


def _escaped(mark: re.Match) -> str:
    return {":": "\\:" + WORD_JOINER, ".": WORD_JOINER + "\\.", "@": WORD_JOINER + "\\@"}.get(mark[0], "\\" + mark[0])


def plotly_literal(text: str) -> str:
    """``text`` as Plotly figure text that shows it as typed: Plotly draws ``<a href>``, ``<b>`` and the like
    in labels, so ``&``, ``<`` and ``>`` are written as entities."""
    return _CONTROL.sub(" ", str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, the first column left-aligned and the others (numbers) right-aligned: one
    element where a grid of metrics or a dataframe costs a rerun many more."""
    lines = [header, ["---"] + ["---:"] * (len(header) - 1), *rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def cross_entropy_formula(label: int, probability: float, loss: float) -> str:
    """The loss of one example with its numbers: only the right class's term of the sum is not zero."""
    return rf"L = -\sum_i T_i \log y_i = -\log y_{{{label}}} = -\log {probability:.4f} = {loss:.4f}"


def weight_gradient_formula(i: int, j: int, value: float) -> str:
    """One tap of a kernel's gradient: the padded input under the tap times the gradient at the map, summed."""
    return (rf"\frac{{\partial L}}{{\partial W_{{{i},{j}}}}} = \sum_{{r,c}} X_{{pad}}[r+{i},\,c+{j}]\cdot"
            rf"\frac{{\partial L}}{{\partial Z}}[r,c] = {value:.5f}")


def sgd_update_formula(rate: float, bias_before: float, bias_gradient: float, bias_after: float) -> str:
    """The SGD rule, and the bias's update with its numbers (the kernel's are drawn as grids)."""
    return (rf"W \leftarrow W - \eta\,\frac{{\partial L}}{{\partial W}},\quad \eta = {rate:g};"
            rf"\quad b: {bias_before:.4f} - {rate:g}\times({bias_gradient:.5f}) = {bias_after:.4f}")


def _parameter_term(kernel: int, c_in: int, c_out: int, bias: bool) -> str:
    """(k·k·C_in + 1)·C_out with the numbers in, or k·k·C_in·C_out without a bias."""
    if bias:
        return rf"({kernel} \cdot {kernel} \cdot {c_in} + 1) \cdot {c_out}"
    return rf"{kernel} \cdot {kernel} \cdot {c_in} \cdot {c_out}"


def layer_parameters(kernel: int, c_in: int, c_out: int, bias: bool) -> str:
    """One conv layer's parameters: the symbols, then the numbers (``arithmetic.conv_params``)."""
    symbols = r"(K \cdot K \cdot C_{in} + 1) \cdot C_{out}" if bias else r"K \cdot K \cdot C_{in} \cdot C_{out}"
    total = conv_params(kernel, c_in, c_out, bias)
    return rf"{symbols} = {_parameter_term(kernel, c_in, c_out, bias)} = \mathbf{{{_thousands(total)}}}"


def block_parameters(layers: list[tuple[int, int]], kernel: int) -> str:
    """A block of k x k conv layers with biases, given as (C_in, C_out): one line per layer, then the sum."""
    counts = [conv_params(kernel, c_in, c_out) for c_in, c_out in layers]
    lines = [rf"\mathrm{{conv}}_{n} &= {_parameter_term(kernel, c_in, c_out, True)} = {_thousands(count)}"
             for n, ((c_in, c_out), count) in enumerate(zip(layers, counts), start=1)]
    lines.append(rf"\textstyle\sum &= {' + '.join(_thousands(c) for c in counts)} = "
                 rf"\mathbf{{{_thousands(sum(counts))}}}")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def receptive_field_steps(layers, fields: list[int]) -> str:
    """r_l = r_(l-1) + (k_l - 1)·j_(l-1) for each layer (``fields`` from ``arithmetic.receptive_fields``), j the
    product of the strides before it."""
    lines, previous, jump = [r"r_0 &= 1"], 1, 1
    for n, (layer, field) in enumerate(zip(layers, fields), start=1):
        lines.append(rf"r_{n} &= r_{n - 1} + ({layer.kernel} - 1) \cdot j_{n - 1} = {previous} + "
                     rf"{layer.kernel - 1} \cdot {jump} = {field} & j_{n} &= j_{n - 1} \cdot {layer.stride} = "
                     rf"{jump * layer.stride}")
        previous, jump = field, jump * layer.stride
    lines[-1] = lines[-1].replace(rf"= {previous} &", rf"= \mathbf{{{previous}}} &")
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def softmax_numbers(result) -> str:
    """Softmax of a few logits worked out (``activations.SoftmaxSteps`` at T = 1): each e^(z - max), their
    sum, each probability."""
    top = float(result.scaled.max())
    gap = r" \quad "
    exps = gap.join(rf"e^{{{_n(z)} - {_n(top)}}} = {e:.3f}" for z, e in zip(result.scaled, result.exponentials))
    shares = gap.join(rf"p_{i} = \frac{{{e:.3f}}}{{{result.total:.3f}}} = \mathbf{{{p:.3f}}}"
                      for i, (e, p) in enumerate(zip(result.exponentials, result.probabilities), start=1))
    return (rf"\begin{{aligned}} &{exps} \\ &\textstyle\sum = {result.total:.3f} \\ &{shares} "
            r"\end{aligned}")


def channel_sum_formula(step: ConvStep) -> str:
    """A colour filter's output cell: the three channels' sums plus the bias."""
    sums = " + ".join(_n(float(s)) for s in step.channel_sums)
    return (rf"\mathrm{{out}} = \mathrm{{R}} + \mathrm{{G}} + \mathrm{{B}} + b = {sums} + {_n(step.bias)} = "
            rf"\mathbf{{{format_number(step.value)}}}")

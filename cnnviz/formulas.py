"""LaTeX for the lessons' arithmetic, with the student's own numbers substituted.

Pages hand these strings to ``st.latex``; keeping them here lets tests check
that every number in a formula is the one cnnviz computed.
"""

from __future__ import annotations

from cnnviz.arithmetic import AxisArithmetic
from cnnviz.figures import format_number
from cnnviz.steps import ConvStep, PoolStep

MAX_TERMS = 25


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


def step_formula(step: ConvStep, kernel, index: tuple[int, int] | None = None) -> str:
    """Each window value times its weight, summed, plus the bias: the output cell.
    ``index`` names the cell when the trace covers only part of a bigger map."""
    pairs = zip(step.patch.reshape(-1), kernel.reshape(-1))
    terms = [rf"{_n(p)} \cdot {_n(k)}" for p, k in pairs]
    row, col = index or step.out_index
    head = rf"\mathrm{{out}}[{row}, {col}] "
    if len(terms) <= MAX_TERMS:
        body = r" \\ &\quad + ".join(" + ".join(terms[i: i + 9]) for i in range(0, len(terms), 9))
    else:
        body = r"\textstyle\sum (\mathrm{window} \odot \mathrm{kernel})"
    total = format_number(float(step.products.sum()))
    return (rf"\begin{{aligned}} {head} &= {body} + {_n(step.bias)} \\ "
            rf"&= {total} + {_n(step.bias)} = \mathbf{{{format_number(step.value)}}} \end{{aligned}}")


def pool_step_formula(step: PoolStep, mode: str) -> str:
    """max(window) = value, or (sum of the window) / count = value."""
    values = [_n(v) for v in step.patch.reshape(-1)]
    value = format_number(step.value)
    if mode == "max":
        return rf"\max({', '.join(values)}) = \mathbf{{{value}}}"
    total = format_number(float(step.patch.sum()))
    return (rf"\frac{{{' + '.join(values)}}}{{{step.patch.size}}} = \frac{{{total}}}{{{step.patch.size}}}"
            rf" = \mathbf{{{value}}}")

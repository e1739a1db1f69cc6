"""The formulas a page shows carry the numbers cnnviz computed."""

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cnnviz import arithmetic, formulas, ops, steps


@given(st.integers(1, 30), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_output_size_formula_ends_with_the_real_size(n, k, s, p, d):
    axis = arithmetic.AxisArithmetic(n, k, s, d, p, p)
    if axis.span > axis.padded:
        return
    assert axis.out == ops.output_size(n, k, s, p, d)
    assert axis.unreached == axis.numerator % s
    general = formulas.output_size_general(axis, "H", "K")
    assert general.endswith(rf"= \mathbf{{{axis.out}}} \end{{aligned}}")
    simple = formulas.output_size_simple(axis, "H", "K")
    if simple is not None:
        assert simple.endswith(rf"\mathbf{{{axis.out}}}") or simple.endswith(f"= {axis.out}")


def test_simple_forms_apply_only_where_they_are_true():
    assert formulas.output_size_simple(arithmetic.AxisArithmetic(7, 3, 1, 2, 0, 0), "H", "K") is None
    assert formulas.output_size_simple(arithmetic.AxisArithmetic(7, 2, 1, 1, 0, 1), "H", "K") is None
    assert "n - f + 1 = 7 - 3 + 1" in formulas.output_size_simple(arithmetic.AxisArithmetic(7, 3, 1, 1, 0, 0), "H", "K")


def test_step_formula_lists_every_product_and_the_value():
    x = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], float)
    trace = steps.conv_trace(x, kernel, 0.5)
    latex = formulas.step_formula(trace.steps[0], trace.kernel)
    assert latex.count(r"\cdot") == 9
    assert r"\mathbf{-7.5}" in latex and "= -8 + 0.5" in latex
    assert ops.conv2d(x, kernel, 0.5)[0, 0] == -7.5
    big = steps.conv_trace(np.ones((7, 7)), np.ones((7, 7)))
    assert r"\sum" in formulas.step_formula(big.steps[0], big.kernel)
    assert re.search(r"\\mathbf\{49\}", formulas.step_formula(big.steps[0], big.kernel))


def test_pool_step_formula():
    trace = steps.pool_trace(np.array([[1.0, 9.0], [3.0, -4.0]]), 2, mode="max")
    assert formulas.pool_step_formula(trace.steps[0], "max") == r"\max(1, 9, 3, (-4)) = \mathbf{9}"
    trace = steps.pool_trace(np.array([[1.0, 9.0], [3.0, -4.0]]), 2, mode="avg")
    assert formulas.pool_step_formula(trace.steps[0], "avg").endswith(r"\frac{9}{4} = \mathbf{2.25}")


def test_markdown_tables_show_a_typed_name_as_typed():
    name = "*cat* | $x$ [a](b) <b>"
    cell = formulas.markdown_literal(name)
    assert re.sub(r"\\(.)", r"\1", cell) == name
    assert not re.search(r"(?<!\\)[|*$\[<]", cell)               # nothing left that Markdown would act on
    table = formulas.markdown_table(["", "p"], [[cell, "50.0%"], ["dog", "50.0%"]]).splitlines()
    assert table[1] == "| --- | ---: |" and len(table) == 4

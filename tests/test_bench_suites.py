"""``python -m bench`` runs every benchmark suite there is (a suite: a bench module with ``run()``)."""

import ast
from pathlib import Path

from bench.__main__ import SEPARATE, SUITES

BENCH = Path(__file__).resolve().parents[1] / "bench"


def suite_modules() -> set[str]:
    found = set()
    for path in BENCH.glob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.FunctionDef) and node.name == "run" for node in tree.body):
            found.add(path.stem)
    return found


def test_every_suite_is_run_by_python_m_bench():
    assert suite_modules() - set(SEPARATE) == set(SUITES)


def test_the_separate_benches_exist():
    assert set(SEPARATE) <= {path.stem for path in BENCH.glob("*.py")}

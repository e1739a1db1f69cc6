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


def test_each_student_uploads_other_bytes_of_the_same_picture():
    """bench.uploads makes each student's copy unique, so no decode is shared through the cache."""
    import io

    import numpy as np
    from PIL import Image

    from bench.uploads import unique_copy
    from tests.image_corpus import good_files

    png = good_files()["rgb.png"][0]
    copies = [unique_copy(png, n) for n in range(3)]
    assert len(set(copies)) == 3
    original = np.asarray(Image.open(io.BytesIO(png)))
    for copy in copies:
        with Image.open(io.BytesIO(copy)) as picture:
            picture.load()                                        # the CRC of the new chunk is checked
            assert np.array_equal(np.asarray(picture), original)

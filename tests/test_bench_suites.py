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


def test_a_socket_student_keeps_the_page_timers_as_the_page_does():
    """A fragment's timer starts with its auto_rerun message, stops with stop_auto_rerun, and every timer stops
    when a full run starts (its fragments announce theirs again); a chart's latest figure is kept by its key."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    from bench.socket_students import SocketStudent

    student = SocketStudent(0, "http://127.0.0.1:1", None, 0, "en", 1)
    message = ForwardMsg
    student._message(message(auto_rerun={"interval": 0.5, "fragment_id": "a"}))
    student._message(message(auto_rerun={"interval": 2, "fragment_id": "b"}))
    assert student.auto_reruns == {"a": 0.5, "b": 2}
    student._message(message(stop_auto_rerun={"fragment_ids": ["b"]}))
    assert student.auto_reruns == {"a": 0.5}
    fragment_run = message(new_session={}, metadata={"run": {"fragment_ids": ["a"]}})
    student._message(fragment_run)
    assert student.auto_reruns == {"a": 0.5}
    student._message(message(new_session={}))
    assert student.auto_reruns == {}
    for figure_hash, spec in (("5e1f", '{"data": [{"x": [0]}]}'), ("9a0c", '{"data": [{"x": [0, 50]}]}')):
        student._message(message(delta={"new_element": {"plotly_chart": {"id": f"$$ID-{figure_hash}-live_curves",
                                                                         "spec": spec}}}))
    assert student.chart("live_curves") == {"data": [{"x": [0, 50]}]}
    assert student.chart("other") is None


def test_the_training_students_are_spread_over_the_others():
    from bench.classroom import spread

    browsers = spread(4, list(range(30)))
    assert browsers == {0, 8, 15, 22}          # as the classroom bench has always placed its browsers
    trainers = spread(5, [index for index in range(30) if index not in browsers])
    assert len(trainers) == 5 and not trainers & browsers
    assert spread(0, list(range(30))) == set()

"""The transfer lesson in AppTest, in both languages: the recorded experiment and the second pairs show the
recordings' numbers, a live run goes through the pool, impossible labels are said, and the ImageNet section
takes both of its paths."""

import json

import numpy as np
import pytest

from cnnviz import imagenet, transfer
from cnnviz.i18n import LANGUAGES, t
from tests.apptest import choose_tab, open_app, wait_for_run
from cnnviz.training_pool import shared_pool
from ui.live_training import OWNER_KEY
from ui.transfer_views import RUN_KEY

PAGE = "pages/transfer.py"
DIGITS = transfer.PAIRS[0]


def specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def open_lesson(lang: str, tab: str | None = None):
    at = open_app(lang, PAGE, timeout=30)
    return choose_tab(at, "transfer", t(f"transfer.tab_{tab}", lang)) if tab else at


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_experiment_shows_the_recorded_numbers(lang):
    at = open_lesson(lang)
    assert not at.exception and not at.error
    for labels in transfer.EXPERIMENTS[DIGITS]:
        at.segmented_control(key="transfer_labels").set_value(labels).run()
        table = next(m.value for m in at.markdown if m.value.startswith(f"| {t('transfer.column_way', lang)} |"))
        for way in transfer.WAYS:
            recorded = transfer.recordings()[(*DIGITS, labels, way)]
            mean, spread = recorded.accuracy
            row = next(line for line in table.splitlines() if line.startswith(f"| {t(f'transfer.way_{way}', lang)} |"))
            assert f"{mean:.1%} ± {100 * spread:.1f}" in row
            assert f"{recorded.results[0].trainable_parameters:,}" in row
        curves = next(spec for spec in specs(at) if spec["layout"].get("yaxis2"))
        first = transfer.recordings()[(*DIGITS, labels, "scratch")].results[0].points
        assert curves["data"][0]["x"] == [p.step for p in first]
    drawing = next(spec for spec in specs(at) if spec["layout"].get("shapes") and not spec["data"][0]["x"])
    texts = " ".join(a["text"] for a in drawing["layout"]["annotations"])
    for way in transfer.WAYS:
        _, trainable, frozen = transfer.layer_boxes(transfer.TransferConfig(way=way))
        assert t("transfer.trainable_line", lang, trainable=trainable, total=trainable + frozen) in texts
    assert not at.exception and not at.error


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_second_pairs_and_imagenet(lang, monkeypatch):
    at = open_lesson(lang, "source")
    assert not at.exception and not at.error
    bars = next(spec for spec in specs(at) if spec["data"][0]["type"] == "bar")
    for index, way in enumerate(transfer.WAYS):
        expected = [round(100 * transfer.recordings()[(*pair, 100, way)].accuracy[0], 2) for pair in transfer.PAIRS[1:]]
        assert bars["data"][index]["y"] == expected
    at = choose_tab(at, "transfer", t("transfer.tab_imagenet", lang))
    assert any(f"{imagenet.ILSVRC_TRAIN_IMAGES:,}" in m.value and f"{imagenet.IMAGENET_IMAGES:,}" in m.value
               for m in at.markdown)
    status, _ = imagenet.resnet18_status()
    assert status == imagenet.NO_TORCHVISION                            # this machine: torchvision does not import
    assert [i.value for i in at.info] == [t("transfer.resnet_no_torchvision", lang, path="",
                                            call=imagenet.RESNET18_CALL)]
    features = imagenet.Features(np.linspace(0, 1, 512, dtype=np.float32),
                                 [(f"class {k}", 0.5 / (k + 1)) for k in range(5)], np.zeros((224, 224, 3), np.uint8))
    monkeypatch.setattr(imagenet, "resnet18_status", lambda: (imagenet.READY, "/cache/resnet18.pth"))
    monkeypatch.setattr(imagenet, "resnet18_features", lambda rgb: features)
    at.run()                                                             # weights cached: the photo's features
    assert not at.info and not at.exception and not at.error and len(at.get("image")) == 2
    top = next(spec for spec in specs(at) if spec["data"][0]["type"] == "bar")
    assert "class 0" in json.dumps(top)


def owner_of(at) -> str:
    return at.session_state[OWNER_KEY]


def test_a_live_run_trains_in_the_pool_and_ends_with_its_numbers():
    at = open_lesson("ko", "live")
    at.number_input(key="transfer_live_labels").set_value(0).run()          # impossible: said, Train is off
    assert [w.value for w in at.warning] == [t("errors.transfer.labels", "ko", value=0, low=5, high="6,000")]
    assert at.button(key="transfer_train").disabled and not at.exception
    at.number_input(key="transfer_live_labels").set_value(50).run()
    at.segmented_control(key="transfer_live_way").set_value("finetune").run()
    at.button(key="transfer_train").click().run()
    handle = at.session_state[RUN_KEY]
    assert handle is shared_pool().submit(f"{owner_of(at)}:transfer", handle.config)   # the app's one pool
    try:
        status = wait_for_run(at, RUN_KEY, lambda s: s.state == "done", timeout=90)
        last = status.snapshots[-1]
        assert handle.config == transfer.TransferConfig(labels=50, way="finetune")
        assert last.step == handle.config.steps
        recorded = transfer.recordings()[(*DIGITS, 50, "finetune")].results[0]
        assert last.test_accuracy == pytest.approx(recorded.test_accuracy, abs=1e-3)  # it repeats the recording
        at.run()
        _, trainable, _ = transfer.layer_boxes(handle.config)
        assert [s.value for s in at.success] == [t("transfer.ended_done", "ko", step=last.step,
                                                   accuracy=last.test_accuracy, trainable=trainable,
                                                   seconds=last.seconds)]
        drawn = [trace for trace in next(spec for spec in specs(at) if spec["layout"].get("yaxis2"))["data"]
                 if trace.get("showlegend", True)]
        scratch = transfer.recordings()[(*DIGITS, 50, "scratch")].results[0].points
        assert [trace["x"] for trace in drawn] == [[p.step for p in status.snapshots], [p.step for p in scratch]]
        assert not at.exception and not at.error
    finally:
        handle.cancel()
    at.button(key="transfer_reset").click().run()
    assert RUN_KEY not in at.session_state
    assert [i.value for i in at.info] == [t("transfer.idle", "ko")]


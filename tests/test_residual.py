"""Why residual connections: the networks, their blocks against a computation by hand, the record command, the
shipped recordings, their figures, and the section in AppTest in both languages."""

import json
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest
from torch import nn

from cnnviz import learning, residual
from cnnviz.datasets import sha256
from cnnviz.i18n import LANGUAGES, t
from cnnviz.learning import TrainConfig, json_safe
from cnnviz.models.deep_stacks import Block, deep_stack, stage_blocks
from cnnviz.training_figures import curves_figure, layer_norms_figure
from tests.test_learning import one_thread  # noqa: F401  (autouse: one torch thread, as the command records)
from tests.apptest import choose_tab, open_app
from tests.test_recordings import close


@pytest.mark.parametrize("name", residual.NAMES)
def test_the_depth_counts_the_layers_with_weights(name):
    """As the paper counts: the 3x3 convolutions and the linear layer, counted in the module itself."""
    network = learning.MODELS[name]()
    depth = int(name.removeprefix("plain").removeprefix("residual"))
    convolutions = [m for m in network.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in network.modules() if isinstance(m, nn.Linear)]
    assert len(convolutions) + len(linears) == depth and len(linears) == 1
    assert all(conv.kernel_size == (3, 3) for conv in convolutions)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in network.modules()) == len(convolutions)
    blocks = [m for m in network.modules() if isinstance(m, Block)]
    assert all(block.residual == name.startswith("residual") for block in blocks)
    assert network(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_stage_blocks():
    assert stage_blocks(20) == (3, 3, 3) and stage_blocks(40) == (7, 6, 6) and stage_blocks(56) == (9, 9, 9)
    for depth in (7, 21, 6):
        with pytest.raises(ValueError):
            stage_blocks(depth)


def test_plain_and_residual_start_from_the_same_weights():
    for depth in (20, 40):
        plain, res = (learning.build_model(TrainConfig(model=f"{kind}{depth}", pooling="avg"),
                                           torch.Generator().manual_seed(3)).state_dict()
                      for kind in ("plain", "residual"))
        assert plain.keys() == res.keys() and all(torch.equal(plain[k], res[k]) for k in plain)
    assert residual.parameter_count("plain40") == sum(p.numel() for p in deep_stack(40, True).parameters())


def by_hand(block: Block, x: torch.Tensor) -> torch.Tensor:
    """F(x) from the block's weights with torch.nn.functional, in evaluation mode (running statistics)."""
    def bn(z, layer):
        return F.batch_norm(z, layer.running_mean, layer.running_var, layer.weight, layer.bias, eps=layer.eps)
    z = F.relu(bn(F.conv2d(x, block.conv1.weight, stride=block.conv1.stride, padding=1), block.bn1))
    return bn(F.conv2d(z, block.conv2.weight, padding=1), block.bn2)


@pytest.mark.parametrize("channels_in, channels_out, stride", [(8, 8, 1), (8, 16, 2)])
def test_a_residual_block_outputs_relu_of_f_plus_x(channels_in, channels_out, stride):
    torch.manual_seed(0)
    blocks = {kind: Block(channels_in, channels_out, stride, "relu", residual=kind).eval() for kind in (True, False)}
    for layer in (blocks[True].bn1, blocks[True].bn2):     # statistics and scales other than 0 and 1: a real check
        layer.running_mean.normal_()
        layer.running_var.uniform_(0.5, 2)
        nn.init.normal_(layer.weight)
        nn.init.normal_(layer.bias)
    blocks[False].load_state_dict(blocks[True].state_dict())
    x = torch.randn(3, channels_in, 14, 14)
    f = by_hand(blocks[True], x)
    shortcut = x[:, :, ::stride, ::stride]
    if channels_out > channels_in:          # the new channels of the shortcut are zeros
        shortcut = torch.cat([shortcut, torch.zeros(3, channels_out - channels_in, *shortcut.shape[2:])], dim=1)
    with torch.no_grad():
        assert torch.allclose(blocks[True](x), F.relu(f + shortcut), atol=1e-5)
        assert torch.allclose(blocks[False](x), F.relu(f), atol=1e-5)
        assert torch.allclose(blocks[True].branch(x), f, atol=1e-5)
        assert not torch.allclose(blocks[True](x), blocks[False](x))


def test_the_record_command_writes_recordings_that_load(tmp_path, capsys):
    residual.main(["--steps", "3", "--eval-every", "2", "--train-images", "100", "--train-slice", "50",
                   "--out", str(tmp_path)])
    runs = [residual.read_run(residual.path_of(name, tmp_path)) for name in residual.NAMES]
    for run in runs:
        assert run.config == replace(residual.RUNS[run.name], steps=3, eval_every=2, train_images=100)
        assert run.steps == [0, 2, 3] and len(run.train_accuracy) == len(run.train_loss) == 3
        assert run.train_images == 50 and all(0 <= a <= 1 for a in run.train_accuracy)
        assert len(run.start_grad_norms) == run.depth and all(v > 0 for v in run.start_grad_norms.values())
        assert run.snapshots[-1].confusion.sum() == 2000
    readme = (tmp_path / "README.md").read_text()
    assert "python -m cnnviz.residual --steps 3" in readme
    assert all(sha256(residual.path_of(name, tmp_path)) in readme for name in residual.NAMES)
    assert capsys.readouterr().out.count("test accuracy") == 4
    with pytest.raises(SystemExit):
        residual.main(["plain30", "--out", str(tmp_path)])


def test_the_shipped_runs_share_their_step_axis_and_stay_small():
    runs = residual.load_runs()
    assert [run.name for run in runs] == list(residual.NAMES) and residual.load_run("plain20") is runs[0]
    axis = list(range(0, residual.BASE.steps + 1, residual.BASE.eval_every))
    for run in runs:
        assert run.config == residual.RUNS[run.name] and run.steps == axis
        assert len(run.losses) == len(run.train_loss) == len(run.train_accuracy) == len(axis)
        assert list(run.start_grad_norms) == list(run.snapshots[-1].grad_norms) and len(run.start_grad_norms) == run.depth
        assert not run.snapshots[-1].diverged and not run.snapshots[0].kernels.flags.writeable
        assert residual.path_of(run.name).stat().st_size < 2**20
    readme = (residual.RUNS_DIR / "README.md").read_text()
    assert "python -m cnnviz.residual" in readme
    assert all(sha256(residual.path_of(name)) in readme for name in residual.NAMES)
    with pytest.raises(KeyError):
        residual.load_run("plain30")


def test_the_shipped_runs_show_what_the_section_says():
    """The section's text says this of the recordings; a re-recording that no longer shows it fails here."""
    final = {run.name: run for run in residual.load_runs()}
    loss = {name: run.losses[-1] for name, run in final.items()}
    assert loss["plain40"] > loss["plain20"] and loss["plain40"] > loss["residual40"]      # degradation
    assert abs(loss["plain20"] - loss["residual20"]) < (loss["plain40"] - loss["residual40"]) / 2   # close at 20
    assert final["plain40"].train_accuracy[-1] < final["residual40"].train_accuracy[-1]   # worse on its training data
    norms = list(final["plain40"].start_grad_norms.values())
    assert min(norms) > 1e-3 * max(norms)                                                  # nothing vanishes,
    assert sum(norms[:len(norms) // 2]) > sum(norms[len(norms) // 2:])                    # they grow toward the input
    above = [run for run in final.values() if run.start_loss > residual.LOSS_TOP]       # off the top at step 0:
    assert all(run.residual for run in above)                                              # residual networks, and
    assert final["residual40"].start_loss > final["residual20"].start_loss                 # more so with more blocks


def test_recording_again_gives_the_same_first_snapshots():
    stored = residual.load_run("plain20")
    config = replace(stored.config, steps=stored.config.eval_every)
    fresh = residual.record(config, stored.train_images)
    assert close(fresh["start"], json_safe({"loss": stored.start_loss, "grad_norms": stored.start_grad_norms}))
    stored_snapshots = [json_safe(s.to_dict(), 4) for s in stored.snapshots[:2]]
    # Recorded before snapshots measured the first 500 training images too: the fields they have must agree.
    fresh_snapshots = [{key: value for key, value in snapshot.items() if old.get(key) is not None}
                       for snapshot, old in zip(fresh["snapshots"], stored_snapshots)]
    assert len(fresh["snapshots"]) == 2 and all(close(a, {k: v for k, v in b.items() if v is not None})
                                                for a, b in zip(fresh_snapshots, stored_snapshots))
    assert close([s["accuracy"] for s in fresh["train_slice"]["tests"]], list(stored.train_accuracy[:2]))


def test_the_figures_draw_every_run():
    runs = residual.load_runs()
    names = {name: name for name in residual.NAMES}
    curves = curves_figure(residual.curves(runs, names), {"step": "s", "loss": "l", "accuracy": "a", "uniform": "u"})
    traces = curves["data"]
    assert [trace["name"] for trace in traces[::2]] == list(residual.NAMES) and len(traces) == 8
    assert [trace["line"]["dash"] for trace in traces[::2]] == ["dash", "solid", "dash", "solid"]
    assert traces[0]["line"]["color"] == traces[2]["line"]["color"] != traces[4]["line"]["color"]
    assert traces[4]["y"] == runs[2].losses and traces[5]["y"] == [s.test_accuracy for s in runs[2].snapshots]
    for at_start in (True, False):
        grads = layer_norms_figure(residual.grad_lines(runs, names, at_start), {"layer": "l", "norm": "n"})
        assert [len(trace["x"]) for trace in grads["data"]] == [20, 20, 40, 40]
        expected = runs[3].start_grad_norms if at_start else runs[3].snapshots[-1].grad_norms
        assert grads["data"][3]["y"] == list(expected.values())
        assert grads["data"][3]["customdata"][0] == "conv" and grads["layout"]["yaxis"]["type"] == "log"


def open_section(lang: str) -> AppTest:
    """The architectures lesson on its residual-connections tab."""
    return choose_tab(open_app(lang, "pages/architectures.py"), "architectures", t("architectures.tab_residual", lang))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_section_replays_the_recordings(lang):
    at = open_section(lang)
    assert not at.exception and not at.error
    runs = {run.name: run for run in residual.load_runs()}
    curves, grads = (json.loads(chart.proto.spec) for chart in at.get("plotly_chart"))
    assert [trace["name"] for trace in curves["data"][::2]] == [t(f"residual.run_{n}", lang) for n in residual.NAMES]
    text = "\n".join(m.value for m in at.markdown)
    for run in runs.values():
        assert f"| {t(f'residual.run_{run.name}', lang)} | {run.parameters:,} | {run.losses[-1]:.3f} |" in text
    assert f"{runs['plain40'].snapshots[-1].test_accuracy:.1%}" in text
    assert t("residual.paper", lang).strip() in text
    assert grads["data"][2]["y"] == list(runs["plain40"].start_grad_norms.values())
    at.segmented_control(key="residual_grads_at").set_value("end").run()
    grads = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert grads["data"][2]["y"] == list(runs["plain40"].snapshots[-1].grad_norms.values())
    assert not at.exception and not at.error

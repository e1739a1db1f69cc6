"""What each great architecture's paper reports, for the side-by-side comparison.

Parameters and multiply-accumulates are not typed in here: the page computes them from the
modules (``cnnviz.models.anatomy``). Only what a module cannot tell is: the year, the paper,
and the error rate its authors measured, with how they measured it (one network or several,
validation or test set), since those are easily quoted wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paper:
    network: str
    name: str                  # as the papers write it
    year: int
    citation: str
    top5_error: float | None   # ImageNet (ILSVRC) top-5 error in %, as reported; None: not measured on ImageNet
    ensemble: bool             # several networks averaged, or one
    measured: str              # catalog key suffix: how and where it was measured ("val", "test", ...)


RESNET = "He, Zhang, Ren, Sun. Deep residual learning for image recognition. CVPR 2016 (arXiv 2015)"
PAPERS = (
    Paper("lenet5", "LeNet-5", 1998,
          "LeCun, Bottou, Bengio, Haffner. Gradient-based learning applied to document recognition. Proc. IEEE 1998",
          None, False, "mnist"),
    Paper("alexnet", "AlexNet", 2012,
          "Krizhevsky, Sutskever, Hinton. ImageNet classification with deep convolutional neural networks. NIPS 2012",
          18.2, False, "alexnet_one"),
    Paper("vgg16", "VGG-16", 2014,
          "Simonyan, Zisserman. Very deep convolutional networks for large-scale image recognition. ICLR 2015 "
          "(arXiv 2014)", 7.2, False, "vgg_dense"),
    Paper("resnet18", "ResNet-18", 2015, RESNET, None, False, "resnet18_top1"),
    Paper("resnet50", "ResNet-50", 2015, RESNET, 5.25, False, "resnet50_single"),
)
ENSEMBLES = {    # the same papers' best entries with several networks: network -> (top-5 error %, networks)
    "alexnet": (15.3, 7),
    "vgg16": (6.8, 2),
    "resnet50": (3.57, 6),
}

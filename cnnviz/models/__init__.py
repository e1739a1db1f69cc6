"""The trained networks the lessons look inside.

``available()`` names them; ``load(name, device=None)`` gives a ``LoadedModel``
with ``.module``, ``.labels``, ``.device``, ``.predict(images)`` and
``.feature_maps(image)``. The weights ship in ``assets/models/``;
``python -m cnnviz.train`` makes them again.
"""

from __future__ import annotations

from cnnviz.models.preprocess import Prepared
from cnnviz.models.runtime import Activation, GradCam, LoadedModel, load
from cnnviz.models.specs import SPECS, ModelSpec

__all__ = ["Activation", "GradCam", "LoadedModel", "ModelSpec", "Prepared", "available", "load"]


def available() -> list[str]:
    """The names of the shipped models, in menu order."""
    return list(SPECS)

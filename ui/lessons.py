"""The lessons the app serves, in menu order. A page is listed only once it exists."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Lesson:
    name: str        # file stem in pages/, and the key of its title ("nav.<name>")
    section: str     # key of its menu section
    icon: str

    @property
    def path(self) -> str:
        return f"pages/{self.name}.py"


LESSONS = [
    Lesson("home", "nav.section_start", ":material/home:"),
    Lesson("convolution", "nav.section_convolution", ":material/grid_on:"),
    Lesson("conv_arithmetic", "nav.section_convolution", ":material/calculate:"),
    Lesson("pooling", "nav.section_layers", ":material/grid_view:"),
    Lesson("activations", "nav.section_layers", ":material/show_chart:"),
    Lesson("filters", "nav.section_images", ":material/filter_b_and_w:"),
    Lesson("channels", "nav.section_images", ":material/palette:"),
    Lesson("feature_maps", "nav.section_networks", ":material/psychology:"),
    Lesson("architectures", "nav.section_networks", ":material/account_tree:"),
    Lesson("training", "nav.section_training", ":material/model_training:"),
    Lesson("augmentation", "nav.section_training", ":material/auto_awesome_motion:"),
    Lesson("transfer", "nav.section_training", ":material/move_up:"),
]

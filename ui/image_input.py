"""Choose a sample picture or upload your own: the image every image lesson starts from."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from cnnviz import images
from cnnviz.errors import InvalidInput
from cnnviz.i18n import t

@st.cache_resource(max_entries=64, ttl=3600, show_spinner=False)
def _decoded(digest: str, _data: bytes, max_bytes: int, working_size: int) -> np.ndarray:
    """Keyed by the SHA-256 of the bytes (Streamlit's own hashing samples big inputs); shared read-only."""
    return images.decode_image(_data, max_bytes, working_size)


@st.cache_resource(max_entries=16, show_spinner=False)
def _sample(name: str, working_size: int) -> np.ndarray:
    return images.sample_image(name, working_size)


def image_input(key: str, default_size: int = 512, narrow: bool = False) -> tuple[np.ndarray, str]:
    """The chosen picture as uint8 RGB (read-only: copy before changing it) and a plain-text label.

    A refused upload shows why, in the user's language, and the sample is used instead.
    ``narrow`` stacks the controls (for a side column) and keeps the default working size.
    """
    sample_names = {name: t(f"images.sample_{name}") for name in images.SAMPLES}
    left, middle, right = (st.container(),) * 3 if narrow else st.columns([2, 2, 1])
    sample = left.selectbox(t("images.sample"), images.SAMPLES, format_func=sample_names.get, key=f"{key}_sample")
    # No type= filter: Streamlit enforces it by raising while it reads the widget state, before
    # this script can catch anything, so a mislabelled file would break the page. cnnviz.images
    # checks the content itself and refuses with a message.
    upload = middle.file_uploader(t("images.upload"), key=f"{key}_upload", help=t("images.upload_help"))
    size = default_size if narrow else right.select_slider(t("images.working_size"), images.WORKING_SIZES,
                                                             default_size, key=f"{key}_size")
    if upload is not None:
        data = upload.getvalue()
        max_bytes = int(st.get_option("server.maxUploadSize")) * 2**20
        try:
            image = _decoded(hashlib.sha256(data).hexdigest(), data, max_bytes, size)
            return image, images.safe_label(upload.name)
        except InvalidInput as error:
            st.error(error.localized(), icon=":material/broken_image:")
            st.caption(t("images.using_sample"))
    return _sample(sample, size), sample_names[sample]

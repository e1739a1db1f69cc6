"""Choose a sample picture or upload your own: the image every image lesson starts from."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import DeletedFile

from cnnviz import images
from cnnviz.errors import InvalidInput
from cnnviz.i18n import t
from ui.caching import shared
from ui.links import linked

class Picture(NamedTuple):
    """The picture a lesson works on."""
    rgb: np.ndarray      # uint8 RGB, shared read-only: copy before changing it
    label: str           # plain text, never HTML
    key: str             # stands for exactly these pixels (what caches key on): its source and working size


class _NotHeld(Exception):
    """The decoded picture is no longer in the cache, and its bytes are gone."""


@shared(max_entries=64, ttl=3600)
def _decoded(digest: str, _data: bytes | None, max_bytes: int, working_size: int) -> np.ndarray:
    """Keyed by the SHA-256 of the bytes, not by the bytes themselves; shared read-only.
    Called without bytes, it only looks the picture up (exceptions are not cached)."""
    if _data is None:
        raise _NotHeld
    return images.decode_image(_data, max_bytes, working_size)


def _decode_upload(upload, key: str, max_bytes: int, working_size: int) -> tuple[np.ndarray, str]:
    """An uploaded file (of the uploader ``key``) -> (the picture, the SHA-256 it is cached under); raises
    InvalidInput. Its bytes are hashed once per upload and decoded once per working size, not per rerun."""
    digest = _upload_digest(key, upload)
    try:
        return _decoded(digest, None, max_bytes, working_size), digest      # decoded on an earlier rerun
    except _NotHeld:
        return _decoded(digest, upload.getvalue(), max_bytes, working_size), digest


def uploaded_picture(upload, key: str, working_size: int) -> Picture | None:
    """The picture the uploader ``key`` holds (``upload``, its value) at ``working_size``; None when there is none.

    A refused upload shows why, in the user's language, and gives the last picture this session uploaded
    successfully (while the cache holds it), or None. An upload whose bytes the server no longer has (it
    restarted; the browser still lists the file) is said so, rather than silently replaced.
    """
    if upload is None:
        if isinstance(st.session_state.get(key), DeletedFile):
            st.warning(t("images.upload_lost"), icon=":material/cloud_off:")
        return None
    max_bytes = int(st.get_option("server.maxUploadSize")) * 2**20
    try:
        image, digest = _decode_upload(upload, key, max_bytes, working_size)
    except InvalidInput as error:
        st.error(error.localized(), icon=":material/broken_image:")
        previous = _last_good(key, max_bytes, working_size)
        if previous is not None:
            st.caption(t("images.using_last", name=previous.label))
        return previous
    label = images.safe_label(upload.name)
    st.session_state[f"{key}_last_good"] = (digest, label)
    return Picture(image, label, f"{digest}:{working_size}")


def _last_good(key: str, max_bytes: int, working_size: int) -> Picture | None:
    """The last upload this session decoded, if the cache still holds it at this working size.
    Only its digest and label live in session_state, never the pixels."""
    remembered = st.session_state.get(f"{key}_last_good")
    if remembered is None:
        return None
    digest, label = remembered
    try:
        return Picture(_decoded(digest, None, max_bytes, working_size), label, f"{digest}:{working_size}")
    except _NotHeld:
        return None


def _upload_digest(key: str, upload) -> str:
    """The SHA-256 of an upload's bytes, computed once per upload rather than on every rerun (a few
    milliseconds for a photo straight from a phone)."""
    seen = st.session_state.get(f"{key}_digest")
    if seen is None or seen[0] != upload.file_id:
        seen = st.session_state[f"{key}_digest"] = (upload.file_id, hashlib.sha256(upload.getvalue()).hexdigest())
    return seen[1]


@shared(max_entries=16)
def _sample(name: str, working_size: int) -> np.ndarray:
    return images.sample_image(name, working_size)


def image_input(key: str, default_size: int = 512, narrow: bool = False) -> Picture:
    """The chosen picture: a sample or the student's upload, at the chosen working size.

    A refused upload shows why, in the user's language; the page goes on with the last picture this
    session uploaded successfully (while the cache holds it), or else with the chosen sample (see
    uploaded_picture).
    ``narrow`` stacks the controls (for a side column) and keeps the default working size.
    """
    sample_names = {name: t(f"images.sample_{name}") for name in images.SAMPLES}
    left, middle, right = (st.container(),) * 3 if narrow else st.columns([2, 2, 1])
    sample = linked(left.selectbox, t("images.sample"), images.SAMPLES, format_func=sample_names.get,
                    key=f"{key}_sample", help=t("images.sample_help"))
    # No type= filter: Streamlit enforces it by raising while it reads the widget state, before
    # this script can catch anything, so a mislabelled file would break the page. cnnviz.images
    # checks the content itself and refuses with a message.
    limit_mb = int(st.get_option("server.maxUploadSize"))
    upload = middle.file_uploader(t("images.upload"), key=f"{key}_upload", help=t("images.upload_help", limit=limit_mb))
    size = default_size if narrow else linked(right.select_slider, t("images.working_size"), images.WORKING_SIZES,
                                              default_size, key=f"{key}_size")
    picture = uploaded_picture(upload, f"{key}_upload", size)
    if picture is not None:
        st.caption(t("links.picture_not_in_link"))
        return picture
    if upload is not None:
        st.caption(t("images.using_sample"))
    return Picture(_sample(sample, size), sample_names[sample], f"sample:{sample}:{size}")

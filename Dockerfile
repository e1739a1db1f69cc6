# cnnviz in a container. docs/deploy.md explains how to build and run it.
#
#   docker build -t cnnviz .                      # torch from PyPI: includes CUDA, serves GPU nodes
#   docker build -t cnnviz-cpu \
#     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu .   # CPU only, much smaller
#
#   docker run -p 8501:8501 -e STREAMLIT_SERVER_COOKIE_SECRET="$(openssl rand -hex 32)" cnnviz
#
# The cookie secret comes from the environment at run time; it is never part of the image.
FROM python:3.11-slim

# Empty: PyPI's default torch build. Set it to https://download.pytorch.org/whl/cpu for a CPU-only image.
ARG TORCH_INDEX_URL=""

# The code in the image never changes, so Streamlit watches no files (a watcher would only use
# inotify watches, which containers share with the host). CNNVIZ_DEVICE stays unset: the app
# uses CUDA when the container sees a GPU, the CPU otherwise.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

WORKDIR /app

# Hangul in the GIFs and PNGs the lessons draw for slides (cnnviz.animation_export): Noto Sans CJK.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# torch first, from TORCH_INDEX_URL when it is set; the same version as requirements.txt.
RUN if [ -n "$TORCH_INDEX_URL" ]; then \
        pip install --no-cache-dir --index-url "$TORCH_INDEX_URL" torch==2.13.0; \
    else \
        pip install --no-cache-dir torch==2.13.0; \
    fi

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# Only what the app needs at run time: no tests, benchmarks, documentation or data.
COPY app.py ./
COPY pages/ ./pages/
COPY ui/ ./ui/
COPY cnnviz/ ./cnnviz/
COPY assets/ ./assets/
COPY .streamlit/ ./.streamlit/

# The app runs as an unprivileged user; the files stay owned by root, read-only to it.
RUN useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin cnnviz
USER cnnviz

EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() == b'ok' else 1)"]

# The other settings come from .streamlit/config.toml.
CMD ["streamlit", "run", "app.py", "--server.address", "0.0.0.0", "--server.port", "8501"]

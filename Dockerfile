# moviebot: configured only by the environment (see README), database on a volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MOVIEBOT_DB=/data/moviebot.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY moviebot ./moviebot
COPY data/catalog.jsonl ./data/catalog.jsonl
RUN pip install . && useradd --system --uid 10001 --home-dir /data moviebot \
    && mkdir -p /data && chown moviebot /data

USER moviebot
VOLUME ["/data"]
# `docker stop` sends SIGTERM; moviebot finishes in-flight work and exits within a few seconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["moviebot"]
CMD ["run"]

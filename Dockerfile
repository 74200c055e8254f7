# newsmon image: one image, several roles (worker, api, replay, ...) chosen by the command.
#   docker build -t newsmon:local .
#   docker run --rm newsmon:local --help
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Non-root runtime user; /app is its working directory (Faust keeps its table data there).
RUN groupadd --system --gid 10001 newsmon \
    && useradd --system --uid 10001 --gid newsmon --home-dir /home/newsmon --create-home \
       --shell /usr/sbin/nologin newsmon

WORKDIR /app

# Torch first, from the CPU-only index, so the project install below does not pull CUDA wheels
# (2.13.0+cpu satisfies the project's torch==2.13.0 pin). Its own layer: it changes rarely.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

# The project: pyproject at the root, package sources in services/ (installed as `newsmon`).
COPY pyproject.toml README.md ./
COPY services/ ./services/
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && newsmon --help >/dev/null

# Data the commands read at run time.
COPY seeds/ ./seeds/
COPY schemas/ ./schemas/

RUN chown -R newsmon:newsmon /app
USER newsmon
ENV HOME=/home/newsmon

ENTRYPOINT ["newsmon"]
CMD ["--help"]

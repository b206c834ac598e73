# syntax=docker/dockerfile:1
# trustscan container image: the wheel and its dependencies only, run as an unprivileged user.
# No credentials are baked in: pass them at run time (see the README, "Container image").
#   docker build --build-arg VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' scanner/__init__.py)" -t trustscan .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     -e AWS_SESSION_TOKEN trustscan scan aws --format sarif=trustscan.sarif
# The version lives in scanner/__init__.py alone: the image installs the wheel built from this tree, and
# VERSION only labels the image (the build stops when it is not the version of the wheel it built).
#
# python:3.12-slim pinned by digest (the multi-platform index). To move to a newer base:
#   docker buildx imagetools inspect python:3.12-slim   (the "Digest:" line), then replace it here.
ARG PYTHON_IMAGE=python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

FROM ${PYTHON_IMAGE} AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY scanner ./scanner
COPY checks ./checks
COPY mappings ./mappings
COPY fixtures ./fixtures
# Build trustscan's wheel and the wheels of everything it needs, at the versions of the dependency lock
# (constraints.txt, what the tests ran with): the runtime stage installs offline.
ARG EXTRAS=""
ARG VERSION=""
# requirements.txt pins the runtime install to the wheel just built (its version read from the wheel's name).
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt ".${EXTRAS}" \
    && built="$(find /wheels -name 'trustscan-*.whl' | sed 's|.*/trustscan-\([^-]*\)-.*|\1|')" \
    && if [ -n "${VERSION}" ] && [ "${VERSION}" != "${built}" ]; then \
         echo "VERSION=${VERSION} is not the version of the wheel built from this tree (${built})" >&2; exit 1; \
       fi \
    && echo "trustscan${EXTRAS}==${built}" > /wheels/requirements.txt

FROM ${PYTHON_IMAGE}
ARG VERSION=""
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
    python -m pip install --no-cache-dir --no-index --find-links=/wheels --requirement /wheels/requirements.txt \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin trustscan
# Reports written into a mounted folder belong to this user unless the run says otherwise:
# docker run --user "$(id -u):$(id -g)" -v "$PWD:/work" ... writes them as the caller.
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["trustscan"]
CMD ["--help"]

# syntax=docker/dockerfile:1
# One image for the whole suite: the four services and the `substrate` admin tool, built on the official Swift image
# and run on Debian slim. docker-compose.yml starts each service from it with a different command.
#
#   docker build -t event-substrate .
#
# Swift runtime libraries are linked statically (--static-swift-stdlib), so the runtime stage needs only the C
# libraries the thin wrappers use (checked with ldd on such a build: librdkafka and its compression/TLS/SASL
# libraries, hiredis, libstdc++; avro-c is linked by the differential tests only). librdkafka is built from source: Debian 12 ships 2.0.2 and the platform needs
# ≥ 2.1 (ARCHITECTURE.md, "librdkafka").

ARG SWIFT_VERSION=6.2
ARG LIBRDKAFKA_VERSION=2.8.0

# ---------------------------------------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build
ARG LIBRDKAFKA_VERSION
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        ca-certificates curl pkg-config make gcc g++ libhiredis-dev libavro-dev \
        libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

RUN curl -fsSL "https://github.com/confluentinc/librdkafka/archive/refs/tags/v${LIBRDKAFKA_VERSION}.tar.gz" \
        | tar -xz -C /tmp \
    && cd "/tmp/librdkafka-${LIBRDKAFKA_VERSION}" \
    && ./configure --prefix=/usr/local --disable-gssapi \
    && make -j"$(nproc)" libs \
    && make -C src install \
    && ldconfig \
    && rm -rf "/tmp/librdkafka-${LIBRDKAFKA_VERSION}"

WORKDIR /build
# Dependencies first: this layer is reused while only the project's sources change.
COPY Package.swift ./
RUN swift package resolve
COPY Shared ./Shared
COPY Services ./Services
COPY Tests ./Tests

RUN for product in Gateway MessageConsumer MediaService SagaProcessor substrate; do \
         swift build -c release --static-swift-stdlib --product "$product" || exit 1; \
       done
RUN mkdir -p /staging/bin /staging/lib \
    && bin="$(swift build -c release --show-bin-path)" \
    && for product in Gateway MessageConsumer MediaService SagaProcessor substrate; do \
         cp "$bin/$product" /staging/bin/; \
       done \
    && strip /staging/bin/* \
    && cp -P /usr/local/lib/librdkafka.so* /staging/lib/

# ---------------------------------------------------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        ca-certificates tzdata curl libstdc++6 \
        libhiredis0.14 libssl3 libsasl2-2 libzstd1 liblz4-1 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin substrate

COPY --from=build /staging/lib/ /usr/local/lib/
RUN ldconfig
COPY --from=build /staging/bin/ /app/bin/
COPY avro /app/avro
COPY migrations /app/migrations
COPY routes.yaml /app/routes.yaml

WORKDIR /app
USER substrate
ENV PATH=/app/bin:$PATH \
    ROUTES_FILE=/app/routes.yaml \
    LOG_FORMAT=json \
    LOG_LEVEL=info
# docker-compose.yml chooses the service; the image alone prints the admin tool's help.
CMD ["substrate", "--help"]

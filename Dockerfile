# syntax=docker/dockerfile:1
#
# Two stages: a Go toolchain builds one static binary (no cgo: the SQLite
# driver is pure Go), and a distroless image runs it as a non-root user with
# nothing else inside: no shell, no package manager, nothing to patch.
#
# Base images are pinned by digest (the tag beside it says what it is, the
# digest decides which image it is), so a rebuild is the same image until
# someone updates the digest in a reviewable commit.
#
# Multi-platform: the build stage runs on the builder's own platform
# ($BUILDPLATFORM) and cross-compiles for the target one. TARGETOS and
# TARGETARCH are declared WITHOUT a default: BuildKit sets them from
# --platform (or the host), and a default here would override it, putting an
# amd64 binary in an image built on arm64.

FROM --platform=$BUILDPLATFORM golang:1.26@sha256:595c7847cff97c9a9e76f015083c481d26078f961c9c8dca3923132f51fe12f1 AS build
WORKDIR /src
# Dependencies first, so that code changes do not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
# What `aircall-helpscout version` prints (e.g. --build-arg VERSION=v1.2.0):
# .git is not in the build context, so Go cannot stamp the commit itself.
ARG VERSION
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o /out/aircall-helpscout ./cmd/aircall-helpscout
# The data directory must belong to the runtime user: a named volume mounted
# on /data is initialised from it, ownership included.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/aircall-helpscout /usr/local/bin/aircall-helpscout
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV DATABASE_PATH=/data/aircall-helpscout.db
VOLUME /data
EXPOSE 8080
# Distroless has no shell nor curl: the binary checks itself. /healthz is 503
# until the first pass has succeeded, hence the start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=2m --retries=3 \
    CMD ["/usr/local/bin/aircall-helpscout", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/aircall-helpscout"]
CMD ["serve"]

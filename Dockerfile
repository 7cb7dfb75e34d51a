# syntax=docker/dockerfile:1
#
# Two stages: a Go toolchain builds one static binary (no cgo: the SQLite
# driver is pure Go), and a distroless image runs it as a non-root user with
# nothing else inside: no shell, no package manager, nothing to patch.
#
# Base images are pinned by digest (the tag beside it says what it is, the
# digest decides which image it is), so a rebuild is the same image until
# someone updates the digest in a reviewable commit. The build image is the
# exact Go of go.mod's `go 1.26.8` line, so the toolchain is never fetched at
# build time. The digests were not read from a registry here: each is the
# one most public, independent Dockerfiles pinned for that tag on
# 2026-11-30 (golang:1.26.8-bookworm: six; distroless static-debian12:nonroot:
# more than ten, two dated 2026-08-26 by `crane digest`). Refresh them with
# Dependabot's or Renovate's docker updates, or by hand with
#   docker buildx imagetools inspect golang:1.26.8-bookworm
#   docker buildx imagetools inspect gcr.io/distroless/static-debian12:nonroot
# (the multi-platform index digest, the "Digest:" line, is the one to pin).
#
# Multi-platform: the build stage runs on the builder's own platform
# ($BUILDPLATFORM) and cross-compiles for the target one. TARGETOS and
# TARGETARCH are declared WITHOUT a default: BuildKit sets them from
# --platform (or the host), and a default here would override it, putting an
# amd64 binary in an image built on arm64.

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
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

FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
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

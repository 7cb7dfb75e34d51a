# syntax=docker/dockerfile:1
#
# Two stages: a Go toolchain builds one static binary (no cgo: the SQLite
# driver is pure Go), and a distroless image runs it as a non-root user with
# nothing else inside: no shell, no package manager, nothing to patch.

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that code changes do not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w" -o /out/aircall-helpscout ./cmd/aircall-helpscout
# The data directory must belong to the runtime user: a named volume mounted
# on /data is initialised from it, ownership included.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/aircall-helpscout /usr/local/bin/aircall-helpscout
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV DATABASE_PATH=/data/aircall-helpscout.db
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/aircall-helpscout"]
CMD ["serve"]

# Concierge: multi-stage build. SQLite needs cgo, so the build stage has gcc
# and the runtime stage has the C library it links against.
# The build command is the one .ci/run exercises.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=1
RUN go build -trimpath -ldflags "-s -w" -o /out/concierge ./cmd/concierge

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin concierge \
 && mkdir -p /data && chown concierge:concierge /data
COPY --from=build /out/concierge /usr/local/bin/concierge
USER concierge
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/concierge", "--data", "/data"]
CMD ["serve", "--addr", "0.0.0.0:8080"]

# The manager's image: one static binary, the CA certificates that the real
# Partner Center (graph.microsoft.com) and Microsoft Entra ID need, nothing
# else. No shell, no package manager, non-root.
#
# Build it with `make image` (CONTAINER_TOOL=podman or docker): the binary is
# built on the host with CGO_ENABLED=0 and the CA bundle is taken from the
# host's ca-certificates package, both into bin/image/, the build context.
# Building on the host needs no builder base image, so the image builds where
# no registry is reachable; the binary is the one `make build` builds, only
# static.
FROM scratch

ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/cosell-operator/cosell-operator
ARG CREATED

LABEL org.opencontainers.image.title="cosell-operator" \
      org.opencontainers.image.description="Kubernetes operator for Microsoft Partner Center marketplace offers and co-sell solutions" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.created="${CREATED}"

COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY manager /manager

# 65532 is distroless's "nonroot"; Kubernetes' runAsNonRoot needs a numeric UID.
USER 65532:65532
ENTRYPOINT ["/manager"]

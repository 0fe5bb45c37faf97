#!/usr/bin/env bash
# Builds the control-plane binaries (etcd, kube-apiserver, kubectl) that the
# envtest suites and `make run` use into bin/k8s/ when they are missing, then
# prints that folder's absolute path (for KUBEBUILDER_ASSETS).
#
# Versions are pinned by hack/k8s-assets/go.mod. Everything is compiled from
# the Go module proxy: no prebuilt binary is downloaded. The first build takes
# several minutes on two cores; later runs reuse the binaries, and a version
# bump rebuilds them (the pinned go.mod is stamped next to the binaries).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="${root}/hack/k8s-assets"
out="${K8S_ASSETS_DIR:-${root}/bin/k8s}"
stamp="${out}/.stamp"

want="$(cat "${module}/go.mod" "${module}/go.sum" | sha256sum | cut -d' ' -f1)"
have="$(cat "${stamp}" 2>/dev/null || true)"

binaries=(etcd kube-apiserver kubectl)
missing=0
for b in "${binaries[@]}"; do
	[[ -x "${out}/${b}" ]] || missing=1
done

if [[ "${missing}" == 1 || "${want}" != "${have}" ]]; then
	mkdir -p "${out}"
	echo "k8s-assets: building etcd, kube-apiserver and kubectl into ${out} (first run takes minutes)" >&2
	cd "${module}"
	export CGO_ENABLED=0
	go build -trimpath -o "${out}/etcd" go.etcd.io/etcd/server/v3 >&2
	go build -trimpath -o "${out}/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver >&2
	go build -trimpath -o "${out}/kubectl" k8s.io/kubernetes/cmd/kubectl >&2
	echo "${want}" >"${stamp}"
fi

echo "${out}"

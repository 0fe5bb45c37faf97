# cosell-operator. `make help` lists the targets.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

# The Go toolchain of every target, taken from the Go module proxy like any
# module (go.mod's toolchain line names it too, but these machines run with
# GOTOOLCHAIN=local and would ignore it). go1.26.8, the machines' own Go,
# has standard-library vulnerabilities that make vulncheck fails on.
export GOTOOLCHAIN := go1.27.3

CONTROLLER_GEN := go tool controller-gen
# Built from the Go module proxy (hack/k8s-assets.sh); the first build takes minutes.
K8S_ASSETS = $(shell hack/k8s-assets.sh)
IMG ?= ghcr.io/cosell-operator/cosell-operator:dev
# podman or docker (kubebuilder's convention). make image installs podman
# and runc with apt-get when podman is missing.
CONTAINER_TOOL ?= podman
GO_TEST_FLAGS ?= -race -count=1

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: ## Generate the CRDs and RBAC under config/ from the API and controller markers, and copy them into the Helm chart.
	go run ./hack/offerrules
	$(CONTROLLER_GEN) crd rbac:roleName=manager-role paths="./..." \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac
	@$(MAKE) --no-print-directory chart-sync

# The chart cannot read files outside itself, so these copies are its
# inputs; config/ stays the one source of truth and make verify fails when a
# copy differs (make manifests refreshes them).
CHART := charts/cosell-operator

.PHONY: chart-sync
chart-sync: ## Copy the CRDs, the generated manager role, the alert rules and the dashboard from config/ into the chart.
	rm -f $(CHART)/crds/*.yaml
	cp config/crd/bases/*.yaml $(CHART)/crds/
	cp config/rbac/role.yaml $(CHART)/files/manager-role.yaml
	cp config/prometheus/prometheusrule.yaml $(CHART)/files/prometheusrule.yaml
	cp config/prometheus/dashboard.json $(CHART)/files/dashboard.json

.PHONY: generate
generate: ## Generate deepcopy code for the API types.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths="./api/..."

.PHONY: fmt
fmt: ## Format the code.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

# golangci-lint is pinned in hack/tools/go.mod and built from the Go module proxy.
GOLANGCI_LINT := go tool -modfile=hack/tools/go.mod golangci-lint

.PHONY: lint
lint: ## Run golangci-lint (gosec, the logr/klog logging checks and more; see .golangci.yml).
	$(GOLANGCI_LINT) run ./...
	cd test/prometheus && go tool -modfile=../../hack/tools/go.mod golangci-lint run ./...

.PHONY: verify
verify: manifests generate ## Regenerate and fail on a dirty tree; check gofmt, vet, go mod tidy, lint and reachable vulnerabilities.
	go mod tidy
	cd hack/k8s-assets && go mod tidy
	cd hack/tools && go mod tidy
	cd test/prometheus && go mod tidy
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	cd test/prometheus && go vet ./...
	$(GOLANGCI_LINT) run ./...
	cd test/prometheus && go tool -modfile=../../hack/tools/go.mod golangci-lint run ./...
	$(HELM) lint --strict $(CHART)
	@$(MAKE) --no-print-directory vulncheck
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "verify: the tree is dirty after regeneration and go mod tidy; commit the result:"; \
		git status --porcelain; git --no-pager diff --stat; exit 1; fi

# govulncheck is pinned in hack/tools/go.mod. Its database is built from a
# pinned version of the Go module golang.org/x/vulndb (its data/osv records,
# fetched through the Go module proxy) by hack/vulndb: raise the version to
# take newer records.
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
VULNDB_DIR := $(CURDIR)/bin/vulndb

.PHONY: vulncheck
vulncheck: ## Fail on a vulnerability the code can reach (govulncheck, database built from golang.org/x/vulndb@VULNDB_VERSION).
	go run ./hack/vulndb -version $(VULNDB_VERSION) -out $(VULNDB_DIR)
	go tool -modfile=hack/tools/go.mod govulncheck -db file://$(VULNDB_DIR) ./...

##@ Test

.PHONY: k8s-assets
k8s-assets: ## Build etcd, kube-apiserver and kubectl into bin/k8s from the Go module proxy.
	@hack/k8s-assets.sh

.PHONY: test
test: ## Run unit and envtest tests (builds the control-plane assets on first run); test/image runs when podman or docker is installed.
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) ./...
	cd test/prometheus && go test $(GO_TEST_FLAGS) ./...

.PHONY: test-e2e
test-e2e: ## Run only the end-to-end test: `local` as make run starts it, driven with kubectl.
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) -v ./test/e2e/

##@ Run

.PHONY: build
build: ## Build the manager binary into bin/manager.
	go build -o bin/manager .

.PHONY: run
run: ## Run the operator locally: local control plane, CRDs and the embedded Partner Center simulator (state in .local/).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go run . local $(RUN_ARGS)

.PHONY: clean-local
clean-local: ## Wipe the state of `make run` (etcd data, simulator store, kubeconfig) in .local/.
	rm -rf .local

##@ Image

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE ?= https://github.com/cosell-operator/cosell-operator
GOARCH ?= $(shell go env GOARCH)
# Debian's ca-certificates bundle; the image carries this one file.
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt

.PHONY: container-tool
container-tool: ## Install podman and runc with apt-get when CONTAINER_TOOL=podman and they are missing.
	@if [ "$(CONTAINER_TOOL)" = podman ] && { ! command -v podman >/dev/null || ! command -v runc >/dev/null; }; then \
		echo "make: podman or runc is missing; installing them: apt-get update && apt-get install -y podman runc"; \
		apt-get update && apt-get install -y podman runc; \
	fi
	@command -v "$(CONTAINER_TOOL)" >/dev/null || { echo "make: $(CONTAINER_TOOL) not found; set CONTAINER_TOOL=podman or docker"; exit 1; }

.PHONY: image
image: container-tool ## Build the image IMG from scratch: the static manager binary, the CA bundle, OCI labels, user 65532.
	@if [ ! -r "$(CA_BUNDLE)" ]; then \
		echo "make: $(CA_BUNDLE) is missing; installing ca-certificates: apt-get install -y ca-certificates"; \
		apt-get update && apt-get install -y ca-certificates; \
	fi
	@mkdir -p bin/image
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) go build -trimpath -ldflags="-s -w" -o bin/image/manager .
	cp "$(CA_BUNDLE)" bin/image/ca-certificates.crt
	$(CONTAINER_TOOL) build -f Dockerfile -t $(IMG) \
		--build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) --build-arg SOURCE=$(SOURCE) \
		--build-arg CREATED=$$(date -u +%Y-%m-%dT%H:%M:%SZ) \
		bin/image

.PHONY: test-image
test-image: image ## Build the image, then run it against a local control plane (test/image).
	IMG=$(IMG) CONTAINER_TOOL=$(CONTAINER_TOOL) KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test -count=1 -v ./test/image/

##@ Helm

# Helm is pinned in hack/tools/go.mod and built from the Go module proxy.
HELM := go tool -modfile=hack/tools/go.mod helm
HELM_RELEASE ?= cosell-operator
HELM_NAMESPACE ?= cosell-operator-system
HELM_VALUES ?=

.PHONY: helm-lint
helm-lint: ## Lint the chart with its default values and every values file in test/helm/values.
	$(HELM) lint --strict $(CHART)
	for f in test/helm/values/*.yaml; do $(HELM) lint --strict $(CHART) -f $$f; done

.PHONY: helm-template
helm-template: ## Render the chart (HELM_VALUES=file for a values file).
	$(HELM) template $(HELM_RELEASE) $(CHART) --namespace $(HELM_NAMESPACE) $(if $(HELM_VALUES),-f $(HELM_VALUES))

.PHONY: helm-package
helm-package: ## Package the chart into bin/charts.
	$(HELM) package $(CHART) --destination bin/charts --app-version $(VERSION)

.PHONY: helm-install
helm-install: ## Install or upgrade the chart into the cluster of the current kubeconfig (image: IMG).
	img="$(IMG)"; $(HELM) upgrade --install $(HELM_RELEASE) $(CHART) --namespace $(HELM_NAMESPACE) --create-namespace \
		--set image.repository="$${img%:*}" --set image.tag="$${img##*:}" $(if $(HELM_VALUES),-f $(HELM_VALUES))

.PHONY: helm-uninstall
helm-uninstall: ## Uninstall the chart's release (Helm keeps the CRDs and so the objects).
	$(HELM) uninstall $(HELM_RELEASE) --namespace $(HELM_NAMESPACE)

##@ Deployment

KUBECTL = $(K8S_ASSETS)/kubectl

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	"$(KUBECTL)" apply --server-side -k config/crd

# Deleting a CRD deletes every object of its kind: with the operator
# running, each Delete-policy offer's sale is stopped in Partner Center;
# without it, the deletions hang on their finalizers. So no other target
# deletes the CRDs, and this one asks for CONFIRM=yes.
.PHONY: uninstall-crds
uninstall-crds: ## Remove the CRDs and with them EVERY Solution and MarketplaceOffer (stops the sale of Delete-policy offers); needs CONFIRM=yes.
	@echo "WARNING: deleting the CRDs deletes every Solution and MarketplaceOffer in the cluster." >&2
	@echo "WARNING: with the operator running, each offer with deletionPolicy Delete stops selling in Partner Center;" >&2
	@echo "WARNING: without it, the deletions hang on their finalizers." >&2
	@if [ "$(CONFIRM)" != yes ]; then echo "make uninstall-crds: nothing deleted; run make uninstall-crds CONFIRM=yes to go ahead" >&2; exit 1; fi
	"$(KUBECTL)" delete --ignore-not-found -k config/crd

.PHONY: uninstall
uninstall: uninstall-crds ## Alias of make uninstall-crds (kubebuilder's name); needs CONFIRM=yes.

.PHONY: deploy
deploy: manifests ## Deploy the operator with config/default (image: IMG).
	"$(KUBECTL)" kustomize config/default | sed 's|image: ghcr.io/cosell-operator/cosell-operator:dev|image: $(IMG)|' | "$(KUBECTL)" apply --server-side -f -

.PHONY: undeploy
undeploy: ## Remove the operator deployed by `make deploy`, keeping the CRDs and so every object (make uninstall-crds removes them).
	"$(KUBECTL)" delete --ignore-not-found -k config/operator

.PHONY: docker-build
docker-build: image ## Alias of make image (kubebuilder's name).

.PHONY: image-push
image-push: ## Push the image IMG.
	$(CONTAINER_TOOL) push $(IMG)

.PHONY: docker-push
docker-push: image-push ## Alias of make image-push.

##@ Chaos

CHAOS_TIMEOUT ?= 60m

.PHONY: chaos
chaos: ## Chaos tests at full size (test/chaos): 500 offers + 500 solutions under >=20 operator SIGKILLs, under injected faults, and across a leader failover; writes test/chaos/RESULTS.md from a passing run.
	@mkdir -p tmp
	@# The commit the run is made on, noted before it starts.
	if git rev-parse HEAD > tmp/chaos.commit 2>/dev/null; then \
		git diff --quiet HEAD -- || echo "with uncommitted changes" >> tmp/chaos.commit; \
	else echo "unknown (not a git checkout)" > tmp/chaos.commit; fi
	CHAOS_FULL=1 KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test -count=1 -v -timeout $(CHAOS_TIMEOUT) ./test/chaos/ 2>&1 | tee tmp/chaos.out
	go run ./hack/chaosreport -commit "$$(paste -sd' ' tmp/chaos.commit)" -out test/chaos/RESULTS.md tmp/chaos.out

.PHONY: chaos-short
chaos-short: ## The short chaos variant that `make test` also runs (100+100 objects, 20 kills, faults, failover).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test -count=1 -v ./test/chaos/

##@ Benchmark

BENCH_ARGS ?=

.PHONY: bench
bench: ## Scale benchmark (issue 6): convergence at N=1000 and 5000 against its floor, writes and calls per object, memory, a 429-limited Partner Center. BENCH_ARGS passes flags (e.g. -n 200 -throttle-n 50).
	go build -o bin/cosell-operator-bench .
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go run ./test/bench -operator bin/cosell-operator-bench $(BENCH_ARGS)

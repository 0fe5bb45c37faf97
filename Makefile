# cosell-operator. `make help` lists the targets.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

CONTROLLER_GEN := go tool controller-gen
# Built from the Go module proxy (hack/k8s-assets.sh); the first build takes minutes.
K8S_ASSETS = $(shell hack/k8s-assets.sh)
IMG ?= ghcr.io/cosell-operator/cosell-operator:dev
GO_TEST_FLAGS ?= -race -count=1

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"} /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: ## Generate the CRDs and RBAC under config/ from the API and controller markers.
	$(CONTROLLER_GEN) crd rbac:roleName=manager-role paths="./..." \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

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

.PHONY: verify
verify: manifests generate ## Regenerate and fail on a dirty tree; check gofmt, vet, go mod tidy and lint.
	go mod tidy
	cd hack/k8s-assets && go mod tidy
	cd hack/tools && go mod tidy
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	$(GOLANGCI_LINT) run ./...
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "verify: the tree is dirty after regeneration and go mod tidy; commit the result:"; \
		git status --porcelain; git --no-pager diff --stat; exit 1; fi

##@ Test

.PHONY: k8s-assets
k8s-assets: ## Build etcd, kube-apiserver and kubectl into bin/k8s from the Go module proxy.
	@hack/k8s-assets.sh

.PHONY: test
test: ## Run unit and envtest tests (builds the control-plane assets on first run).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) ./...

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

##@ Deployment

KUBECTL = $(K8S_ASSETS)/kubectl

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	"$(KUBECTL)" apply --server-side -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRDs (and with them every Solution and MarketplaceOffer object).
	"$(KUBECTL)" delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the operator with config/default (image: IMG).
	"$(KUBECTL)" kustomize config/default | sed 's|image: ghcr.io/cosell-operator/cosell-operator:dev|image: $(IMG)|' | "$(KUBECTL)" apply --server-side -f -

.PHONY: undeploy
undeploy: ## Remove the operator deployed by `make deploy`.
	"$(KUBECTL)" delete --ignore-not-found -k config/default

.PHONY: docker-build
docker-build: ## Build the container image (needs a Docker engine).
	docker build -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the container image.
	docker push $(IMG)

##@ Chaos

CHAOS_TIMEOUT ?= 60m

.PHONY: chaos
chaos: ## Chaos tests at full size (test/chaos): 500 offers + 500 solutions under >=20 operator SIGKILLs, under injected faults, and across a leader failover.
	@mkdir -p tmp
	CHAOS_FULL=1 KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test -count=1 -v -timeout $(CHAOS_TIMEOUT) ./test/chaos/ 2>&1 | tee tmp/chaos.out

.PHONY: chaos-short
chaos-short: ## The short chaos variant that `make test` also runs (100+100 objects, 20 kills, faults, failover).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test -count=1 -v ./test/chaos/

##@ Benchmark

BENCH_ARGS ?=

.PHONY: bench
bench: ## Scale benchmark (issue 6): convergence at N=1000 and 5000 against its floor, writes and calls per object, memory, a 429-limited Partner Center. BENCH_ARGS passes flags (e.g. -n 200 -throttle-n 50).
	go build -o bin/cosell-operator-bench .
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go run ./test/bench -operator bin/cosell-operator-bench $(BENCH_ARGS)

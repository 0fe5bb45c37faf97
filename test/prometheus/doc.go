// Package prometheus checks the operator's alert rules and Grafana dashboard
// (config/prometheus) with Prometheus's own rule and PromQL parsers.
//
// It is a module of its own so that the operator's module does not take on
// the Prometheus server's dependencies (a bump of zap, grpc, OpenTelemetry
// and golang.org/x in the manager binary, for a test); make test and make
// verify run it.
package prometheus

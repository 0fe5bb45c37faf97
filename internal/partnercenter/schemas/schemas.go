// Package schemas holds Microsoft's published JSON Schemas of the Partner
// Center Product Ingestion API resources (draft 2020-12, version
// 2022-03-01-preview2) and validates documents against them offline.
//
// The files are exactly as Microsoft serves them from
// https://product-ingestion.azureedge.net/schema/<kind>/2022-03-01-preview2;
// each file holds its resource schema and, under $defs keyed by full URI,
// every schema it references. partner-ingestion-swagger.json is the swagger
// of the older Partner Ingestion API
// (https://api.partner.microsoft.com/v1.0/ingestion, co-sell endpoints),
// from microsoft/az-partner-center-cli (MIT licence). See README.md.
//
// Microsoft publishes no JSON Schema for the configure envelope,
// configure-status or configure-detail, nor any schema newer than
// 2022-03-01-preview2 (the SaaS listing, plan-listing and property kinds are
// documented only at later versions, by example). Has reports which kinds
// this package can judge.
package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Version is the schema version of the embedded files.
const Version = "2022-03-01-preview2"

// Host is the host of the documented schema URIs.
const Host = "product-ingestion.azureedge.net"

//go:embed *-2022-03-01-preview2.json
var files embed.FS

//go:embed partner-ingestion-swagger.json
var partnerIngestionSwagger []byte

// PartnerIngestionSwagger returns the swagger document of the Partner
// Ingestion API (co-sell endpoints), as published by Microsoft.
func PartnerIngestionSwagger() []byte {
	return bytes.Clone(partnerIngestionSwagger)
}

// URI returns the documented $schema URI of kind at version.
func URI(kind, version string) string {
	return "https://" + Host + "/schema/" + kind + "/" + version
}

// schemaPath matches /schema/<kind>/<version> at the end of a schema URI.
var schemaPath = regexp.MustCompile(`^/schema/([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/(\d{4}-\d\d-\d\d(?:-[a-z]+\d*)?)/?$`)

// KindOf takes the resource kind and version out of a $schema URI of any
// host (product-ingestion.azureedge.net, schema.mp.microsoft.com, the -int
// hosts) and any version: it keys only on the path /schema/<kind>/<version>.
// Partner Center answers with other hosts and versions than a client sends,
// so a reader must never drop a resource because of them.
func KindOf(schemaURI string) (kind, version string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(schemaURI))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", "", false
	}
	m := schemaPath.FindStringSubmatch(u.Path)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Issue is one failed constraint: where in the instance, and what.
type Issue struct {
	// InstancePath is a JSON pointer into the validated document ("" is
	// the document itself).
	InstancePath string `json:"instancePath"`
	// Message says what is wrong, in English.
	Message string `json:"message"`
}

func (i Issue) String() string {
	p := i.InstancePath
	if p == "" {
		p = "/"
	}
	return p + ": " + i.Message
}

// ValidationError lists every failed constraint of a document against the
// schema of Kind.
type ValidationError struct {
	Kind   string
	Issues []Issue
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		parts = append(parts, i.String())
	}
	return fmt.Sprintf("%s does not match schema %s: %s", e.Kind, URI(e.Kind, Version), strings.Join(parts, "; "))
}

// Messages returns the issues as "<path>: <message>" strings, the form of a
// 400 body's or a failed job's details.
func (e *ValidationError) Messages() []string {
	out := make([]string, 0, len(e.Issues))
	for _, i := range e.Issues {
		out = append(out, i.String())
	}
	return out
}

// ErrUnknownKind is returned (wrapped) for a kind without an embedded schema.
var ErrUnknownKind = errors.New("no published schema for kind")

type registry struct {
	byKind map[string]*jsonschema.Schema
}

var load = sync.OnceValues(compileAll)

// Kinds lists the kinds with an embedded schema, sorted.
func Kinds() []string {
	r, err := load()
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(r.byKind))
	for k := range r.byKind {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether kind has an embedded published schema.
func Has(kind string) bool {
	r, err := load()
	if err != nil {
		return false
	}
	_, ok := r.byKind[kind]
	return ok
}

// Validate checks doc (a decoded JSON value, a struct that marshals to JSON,
// or raw JSON bytes) against the published schema of kind. It returns nil,
// a *ValidationError, or an error wrapping ErrUnknownKind.
func Validate(kind string, doc any) error {
	r, err := load()
	if err != nil {
		return err
	}
	sch, ok := r.byKind[kind]
	if !ok {
		return fmt.Errorf("%w %q (embedded: %s)", ErrUnknownKind, kind, strings.Join(Kinds(), ", "))
	}
	inst, err := normalize(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	err = sch.Validate(inst)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return &ValidationError{Kind: kind, Issues: issues(ve)}
}

// ValidateResource validates a resource against the schema of the kind
// named by its $schema (any host, any version).
func ValidateResource(doc map[string]any) error {
	s, _ := doc["$schema"].(string)
	kind, _, ok := KindOf(s)
	if !ok {
		return &ValidationError{Kind: "resource", Issues: []Issue{{InstancePath: "/$schema", Message: fmt.Sprintf("%q is not a schema URI of the form https://<host>/schema/<kind>/<version>", s)}}}
	}
	return Validate(kind, doc)
}

// normalize turns doc into the value model the validator expects
// (map[string]any, []any, json.Number, string, bool, nil).
func normalize(doc any) (any, error) {
	var data []byte
	switch d := doc.(type) {
	case []byte:
		data = d
	case json.RawMessage:
		data = d
	default:
		b, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		data = b
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(data))
}

var printer = message.NewPrinter(language.English)

// issues flattens the validator's error tree to its leaves.
func issues(ve *jsonschema.ValidationError) []Issue {
	var out []Issue
	seen := map[Issue]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			i := Issue{InstancePath: pointer(e.InstanceLocation), Message: e.ErrorKind.LocalizedString(printer)}
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

func pointer(loc []string) string {
	var sb strings.Builder
	for _, t := range loc {
		sb.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		sb.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return sb.String()
}

// unpublished lists the schema URIs referenced by the embedded files but
// defined in none of them.
var unpublished = []string{
	"https://" + Host + "/schema/masked-secret/" + Version,
}

// mapLoader serves schema documents from memory: the compiler never goes
// to the network.
type mapLoader map[string]any

func (l mapLoader) Load(u string) (any, error) {
	if d, ok := l[strings.TrimSuffix(u, "#")]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("schema %s is not embedded (no network loader)", u)
}

// compileAll compiles one schema per file. Microsoft's files embed the
// shared schemas they reference (resource, durable-id, schema-uri, ...) under
// $defs keyed by full URI, sometimes twice in one file and not always
// identical between files (resource-tree's schema-uri also admits
// schema.mp.microsoft.com). So each file is flattened: every $defs entry
// carrying an $id becomes a document of its own, served by an in-memory
// loader, and each file is compiled against its own copies first and the
// other files' copies only for what it does not carry (submission carries
// none).
func compileAll() (*registry, error) {
	all, shared, err := readFiles()
	if err != nil {
		return nil, err
	}
	// customer-leads references masked-secret, which Microsoft's file does
	// not carry and no other published file defines. It stands for the
	// mask Partner Center puts in place of a secret in a read; a client
	// sends the secret itself. It is registered as the schema false: every
	// oneOf branch that needs a masked secret fails, the plain-secret
	// branches keep their published constraints.
	for _, missing := range unpublished {
		if _, ok := shared[missing]; !ok {
			shared[missing] = false
		}
	}
	r := &registry{byKind: map[string]*jsonschema.Schema{}}
	for _, f := range all {
		sch, err := f.compile(shared)
		if err != nil {
			return nil, err
		}
		r.byKind[f.kind] = sch
	}
	return r, nil
}

// schemaFile is one embedded file, flattened: its $id, its kind, and the
// documents it carries (itself and its $defs entries with an $id).
type schemaFile struct {
	id, kind string
	docs     mapLoader
}

// readFiles reads and flattens every embedded file; shared holds the
// documents of all of them, the first file's copy where several carry one.
func readFiles() (all []schemaFile, shared mapLoader, err error) {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		return nil, nil, err
	}
	shared = mapLoader{}
	for _, e := range entries {
		f, err := readFile(e.Name())
		if err != nil {
			return nil, nil, err
		}
		for u, d := range f.docs {
			if _, dup := shared[u]; !dup {
				shared[u] = d
			}
		}
		all = append(all, f)
	}
	return all, shared, nil
}

// readFile reads and flattens the embedded file name, whose $id must be a
// schema URI of Version.
func readFile(name string) (schemaFile, error) {
	data, err := files.ReadFile(name)
	if err != nil {
		return schemaFile{}, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return schemaFile{}, fmt.Errorf("%s: %w", name, err)
	}
	obj, _ := doc.(map[string]any)
	id, _ := obj["$id"].(string)
	kind, version, ok := KindOf(id)
	if !ok || version != Version {
		return schemaFile{}, fmt.Errorf("%s: unexpected $id %q", name, id)
	}
	own := mapLoader{id: obj}
	flatten(obj, own)
	return schemaFile{id: id, kind: kind, docs: own}, nil
}

// compile compiles f against its own documents first and shared only for
// what it does not carry.
func (f schemaFile) compile(shared mapLoader) (*jsonschema.Schema, error) {
	docs := maps.Clone(shared)
	maps.Copy(docs, f.docs)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.UseLoader(docs)
	sch, err := c.Compile(f.id)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", f.id, err)
	}
	return sch, nil
}

// flatten moves every $defs entry that has an $id out of node (at any
// depth) into into, first occurrence wins.
func flatten(node any, into mapLoader) {
	switch n := node.(type) {
	case map[string]any:
		if defs, ok := n["$defs"].(map[string]any); ok {
			for k, d := range defs {
				sub, ok := d.(map[string]any)
				if !ok {
					continue
				}
				id, _ := sub["$id"].(string)
				if id == "" {
					continue
				}
				delete(defs, k)
				flatten(sub, into)
				if _, dup := into[id]; !dup {
					into[id] = sub
				}
			}
		}
		for _, v := range n {
			flatten(v, into)
		}
	case []any:
		for _, v := range n {
			flatten(v, into)
		}
	}
}

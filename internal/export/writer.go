package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"

	v1 "github.com/cosell-operator/cosell-operator/api/v1alpha1"
)

// Document is one YAML file: a comment and an object.
type Document struct {
	// File is the file name in the output folder, such as contoso.yaml.
	File string
	// Comment lines, written as "# " lines above the object.
	Comment []string
	// Object is the Kubernetes object.
	Object any
}

// OfferDocument is the file of an exported offer: the header comment lists
// what was not exported (and why), then the notes.
func OfferDocument(o *Offer) Document {
	s := o.Object.Spec
	head := o.Header
	if head == "" {
		head = fmt.Sprintf("Exported by cosell-operator export from Partner Center product %s (offer %s, %s).", o.ProductID, s.OfferID, s.OfferType)
		head += fmt.Sprintf(" spec is the %s version; target %s is where the offer is.", o.Version, s.Target)
	}
	lines := []string{head}
	if !o.Suggested {
		lines = append(lines, "The "+adoptLine)
	}
	if s.ManagementPolicy == v1.ManagementPolicyObserve {
		lines = append(lines, observeLine)
	}
	if len(o.Missing) > 0 {
		heading := "Not exported (the API does not return it, or the CRD cannot express it); never guessed:"
		if o.Suggested {
			heading = "Not filled (the legacy solution does not carry it, or the CRD cannot express it); never guessed:"
		}
		lines = append(lines, "", heading)
		for _, m := range o.Missing {
			lines = append(lines, "- "+m)
		}
	}
	if len(o.Notes) > 0 {
		lines = append(lines, "", "Notes:")
		for _, n := range o.Notes {
			lines = append(lines, "- "+n)
		}
	}
	return Document{File: s.OfferID + ".yaml", Comment: lines, Object: o.Object}
}

const adoptLine = "annotation marketplace.cosell.io/adopt: \"true\" opts in to adopting the existing offer: the operator " +
	"takes it over as Partner Center holds it (its draft, and its preview and live submissions when their version equals spec) " +
	"and writes or publishes only where spec differs from that."

const observeLine = "spec.managementPolicy Observe: the operator only reads Partner Center and reports how it differs from " +
	"spec (condition InSync, and an event); it writes nothing, not on deletion either. Remove the line (or set Manage) " +
	"to let spec win."

// Render writes a document: the comment, wrapped at 100 columns, then the
// object as YAML without status and without empty metadata.
func Render(w io.Writer, d Document) error {
	var buf bytes.Buffer
	for _, c := range d.Comment {
		for _, l := range wrap(c, 98) {
			if l == "" {
				buf.WriteString("#\n")
				continue
			}
			buf.WriteString("# " + l + "\n")
		}
	}
	out, err := marshal(d.Object)
	if err != nil {
		return err
	}
	buf.Write(out)
	_, err = w.Write(buf.Bytes())
	return err
}

// marshal is yaml.Marshal without status and metadata.creationTimestamp,
// which a generated object carries empty.
func marshal(obj any) ([]byte, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	return yaml.Marshal(m)
}

// wrap breaks a comment line into lines of at most width runes (longer
// words stay whole); continuation lines of a "- " item are indented.
func wrap(s string, width int) []string {
	if s == "" {
		return []string{""}
	}
	indent := ""
	if strings.HasPrefix(s, "- ") {
		indent = "  "
	}
	var out []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) > width:
			out = append(out, line)
			line = indent + word
		default:
			line += " " + word
		}
	}
	return append(out, line)
}

// WriteDir writes each document to its file in dir, creating dir. Every
// file name is checked before anything is written.
func WriteDir(dir string, docs []Document) error {
	for _, d := range docs {
		if err := checkFileName(d.File); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // a folder of YAML for Git, no secret in it
		return err
	}
	for _, d := range docs {
		var buf bytes.Buffer
		if err := Render(&buf, d); err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		if err := os.WriteFile(filepath.Join(dir, d.File), buf.Bytes(), 0o644); err != nil { //nolint:gosec // YAML for Git, no secret in it
			return err
		}
	}
	return nil
}

// checkFileName refuses a file name that is not one plain name inside the
// folder: a path separator, "..", or an absolute or empty name.
func checkFileName(name string) error {
	if name == "" || name == "." || name != filepath.Base(name) || !filepath.IsLocal(name) || strings.ContainsAny(name, `/\\`) {
		return fmt.Errorf("file name %q is not a plain name inside the output folder; nothing written for it", name)
	}
	return nil
}

// WriteStream writes the documents to w, separated by "---".
func WriteStream(w io.Writer, docs []Document) error {
	for i, d := range docs {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if err := Render(w, d); err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
	}
	return nil
}

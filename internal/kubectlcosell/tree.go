package kubectlcosell

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// node is one line of a trace: an object in the cluster or a resource in
// Partner Center.
type node struct {
	// name is KIND/NAME, with what sets it apart (a submission's target).
	name string
	// state is the object's state, phase or lifecycle; "-" when it has none.
	state string
	// ready is the Ready condition's status; "-" for what has none.
	ready string
	// status says what the node waits for, or why it is done.
	status   string
	children []*node
}

func (n *node) add(c ...*node) {
	for _, x := range c {
		if x != nil {
			n.children = append(n.children, x)
		}
	}
}

// print writes the tree as a table whose NAME column draws the tree, as
// `crossplane beta trace` does.
func (n *node) print(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NAME\tSTATE\tREADY\tSTATUS")
	n.write(tw, "", "")
	return tw.Flush()
}

func (n *node) write(w io.Writer, prefix, childPrefix string) {
	_, _ = fmt.Fprintf(w, "%s%s\t%s\t%s\t%s\n", prefix, n.name, dash(n.state), dash(n.ready), oneLine(n.status))
	for i, c := range n.children {
		if i == len(n.children)-1 {
			c.write(w, childPrefix+"└─ ", childPrefix+"   ")
		} else {
			c.write(w, childPrefix+"├─ ", childPrefix+"│  ")
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a message on its line of the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

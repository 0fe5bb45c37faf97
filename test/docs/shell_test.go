package docs_test

import (
	"fmt"
	"regexp"
	"strings"
)

// command is one command of an sh block, as a shell reads it: continued
// lines joined, a quoted string that spans lines kept whole, and the body
// of a heredoc with it.
type command struct {
	text    string // as written, with its heredoc
	heredoc string // the heredoc's body, if any
}

var heredocStart = regexp.MustCompile(`<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)(['"]?)`)

// splitCommands cuts an sh block into commands. Comment lines and blank
// lines between commands are dropped; a comment after a command stays
// with it (the shell ignores it).
func splitCommands(body string) ([]command, error) {
	lines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	var cmds []command
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		text := line
		for openQuote(text) != 0 || continued(text) {
			if i+1 >= len(lines) {
				return nil, fmt.Errorf("command %q does not end", text)
			}
			i++
			text += "\n" + lines[i]
		}
		cmd := command{text: text}
		if m := heredocStart.FindStringSubmatch(text); m != nil && openQuote(text[:strings.Index(text, m[0])]) == 0 {
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != m[2]; i++ {
				body = append(body, lines[i])
			}
			if i >= len(lines) {
				return nil, fmt.Errorf("the heredoc of %q has no %s line", text, m[2])
			}
			cmd.heredoc = strings.Join(body, "\n") + "\n"
			cmd.text += "\n" + cmd.heredoc + lines[i]
		}
		cmds = append(cmds, cmd)
	}
	return cmds, nil
}

// continued says whether a line ends with a backslash continuation.
func continued(text string) bool {
	return strings.HasSuffix(text, "\\") && openQuote(text) == 0
}

// openQuote is the quote character left open at the end of text, or 0.
// Single quotes take everything literally; in double quotes and outside,
// a backslash escapes the next character; outside quotes, # starts a
// comment.
func openQuote(text string) byte {
	var q byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case q == '\'':
			if c == '\'' {
				q = 0
			}
		case c == '\\':
			i++
		case q == '"':
			if c == '"' {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '#' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\t'):
			// A comment: the rest of the line is not read for quotes.
			if nl := strings.IndexByte(text[i:], '\n'); nl >= 0 {
				i += nl
			} else {
				return 0
			}
		}
	}
	return q
}

var (
	watchFlag  = regexp.MustCompile(`\s(-w|--watch)(\s|$)`)
	stateWords = regexp.MustCompile(`^\s*(export|alias|cd)\s`)
)

// isWatch says whether a command is a kubectl watch, which runs until
// interrupted.
func isWatch(text string) bool {
	return strings.Contains(text, "kubectl") && watchFlag.MatchString(stripComment(text))
}

// withoutWatch is the command without its watch flag: one listing.
func withoutWatch(text string) string {
	return watchFlag.ReplaceAllString(stripComment(text), " ")
}

// stripComment drops a trailing comment from a one-line command.
func stripComment(text string) string {
	for i := 1; i < len(text); i++ {
		if text[i] == '#' && (text[i-1] == ' ' || text[i-1] == '\t') && openQuote(text[:i]) == 0 {
			return strings.TrimRight(text[:i], " \t")
		}
	}
	return text
}

// setsState says whether a command changes the session (an export, an
// alias, a cd) for the commands after it.
func setsState(text string) bool { return stateWords.MatchString(text) }

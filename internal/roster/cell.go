package roster

import "strings"

// A spreadsheet runs a cell that begins with =, +, - or @ as a formula
// (and some treat a leading tab or carriage return the same way), so a
// name such as =HYPERLINK("http://…") written into a list could run on
// the other side's machine. The writers put a single quote before such a
// value, and before a value that is quotes followed by such a value, so
// that the rule can be undone: the readers take one quote off a value
// whose rest is of either kind. Any other value is written and read as it
// is, quotes and all: O'Brien, or 'Ali.

// escape returns s as the writers write it.
func escape(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// unescape undoes escape.
func unescape(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && formulaLike(rest) {
		return rest
	}
	return s
}

// formulaLike reports whether s, after any single quotes, begins with a
// character that makes a spreadsheet read a formula.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0]))
}

// cleanCell turns a cell as read into a value: spaces around it trimmed,
// line breaks written as \n, and the writers' quote taken off.
func cleanCell(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return unescape(s)
}

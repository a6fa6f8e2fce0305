package web

import "testing"

// TestFormatText: plain text is escaped with its line breaks kept, and
// http(s) links are made clickable, whether or not the text has any.
func TestFormatText(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty", "", ""},
		{"plain", "Clause 1.1: the parties agree.", "Clause 1.1: the parties agree."},
		{"markup and lines", "a <b> & \"c\" 'd'\nnext line", "a &lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;<br>\nnext line"},
		{"another scheme", "see ftp://example.org/x", "see ftp://example.org/x"},
		{"a link", "See https://example.org/a?b=1&c=2.\nDone",
			`See <a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow" target="_blank">https://example.org/a?b=1&amp;c=2</a>.<br>` + "\nDone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(formatText(tt.text)); got != tt.want {
				t.Errorf("formatText(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

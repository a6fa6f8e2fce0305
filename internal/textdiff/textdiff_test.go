package textdiff

import (
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func render(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		switch s.Op {
		case Insert:
			b.WriteString("{+" + s.Text + "+}")
		case Delete:
			b.WriteString("[-" + s.Text + "-]")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestWords(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"same", "A pause of 48 hours.", "A pause of 48 hours.", "A pause of 48 hours."},
		{"one word", "A pause of 48 hours.", "A pause of 72 hours.", "A pause of [-48 -]{+72 +}hours."},
		{"added clause", "Medics evacuate the wounded.", "Medics evacuate the wounded and collect the dead.", "Medics evacuate the [-wounded-]{+wounded and collect the dead+}."},
		{"cyrillic", "Перемир'я на 24 години", "Перемир'я на 48 годин", "Перемир'я на [-24 години-]{+48 годин+}"},
		{"from empty", "", "New text", "{+New text+}"},
	}
	for _, tt := range tests {
		if got := render(Words(tt.a, tt.b, time.Second)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestWordsReconstructs: the equal and deleted spans give back a, the equal
// and inserted spans give back b, for any texts.
func TestWordsReconstructs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		words := rapid.SliceOf(rapid.SampledFrom([]string{"the ", "truce ", "of ", "48 ", "72 ", "hours", ". ", "пауза ", "saat ", ",", "\n"}))
		a := strings.Join(words.Draw(t, "a"), "")
		b := strings.Join(words.Draw(t, "b"), "")
		var ga, gb strings.Builder
		for _, s := range Words(a, b, time.Second) {
			if s.Op != Insert {
				ga.WriteString(s.Text)
			}
			if s.Op != Delete {
				gb.WriteString(s.Text)
			}
		}
		if ga.String() != a || gb.String() != b {
			t.Fatalf("Words(%q, %q) does not reconstruct: %q / %q", a, b, ga.String(), gb.String())
		}
	})
}

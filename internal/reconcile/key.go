package reconcile

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldApostrophes writes every apostrophe-like mark as ASCII ' and drops the
// combining accents that ISO 9 uses on g̀, after rebuilding й, ё and ї from
// a decomposed letter and its combining mark.
func foldApostrophes(s string) string {
	if isPlainASCIIorCyr(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune = -1
	flush := func() {
		if prev >= 0 {
			b.WriteRune(prev)
		}
	}
	for _, r := range s {
		switch r {
		case '’', 'ʼ', '‘', '`', '´', 'ʹ', 'ʻ', '′', '\u02BD':
			r = '\''
		case '\u0306': // combining breve: й is й
			switch prev {
			case 'и':
				prev = 'й'
				continue
			case 'И':
				prev = 'Й'
				continue
			}
			continue
		case '\u0308': // combining diaeresis: ё, ї
			switch prev {
			case 'е':
				prev = 'ё'
				continue
			case 'Е':
				prev = 'Ё'
				continue
			case 'і':
				prev = 'ї'
				continue
			case 'І':
				prev = 'Ї'
				continue
			}
		}
		if r >= 0x300 && r <= 0x36F { // other combining marks
			continue
		}
		flush()
		prev = r
	}
	flush()
	return b.String()
}

func isPlainASCIIorCyr(s string) bool {
	for _, r := range s {
		if r >= 0x80 && (r < 0x400 || r > 0x4FF) {
			return false
		}
	}
	return true
}

// cyrKey spells each Cyrillic letter in plain Latin for the key. It is a
// single fixed spelling: the Latin reader that follows merges it with every
// system in [Tables].
var cyrKey = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e",
	'є': "ie", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i", 'і': "i", 'ї': "ii",
	'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e",
	'ю': "iu", 'я': "ia",
}

// latKey spells the accented Latin letters of ISO 9 and other systems as
// the digraphs of the English-based ones.
var latKey = map[rune]string{
	'č': "ch", 'š': "sh", 'ž': "zh", 'ŝ': "shch", 'ì': "i", 'ï': "yi",
	'ê': "ye", 'û': "yu", 'â': "ya", 'è': "e", 'ë': "e", 'é': "e", 'ý': "y",
	'í': "i", 'á': "a", 'ó': "o", 'ú': "u", 'ĭ': "i", 'ǵ': "g", 'ö': "o",
	'ü': "u", 'ä': "a", 'ç': "ts", 'ć': "ch", 'ś': "s", 'ź': "z", 'ż': "zh",
	'ł': "l", 'ñ': "n",
}

// Key returns the skeleton of a name under which its Cyrillic spellings,
// Ukrainian and Russian, and its romanisations in every system of [Tables]
// coincide. It is deliberately coarse: г, ґ and х merge (Ukrainian h is
// Russian g, ISO 9 h is х), и, і, ї, й and ы merge into i, е, є, э and ё into
// e, soft and hard signs and apostrophes vanish, doubled letters become one
// and the iotation of e is ignored. The skeleton is lower-case ASCII with
// four capitals for single sounds: Z ж, C ч, S ш, T ц (щ is SC).
//
// Two different names may share a key; that is why the score also weighs the
// other fields.
func Key(name string) string {
	return string(appendKey(nil, name))
}

func appendKey(dst []byte, name string) []byte {
	name = foldApostrophes(name)
	// Spell everything in plain lower-case Latin first.
	lat := make([]byte, 0, len(name)+8)
	for _, r := range name {
		r = unicode.ToLower(r)
		switch {
		case r < utf8.RuneSelf:
			if 'a' <= r && r <= 'z' {
				lat = append(lat, byte(r))
			}
		case r >= 0x400 && r <= 0x4FF:
			lat = append(lat, cyrKey[r]...)
		default:
			lat = append(lat, latKey[r]...)
		}
	}
	// Then read the Latin as sounds.
	start := len(dst)
	for i := 0; i < len(lat); {
		rest := lat[i:]
		switch {
		case hasPrefix(rest, "shch"):
			dst = append(dst, 'S', 'C')
			i += 4
		case hasPrefix(rest, "zgh"):
			dst = append(dst, 'z', 'g')
			i += 3
		case hasPrefix(rest, "tch"):
			dst = append(dst, 'C')
			i += 3
		case hasPrefix(rest, "zh"):
			dst = append(dst, 'Z')
			i += 2
		case hasPrefix(rest, "kh"):
			dst = append(dst, 'g')
			i += 2
		case hasPrefix(rest, "ch"):
			dst = append(dst, 'C')
			i += 2
		case hasPrefix(rest, "sh"):
			dst = append(dst, 'S')
			i += 2
		case hasPrefix(rest, "ts"), hasPrefix(rest, "tc"), hasPrefix(rest, "tz"):
			dst = append(dst, 'T')
			i += 2
		default:
			c := lat[i]
			switch c {
			case 'h':
				c = 'g'
			case 'y', 'j':
				c = 'i'
			case 'w':
				c = 'v'
			case 'q':
				c = 'k'
			case 'c':
				c = 'T'
			case 'x':
				dst = append(dst, 'k')
				c = 's'
			}
			dst = append(dst, c)
			i++
		}
	}
	// Doubled letters, then iotated e (ie, ye, є all become e), then
	// doubled letters again, since Сергієнко gives i-i-e.
	k := collapse(dst[start:])
	k = dropIE(k)
	k = collapse(k)
	return dst[:start+len(k)]
}

func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

func collapse(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	w := 1
	for i := 1; i < len(b); i++ {
		if b[i] != b[w-1] {
			b[w] = b[i]
			w++
		}
	}
	return b[:w]
}

func dropIE(b []byte) []byte {
	w := 0
	for i := 0; i < len(b); i++ {
		if b[i] == 'i' && i+1 < len(b) && b[i+1] == 'e' {
			continue
		}
		b[w] = b[i]
		w++
	}
	return b[:w]
}

// FamilyKey is [Key] with the feminine endings of surnames folded into the
// masculine ones (Ковальова and Ковалёва into Ковальов, Козачська and
// Козачская into Козачський), because lists disagree on whether a woman's
// surname is given in its own form.
func FamilyKey(name string) string {
	return string(familyKey([]byte(Key(name))))
}

var feminine = [][2]string{
	{"skaia", "ski"}, {"Tkaia", "Tki"}, {"ska", "ski"}, {"Tka", "Tki"},
	{"ova", "ov"}, {"eva", "ev"}, {"ina", "in"},
}

func familyKey(k []byte) []byte {
	for _, f := range feminine {
		if len(k) > len(f[0])+1 && string(k[len(k)-len(f[0]):]) == f[0] {
			k = append(k[:len(k)-len(f[0])], f[1]...)
			break
		}
	}
	return k
}

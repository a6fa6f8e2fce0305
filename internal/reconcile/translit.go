package reconcile

import (
	"strings"
	"unicode"
)

// A Table is a romanisation system: the way one authority writes Cyrillic
// names in Latin letters. Lists arrive written in any of them, so the engine
// must recognise all; the tables are also how tests and benchmarks produce
// realistic Latin spellings.
type Table struct {
	// Name identifies the system in reasons and test output.
	Name string

	letters map[rune]string
	// initial overrides letters at the start of a word: several systems
	// spell the iotated vowels differently there (Ukrainian є is "ye"
	// at the start and "ie" inside a word).
	initial map[rune]string
	// afterVowel overrides letters after a vowel, й, ь or ъ, where BGN/PCGN
	// marks the iotation that Cyrillic leaves implicit (Сергеевич,
	// Sergeyevich).
	afterVowel map[rune]string
	// pairs holds two-letter exceptions, such as зг → zgh, written so that
	// the Latin is not read back as ж.
	pairs map[string]string
}

// common holds the letters on which every system agrees.
var common = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'д': "d", 'з': "z", 'к': "k", 'л': "l",
	'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f",
}

func extend(over map[rune]string) map[rune]string {
	m := make(map[rune]string, len(common)+len(over))
	for k, v := range common {
		m[k] = v
	}
	for k, v := range over {
		m[k] = v
	}
	return m
}

// UkrainianNational is the Ukrainian national system adopted by Cabinet of
// Ministers resolution no. 55 of 27 January 2010, used in Ukrainian passports
// since then: Олександр Oleksandr, Євгенія Yevheniia, Згорани Zghorany.
var UkrainianNational = &Table{
	Name: "Ukrainian national 2010",
	letters: extend(map[rune]string{
		'г': "h", 'ґ': "g", 'е': "e", 'є': "ie", 'ж': "zh", 'и': "y", 'і': "i",
		'ї': "i", 'й': "i", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
		'щ': "shch", 'ь': "", 'ю': "iu", 'я': "ia", '\'': "",
		// Russian letters do not occur in Ukrainian; spell them as a
		// Ukrainian clerk would.
		'ё': "io", 'ы': "y", 'э': "e", 'ъ': "",
	}),
	initial: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
	pairs:   map[string]string{"зг": "zgh"},
}

// UkrainianPassport1996 is the spelling found in Ukrainian passports issued
// before 2010 (the 1996 Ukrainian Legislative Commission system): iotated
// vowels always with y, й as y, so Андрій is Andriy and Тетяна Tetyana.
var UkrainianPassport1996 = &Table{
	Name: "Ukrainian passport 1996",
	letters: extend(map[rune]string{
		'г': "h", 'ґ': "g", 'е': "e", 'є': "ye", 'ж': "zh", 'и': "y", 'і': "i",
		'ї': "yi", 'й': "y", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
		'щ': "shch", 'ь': "", 'ю': "yu", 'я': "ya", '\'': "",
		'ё': "yo", 'ы': "y", 'э': "e", 'ъ': "",
	}),
}

// RussianICAO is the transliteration of ICAO Doc 9303 (7th edition), used in
// Russian passports since 2013: Юрий Iurii, Наталья Natalia, Объедков
// Obiedkov. The Ukrainian letters follow the same document.
var RussianICAO = &Table{
	Name: "Russian ICAO 9303",
	letters: extend(map[rune]string{
		'г': "g", 'е': "e", 'ё': "e", 'ж': "zh", 'и': "i", 'й': "i", 'х': "kh",
		'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y",
		'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
		'ґ': "g", 'є': "ie", 'і': "i", 'ї': "i", '\'': "",
	}),
}

// RussianBGN is the BGN/PCGN 1947 system for Russian, common in English-
// language press and older records: Юрий Yuriy, Сергеевич Sergeyevich,
// Наталья Natal’ya.
var RussianBGN = &Table{
	Name: "Russian BGN/PCGN",
	letters: extend(map[rune]string{
		'г': "g", 'е': "e", 'ё': "ë", 'ж': "zh", 'и': "i", 'й': "y", 'х': "kh",
		'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "”", 'ы': "y",
		'ь': "’", 'э': "e", 'ю': "yu", 'я': "ya",
		'ґ': "g", 'є': "ye", 'і': "i", 'ї': "yi", '\'': "’",
	}),
	initial:    map[rune]string{'е': "ye", 'ё': "yë"},
	afterVowel: map[rune]string{'е': "ye", 'ё': "yë"},
}

// ISO9 is ISO 9:1995, the one-letter-for-one-letter system with diacritics,
// found in library catalogues and some registries: Щукин Ŝukin, Шевченко
// Ševčenko, Євгенія Êvgenìâ.
var ISO9 = &Table{
	Name: "ISO 9",
	letters: extend(map[rune]string{
		'г': "g", 'ґ': "g̀", 'е': "e", 'є': "ê", 'ё': "ë", 'ж': "ž", 'и': "i",
		'і': "ì", 'ї': "ï", 'й': "j", 'х': "h", 'ц': "c", 'ч': "č", 'ш': "š",
		'щ': "ŝ", 'ъ': "ʺ", 'ы': "y", 'ь': "ʹ", 'э': "è", 'ю': "û", 'я': "â",
		'\'': "’",
	}),
}

// RussianPassport1997 is the spelling of Russian foreign passports issued
// between 1997 and 2010: й and the iotated vowels with y, soft and hard signs
// dropped, so Сергей is Sergey and Наталья Natalya.
var RussianPassport1997 = &Table{
	Name: "Russian passport 1997",
	letters: extend(map[rune]string{
		'г': "g", 'е': "e", 'ё': "e", 'ж': "zh", 'и': "i", 'й': "y", 'х': "kh",
		'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
		'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
		'ґ': "g", 'є': "ye", 'і': "i", 'ї': "yi", '\'': "",
	}),
}

// Tables lists every romanisation system the engine knows, in the order a
// reader would try them.
var Tables = []*Table{UkrainianNational, UkrainianPassport1996, RussianICAO, RussianBGN, ISO9, RussianPassport1997}

func isCyrVowel(r rune) bool {
	return strings.ContainsRune("аеёиоуыэюяєії", r)
}

// Transliterate writes s, a name in Cyrillic, in the Latin letters of t.
// Letters t does not cover pass through unchanged. A word written wholly in
// capitals stays in capitals; otherwise a capital letter becomes a capital
// followed by small letters (Щ → Shch).
func (t *Table) Transliterate(s string) string {
	s = foldApostrophes(s)
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		lower := unicode.ToLower(r)
		upper := r != lower
		start := i == 0 || !(unicode.IsLetter(rs[i-1]) || rs[i-1] == '\'')
		var out string
		var ok bool
		if t.pairs != nil && i+1 < len(rs) {
			out, ok = t.pairs[string([]rune{lower, unicode.ToLower(rs[i+1])})]
			if ok {
				i++
			}
		}
		if !ok && start && t.initial != nil {
			out, ok = t.initial[lower]
		}
		if !ok && !start && t.afterVowel != nil {
			p := unicode.ToLower(rs[i-1])
			if isCyrVowel(p) || p == 'й' || p == 'ь' || p == 'ъ' {
				out, ok = t.afterVowel[lower]
			}
		}
		if !ok {
			out, ok = t.letters[lower]
		}
		if !ok {
			b.WriteRune(r)
			continue
		}
		if upper && out != "" {
			if wordAllCaps(rs, i) {
				out = strings.ToUpper(out)
			} else {
				or := []rune(out)
				out = string(unicode.ToUpper(or[0])) + string(or[1:])
			}
		}
		b.WriteString(out)
	}
	return b.String()
}

// wordAllCaps reports whether the word around rs[i] has at least two letters,
// all capitals, so that ШЕВЧЕНКО becomes SHEVCHENKO rather than SHEVCHENKO's
// mixed-case cousin.
func wordAllCaps(rs []rune, i int) bool {
	lo, hi := i, i
	for lo > 0 && (unicode.IsLetter(rs[lo-1]) || rs[lo-1] == '\'') {
		lo--
	}
	for hi+1 < len(rs) && (unicode.IsLetter(rs[hi+1]) || rs[hi+1] == '\'') {
		hi++
	}
	n := 0
	for _, r := range rs[lo : hi+1] {
		if unicode.IsLetter(r) {
			if unicode.IsLower(r) {
				return false
			}
			n++
		}
	}
	return n >= 2
}

// RussianSpelling writes a Ukrainian surname the way Russian-language lists
// write it: і and ї become и, є becomes е, ґ becomes г, the apostrophe becomes
// ь, and the adjectival endings -ій, -ський, -цький and their feminine
// forms take their Russian shape. Given names are not spelt but translated;
// see [Names].
func RussianSpelling(s string) string {
	s = foldApostrophes(s)
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		lower := unicode.ToLower(r)
		var out rune
		switch lower {
		case 'і', 'ї':
			out = 'и'
		case 'є':
			out = 'е'
		case 'ґ':
			out = 'г'
		case '\'':
			out = 'ь'
		default:
			out = lower
		}
		if r != lower || (r == '\'' && i > 0 && wordAllCaps(rs, i-1)) {
			out = unicode.ToUpper(out)
		}
		b.WriteRune(out)
	}
	w := b.String()
	// Adjectival endings: -ський → -ский, -цький → -цкий, -ська → -ская.
	for _, e := range [][2]string{
		{"ський", "ский"}, {"цький", "цкий"}, {"ська", "ская"}, {"цька", "цкая"},
		{"СЬКИЙ", "СКИЙ"}, {"ЦЬКИЙ", "ЦКИЙ"}, {"СЬКА", "СКАЯ"}, {"ЦЬКА", "ЦКАЯ"},
	} {
		if strings.HasSuffix(w, e[0]) {
			return strings.TrimSuffix(w, e[0]) + e[1]
		}
	}
	return w
}

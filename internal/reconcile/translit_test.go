package reconcile

import (
	"strings"
	"testing"
)

// Golden spellings, from the systems' published examples and their letter
// tables.
func TestTransliterate(t *testing.T) {
	tests := []struct {
		table *Table
		name  string
		want  string
	}{
		{UkrainianNational, "Олександр", "Oleksandr"},
		{UkrainianNational, "Євгенія", "Yevheniia"},
		{UkrainianNational, "Згорани", "Zghorany"},
		{UkrainianNational, "Їжакевич", "Yizhakevych"},
		{UkrainianNational, "Кадиївка", "Kadyivka"},
		{UkrainianNational, "Йосипівка", "Yosypivka"},
		{UkrainianNational, "Юрій", "Yurii"},
		{UkrainianNational, "Костянтин", "Kostiantyn"},
		{UkrainianNational, "Знам'янка", "Znamianka"},
		{UkrainianNational, "Борщагівка", "Borshchahivka"},
		{UkrainianNational, "ШЕВЧЕНКО", "SHEVCHENKO"},
		{UkrainianNational, "Гаєвич", "Haievych"},
		{UkrainianPassport1996, "Андрій", "Andriy"},
		{UkrainianPassport1996, "Тетяна", "Tetyana"},
		{UkrainianPassport1996, "Сергійович", "Serhiyovych"},
		{UkrainianPassport1996, "Наталія", "Nataliya"},
		{RussianICAO, "Александр", "Aleksandr"},
		{RussianICAO, "Юрий", "Iurii"},
		{RussianICAO, "Наталья", "Natalia"},
		{RussianICAO, "Объедков", "Obieedkov"},
		{RussianICAO, "Щукин", "Shchukin"},
		{RussianICAO, "Фёдор", "Fedor"},
		{RussianICAO, "Цветков", "Tsvetkov"},
		{RussianBGN, "Юрий", "Yuriy"},
		{RussianBGN, "Сергеевич", "Sergeyevich"},
		{RussianBGN, "Наталья", "Natal’ya"},
		{RussianBGN, "Ёлкин", "Yëlkin"},
		{RussianBGN, "Григорьевич", "Grigor’yevich"},
		{RussianBGN, "Андрей", "Andrey"},
		{ISO9, "Щукин", "Ŝukin"},
		{ISO9, "Шевченко", "Ševčenko"},
		{ISO9, "Євгенія", "Êvgenìâ"},
		{ISO9, "Наталья", "Natalʹâ"},
		{ISO9, "Юрий", "Ûrij"},
		{ISO9, "Хмельницький", "Hmelʹnicʹkij"},
		{RussianPassport1997, "Сергей", "Sergey"},
		{RussianPassport1997, "Наталья", "Natalya"},
		{RussianPassport1997, "Юрьевич", "Yurevich"},
		{RussianPassport1997, "Фёдор", "Fedor"},
	}
	for _, tt := range tests {
		t.Run(tt.table.Name+"/"+tt.name, func(t *testing.T) {
			if got := tt.table.Transliterate(tt.name); got != tt.want {
				t.Errorf("%s.Transliterate(%q) = %q, want %q", tt.table.Name, tt.name, got, tt.want)
			}
		})
	}
}

func TestRussianSpelling(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"Поліщук", "Полищук"},
		{"Лук'янюк", "Лукьянюк"},
		{"Ґонта", "Гонта"},
		{"Євтушенко", "Евтушенко"},
		{"Козачський", "Козачский"},
		{"Козачська", "Козачская"},
		{"Кобилянський", "Кобилянский"},
		{"Білецький", "Билецкий"},
		{"Гордій", "Гордий"},
		{"Їжак", "Ижак"},
		{"ЗІНЧУК", "ЗИНЧУК"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RussianSpelling(tt.name); got != tt.want {
				t.Errorf("RussianSpelling(%q) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestKey(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"case", "ШЕВЧЕНКО", "Шевченко", true},
		{"apostrophes", "Лук'янюк", "Лук’янюк", true},
		{"modifier apostrophe", "Лукʼянюк", "Лукьянюк", true},
		{"ё as е", "Ковалёв", "Ковалев", true},
		{"hyphen and space", "Петренко-Іванов", "Петренко Іванов", true},
		{"і and и", "Поліщук", "Полищук", true},
		{"и and ы", "Мартинюк", "Мартынюк", true},
		{"є and е", "Сергієнко", "Сергиенко", true},
		{"decomposed й", "Андрии\u0306", "Андрій", true},
		{"latin national", "Shevchenko", "Шевченко", true},
		{"latin iso9", "Ševčenko", "Шевченко", true},
		{"latin h for г", "Hnatiuk", "Гнатюк", true},
		{"adjectival ending", "Kozachskyi", "Козачский", true},
		{"different surnames", "Шевченко", "Шевчук", false},
		{"different given names", "Олег", "Ігор", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Key(tt.a) == Key(tt.b); got != tt.want {
				t.Errorf("Key(%q) = %q, Key(%q) = %q; equal = %v, want %v", tt.a, Key(tt.a), tt.b, Key(tt.b), got, tt.want)
			}
		})
	}
}

func TestFamilyKeyFeminine(t *testing.T) {
	tests := []struct{ masculine, feminine string }{
		{"Ковальов", "Ковальова"},
		{"Ковалёв", "Ковалёва"},
		{"Козачський", "Козачська"},
		{"Козачский", "Козачская"},
		{"Білецький", "Білецька"},
		{"Бородін", "Бородіна"},
		{"Kovalov", "Kovalova"},
	}
	for _, tt := range tests {
		t.Run(tt.feminine, func(t *testing.T) {
			if m, f := FamilyKey(tt.masculine), FamilyKey(tt.feminine); m != f {
				t.Errorf("FamilyKey(%q) = %q, FamilyKey(%q) = %q, want equal", tt.masculine, m, tt.feminine, f)
			}
		})
	}
}

func TestNames(t *testing.T) {
	n := DefaultNames()
	same := []struct{ a, b string }{
		{"Олександр", "Александр"},
		{"Микола", "Николай"},
		{"Mykola", "Nikolay"},
		{"Дмитро", "Dmitriy"},
		{"Наталія", "Наталья"},
		{"Тетяна", "Tatiana"},
		{"Григорій", "Grigoriy"},
		{"Федір", "Фёдор"},
	}
	for _, tt := range same {
		ga, oka := n.Given(tt.a)
		gb, okb := n.Given(tt.b)
		if !oka || !okb || ga != gb {
			t.Errorf("Given(%q) = %d %v, Given(%q) = %d %v; want the same known group", tt.a, ga, oka, tt.b, gb, okb)
		}
	}
	pats := []struct{ a, b string }{
		{"Сергійович", "Сергеевич"},
		{"Миколаївна", "Николаевна"},
		{"Олександрович", "Aleksandrovich"},
		{"Григорович", "Григорьевич"},
		{"Юріївна", "Юрьевна"},
		{"Ілліч", "Ильич"},
	}
	for _, tt := range pats {
		ga, oka := n.Patronymic(tt.a)
		gb, okb := n.Patronymic(tt.b)
		if !oka || !okb || ga != gb {
			t.Errorf("Patronymic(%q) = %d %v, Patronymic(%q) = %d %v; want the same known group", tt.a, ga, oka, tt.b, gb, okb)
		}
	}
	if a, _ := n.Given("Олександр"); a == func() int32 { g, _ := n.Given("Олександра"); return g }() {
		t.Error("Олександр and Олександра share a group; a brother is not his sister")
	}
}

// One letter of the written name may be two letters of the key (names of
// three letters are compared so as given names against the dictionary).
func TestNearOneLetter(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"Назар", "Наар", true},          // dropped з, then aa collapses
		{"Мельничич", "Мельниичч", true}, // exchanged и and ч
		{"Гнатюк", "Гнатлк", true},       // ю mistyped as л
		{"Ющенко", "Юенко", true},        // щ dropped
		{"Коваль", "Кравець", false},
		{"Шевчук", "Шевченко", false},
	} {
		if got := nearMin(FamilyKey(tt.a), FamilyKey(tt.b), 3); got != tt.want {
			t.Errorf("near(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// Every spelling in the dictionary, Ukrainian and Russian, reads as its own
// name and every patronymic as its father's name: no spelling is taken by
// another name whose key it shares.
func TestNamesDictionaryConsistent(t *testing.T) {
	n := DefaultNames()
	for _, set := range []struct {
		text string
		male bool
	}{{maleNames, true}, {femaleNames, false}} {
		for _, line := range strings.Split(strings.TrimSpace(set.text), "\n") {
			f := strings.Split(line, "|")
			first, _ := n.Given(strings.Split(f[0], ",")[0])
			for _, s := range strings.Split(f[0]+","+f[1], ",") {
				if g, ok := n.Given(s); !ok || g != first {
					t.Errorf("%s: %q reads as group %d (%v), not as %s", line, s, g, ok, n.Display(first))
				}
			}
			if !set.male {
				continue
			}
			for _, p := range strings.Split(f[2]+","+f[3], ",") {
				if g, ok := n.Patronymic(p); !ok || g != first {
					t.Errorf("%s: patronymic %q reads as group %d (%v)", line, p, g, ok)
				}
			}
		}
	}
	for _, tt := range []struct{ a, b string }{
		{"Гордій", "Гордей"}, {"Кіндрат", "Кондрат"}, {"Опанас", "Афанасий"}, {"Сніжана", "Снежана"},
		{"Ярема", "Еремей"}, {"Гнат", "Игнат"},
	} {
		ga, oka := n.Given(tt.a)
		gb, okb := n.Given(tt.b)
		if !oka || !okb || ga != gb {
			t.Errorf("Given(%q) = %d %v, Given(%q) = %d %v; want the same known group", tt.a, ga, oka, tt.b, gb, okb)
		}
	}
}

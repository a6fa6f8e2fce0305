package reconcile

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic people for property tests and benchmarks, built from the
// dictionary's given names and from surname roots and suffixes written for
// this file: no sample list is read.

var surnameRoots = strings.Fields(`Коваль Шевч Бондар Ткач Кравч Мельнич Олійн Лис Руд Сав Марч Петр
	Гончар Кузьм Павл Левч Клим Мороз Дем Гриц Тимош Яков Сидор Власен Бабич Сорок Мазур Бобр Гуменн
	Заяц Карп Луц Вовк Яремч Остап Довж Сем Гнат Білоус Черн Кушн Литвин Голуб Соловй Ворон Журав Дуд
	Стец Кобил Бережн Поп Костен Нестер Романч Тарас Федор Юрч Кирил Гаврил Мирон Прокоп Назар`)

var surnameSuffixes = []string{"енко", "ук", "чук", "юк", "ич", "ський", "ишин", "ак", "ун", "ець", "ко", "ан"}

type genName struct {
	uk, ru string
	female bool
	ukPat  []string // son's, daughter's
	ruPat  []string
}

func genNames() []genName {
	var out []genName
	for _, line := range strings.Split(strings.TrimSpace(maleNames), "\n") {
		f := strings.Split(line, "|")
		up := strings.Split(f[2], ",")[0]
		rp := strings.Split(f[3], ",")[0]
		out = append(out, genName{
			uk: strings.Split(f[0], ",")[0], ru: strings.Split(f[1], ",")[0],
			ukPat: []string{up, ukrainianFeminine(up)}, ruPat: []string{rp, russianFeminine(rp)},
		})
	}
	for _, line := range strings.Split(strings.TrimSpace(femaleNames), "\n") {
		f := strings.Split(line, "|")
		out = append(out, genName{uk: strings.Split(f[0], ",")[0], ru: strings.Split(f[1], ",")[0], female: true})
	}
	return out
}

// genPerson makes a person in Ukrainian spelling.
func genPerson(rng *rand.Rand, names []genName, id string) Person {
	root := surnameRoots[rng.IntN(len(surnameRoots))]
	suf := surnameSuffixes[rng.IntN(len(surnameSuffixes))]
	g := names[rng.IntN(len(names))]
	var father genName
	for father.ukPat == nil {
		father = names[rng.IntN(len(names))]
	}
	fam := root + suf
	pat := father.ukPat[0]
	if g.female {
		pat = father.ukPat[1]
		if strings.HasSuffix(fam, "ський") {
			fam = strings.TrimSuffix(fam, "ський") + "ська"
		}
	}
	y := 1965 + rng.IntN(40)
	return Person{
		ID: id, FamilyName: fam, GivenName: g.uk, Patronymic: pat,
		BirthDate: Date{Year: y, Month: 1 + rng.IntN(12), Day: 1 + rng.IntN(28)},
	}
}

// russianForm writes p as a Russian-language list would.
func russianForm(p Person, names []genName) Person {
	q := p
	q.FamilyName = RussianSpelling(p.FamilyName)
	for _, g := range names {
		if g.uk == p.GivenName {
			q.GivenName = g.ru
		}
		for i, up := range g.ukPat {
			if up != "" && up == p.Patronymic {
				q.Patronymic = g.ruPat[i]
			}
		}
	}
	return q
}

// perturb applies list noise of the kinds the engine claims to survive.
func perturb(rng *rand.Rand, p Person, names []genName, id string) Person {
	q := p
	q.ID = id
	if rng.IntN(2) == 0 {
		q = russianForm(q, names)
		q.ID = id
	}
	if rng.IntN(6) == 0 {
		t := Tables[rng.IntN(len(Tables))]
		q.FamilyName, q.GivenName, q.Patronymic = t.Transliterate(q.FamilyName), t.Transliterate(q.GivenName), t.Transliterate(q.Patronymic)
	}
	if rng.IntN(5) == 0 {
		q.FamilyName = strings.ToUpper(q.FamilyName)
	}
	switch rng.IntN(20) {
	case 0, 1, 2:
		q.Patronymic = ""
	}
	switch rng.IntN(20) {
	case 0:
		q.BirthDate = Date{}
	case 1:
		q.BirthDate = Date{Year: q.BirthDate.Year}
	case 2:
		if q.BirthDate.Day <= 12 {
			q.BirthDate.Day, q.BirthDate.Month = q.BirthDate.Month, q.BirthDate.Day
		}
	case 3:
		q.BirthDate.Year += 1 - 2*rng.IntN(2)
	}
	if rng.IntN(15) == 0 {
		q.FamilyName = mistype(rng, q.FamilyName)
	}
	if rng.IntN(50) == 0 {
		q.FamilyName, q.GivenName = q.GivenName, q.FamilyName
	}
	return q
}

// mistype exchanges two neighbouring letters, or drops or doubles one.
func mistype(rng *rand.Rand, s string) string {
	rs := []rune(s)
	if len(rs) < 4 {
		return s
	}
	i := 1 + rng.IntN(len(rs)-2)
	switch rng.IntN(3) {
	case 0:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	case 1:
		rs = append(rs[:i], rs[i+1:]...)
	default:
		rs = append(rs[:i+1], rs[i:]...)
	}
	return string(rs)
}

// genLists builds two lists of n people each, of whom shared appear in both
// (left i is right i for i < shared), and returns them with the true pairs.
func genLists(seed uint64, n, shared int) (left, right []Person) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	names := genNames()
	left = make([]Person, n)
	right = make([]Person, n)
	for i := range n {
		p := genPerson(rng, names, "")
		left[i] = perturb(rng, p, names, fmt.Sprintf("L%07d", i))
		if i < shared {
			right[i] = perturb(rng, p, names, fmt.Sprintf("R%07d", i))
		} else {
			right[i] = perturb(rng, genPerson(rng, names, ""), names, fmt.Sprintf("R%07d", i))
		}
	}
	return left, right
}

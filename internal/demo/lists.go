package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/parley-talks/parley"
	"github.com/parley-talks/parley/internal/reconcile"
	"github.com/parley-talks/parley/internal/roster"
	"github.com/parley-talks/parley/internal/service"
	"github.com/parley-talks/parley/internal/store"
)

// The demo's exchange of 1,200 for 1,200 gets its four lists, made up
// here from common names with a fixed seed: Ukraine asks back 1,200
// people, written in Ukrainian; Russia's list of those it holds writes
// them in Russian, with the slips real lists have (a date missing, given
// as a year, day and month exchanged, a letter typed wrong, no
// patronymic); it holds some Ukraine does not ask for, and does not list
// some Ukraine asks for. The other way round, Russia asks back 1,200 in
// Russian, and Ukraine's list of those it holds gives their names in
// Latin letters. The engine reconciles both; the two sides have confirmed
// some pairs, rejected one, and the rest await review.

// demoSize is how many people each side asks back.
const demoSize = 1200

var (
	uaSurnames = strings.Fields(`Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Поліщук Бойко
		Мельник Лисенко Руденко Савченко Петренко Мороз Марченко Клименко Павленко Левченко Харченко Гончаренко Кузьменко
		Литвиненко Сидоренко Гуменюк Ковальчук Кравчук Пономаренко Захарченко Тимошенко Мазур Гайдук Панченко Дорошенко
		Костенко Яковенко Білоус Приходько Іваненко Остапчук Романюк Данилюк Степанюк Михайлюк Гнатюк Федорчук Семенюк
		Вакуленко Жук Чорновол Гаврилюк Дяченко Зінченко Карпенко Кириленко Лук'яненко Мартинюк Назаренко Онищенко`)
	ruSurnames = strings.Fields(`Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов
		Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев
		Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев
		Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов`)
	// Given names and fathers' names, in Ukrainian and in Russian.
	givenNames = [][2]string{{"Олександр", "Александр"}, {"Микола", "Николай"}, {"Андрій", "Андрей"}, {"Сергій", "Сергей"},
		{"Дмитро", "Дмитрий"}, {"Іван", "Иван"}, {"Юрій", "Юрий"}, {"Василь", "Василий"}, {"Олексій", "Алексей"},
		{"Володимир", "Владимир"}, {"Віктор", "Виктор"}, {"Петро", "Пётр"}, {"Михайло", "Михаил"}, {"Богдан", "Богдан"},
		{"Тарас", "Тарас"}, {"Роман", "Роман"}, {"Максим", "Максим"}, {"Денис", "Денис"}, {"Ігор", "Игорь"}, {"Павло", "Павел"},
		{"Євген", "Евгений"}, {"Артем", "Артём"}, {"Вадим", "Вадим"}, {"Кирило", "Кирилл"}}
	patronymics = [][2]string{{"Олександрович", "Александрович"}, {"Миколайович", "Николаевич"}, {"Андрійович", "Андреевич"},
		{"Сергійович", "Сергеевич"}, {"Іванович", "Иванович"}, {"Петрович", "Петрович"}, {"Васильович", "Васильевич"},
		{"Михайлович", "Михайлович"}, {"Вікторович", "Викторович"}, {"Юрійович", "Юрьевич"}, {"Дмитрович", "Дмитриевич"},
		{"Володимирович", "Владимирович"}, {"Олексійович", "Алексеевич"}, {"Григорович", "Григорьевич"}}
	ranksUA = []string{"солдат", "старший солдат", "молодший сержант", "сержант", "старший сержант", "лейтенант"}
	ranksRU = []string{"рядовой", "ефрейтор", "младший сержант", "сержант", "старший сержант", "лейтенант"}
)

// person is one made-up person, in both languages.
type person struct {
	famUA, famRU, givUA, givRU, patUA, patRU string
	birth                                    parley.PartialDate
	rank                                     int
	service, unit, category                  string
}

// makePeople makes n people; ukrainian says whose soldiers they are.
func makePeople(r *rand.Rand, n int, ukrainian bool, cats []parley.ExchangeCategoryTerms) []person {
	out := make([]person, n)
	// Categories in proportion to the agreement's numbers.
	var weights []int
	total := 0
	for _, c := range cats {
		weights = append(weights, max(c.Count, 1))
		total += max(c.Count, 1)
	}
	for i := range out {
		p := &out[i]
		g, f := givenNames[r.IntN(len(givenNames))], patronymics[r.IntN(len(patronymics))]
		p.givUA, p.givRU, p.patUA, p.patRU = g[0], g[1], f[0], f[1]
		if ukrainian {
			p.famUA = uaSurnames[r.IntN(len(uaSurnames))]
			p.famRU = reconcile.RussianSpelling(p.famUA)
		} else {
			p.famRU = ruSurnames[r.IntN(len(ruSurnames))]
			p.famUA = p.famRU
		}
		p.birth = parley.PartialDate{Year: 1965 + r.IntN(40), Month: 1 + r.IntN(12), Day: 1 + r.IntN(28)}
		p.rank = r.IntN(len(ranksUA))
		p.service = fmt.Sprintf("%c-%06d", []rune("АВСМ")[r.IntN(4)], r.IntN(1000000))
		p.unit = fmt.Sprintf("в/ч %c%04d", []rune("АВ")[r.IntN(2)], r.IntN(10000))
		if len(cats) > 0 {
			w := r.IntN(total)
			for j, x := range weights {
				if w < x {
					p.category = cats[j].Code
					break
				}
				w -= x
			}
		}
	}
	return out
}

// asWritten is how a list writes p: in Ukrainian, in Russian, or in Latin
// letters, with a list's slips when noisy.
func asWritten(r *rand.Rand, p person, ref string, script string, noisy bool) parley.Person {
	q := parley.Person{Ref: ref, BirthDate: p.birth, ServiceNumber: p.service, Unit: p.unit, Category: p.category}
	switch script {
	case "uk":
		q.FamilyName, q.GivenName, q.Patronymic, q.Rank = p.famUA, p.givUA, p.patUA, ranksUA[p.rank]
		q.Latin = reconcile.UkrainianNational.Transliterate(p.famUA + " " + p.givUA)
	case "ru":
		q.FamilyName, q.GivenName, q.Patronymic, q.Rank = p.famRU, p.givRU, p.patRU, ranksRU[p.rank]
	case "latin":
		t := reconcile.RussianICAO
		q.FamilyName, q.GivenName, q.Patronymic, q.Rank = strings.ToUpper(t.Transliterate(p.famRU)), t.Transliterate(p.givRU), t.Transliterate(p.patRU), ranksUA[p.rank]
		q.Latin = q.FamilyName + " " + q.GivenName
	}
	if !noisy {
		return q
	}
	switch x := r.IntN(100); {
	case x < 5:
		q.BirthDate = parley.PartialDate{}
	case x < 10:
		q.BirthDate = parley.PartialDate{Year: p.birth.Year}
	case x < 12 && p.birth.Day <= 12:
		q.BirthDate.Month, q.BirthDate.Day = p.birth.Day, p.birth.Month
	}
	if r.IntN(100) < 10 {
		q.Patronymic = ""
	}
	if r.IntN(100) < 3 {
		rs := []rune(q.FamilyName)
		if i := 1 + r.IntN(len(rs)-2); i+1 < len(rs) {
			rs[i], rs[i+1] = rs[i+1], rs[i]
		}
		q.FamilyName = string(rs)
	}
	return q
}

// installLists imports the four lists of the demo's exchange, reconciles
// them, and records some answers of both sides.
func installLists(ctx context.Context, db *store.DB, svc *service.Service, actors map[string]parley.Actor, groups, parties map[string]string) error {
	do := func(by string, cmd parley.Command) ([]parley.Event, error) {
		a, err := db.Actor(ctx, actors[by].AccountID, "")
		if err != nil {
			return nil, err
		}
		evs, err := svc.Do(ctx, a, cmd)
		if err != nil {
			return nil, fmt.Errorf("demo: lists: %T by %s: %w", cmd, by, err)
		}
		return evs, nil
	}
	med, err := db.Actor(ctx, actors["mediator"].AccountID, "")
	if err != nil {
		return err
	}
	xs, err := db.Exchanges(ctx, med, groups["humanitarian"])
	if err != nil || len(xs) == 0 {
		return fmt.Errorf("demo: lists: no exchange in the humanitarian group (%v)", err)
	}
	x := xs[0]
	ua, ru := parties["ua"], parties["ru"]
	r := rand.New(rand.NewPCG(2025, 5))
	cats := x.Terms.Categories

	// Ukraine's people held by Russia, and Russia's held by Ukraine.
	uaPeople := makePeople(r, demoSize+100, true, cats)
	ruPeople := makePeople(r, demoSize+60, false, cats)
	var uaAsked, ruHeld, ruAsked, uaHeld []parley.Person
	for i, p := range uaPeople {
		if i < demoSize {
			uaAsked = append(uaAsked, asWritten(r, p, fmt.Sprintf("UA-%04d", i+1), "uk", false))
		}
		// Russia lists all but 40 of those Ukraine asks for, and 100
		// Ukraine does not ask for.
		if i < 40 {
			continue
		}
		ruHeld = append(ruHeld, asWritten(r, p, fmt.Sprintf("RU-H-%04d", i+1), "ru", true))
	}
	for i, p := range ruPeople {
		if i < demoSize {
			ruAsked = append(ruAsked, asWritten(r, p, fmt.Sprintf("RU-%04d", i+1), "ru", false))
		}
		if i < 25 {
			continue
		}
		uaHeld = append(uaHeld, asWritten(r, p, fmt.Sprintf("UA-H-%04d", i+1), "latin", true))
	}
	imports := []struct {
		by   string
		list parley.ListKind
		file string
		ps   []parley.Person
	}{
		{"delegate.ua", parley.ListAsked, "ua-asked.xlsx", uaAsked},
		{"delegate.ru", parley.ListHeld, "ru-held.xlsx", ruHeld},
		{"delegate.ru", parley.ListAsked, "ru-asked.csv", ruAsked},
		{"delegate.ua", parley.ListHeld, "ua-held.csv", uaHeld},
	}
	for _, im := range imports {
		// The file the side sent, as its hash names it.
		var b bytes.Buffer
		if err := roster.WriteCSV(&b, im.ps); err != nil {
			return err
		}
		sum := sha256.Sum256(b.Bytes())
		format := "csv"
		if strings.HasSuffix(im.file, ".xlsx") {
			format = "xlsx"
		}
		if _, err := do(im.by, parley.ImportPersons{ExchangeID: x.ID, List: im.list, Mode: parley.ImportAll, File: im.file, Format: format,
			SHA256: hex.EncodeToString(sum[:]), Rows: len(im.ps), Persons: im.ps}); err != nil {
			return err
		}
	}

	// Each side runs the engine on the list it asks back.
	for _, run := range []struct{ by, asking string }{{"delegate.ua", ua}, {"delegate.ru", ru}} {
		a, err := db.Actor(ctx, actors[run.by].AccountID, "")
		if err != nil {
			return err
		}
		if _, err := svc.Reconcile(ctx, a, x.ID, run.asking); err != nil {
			return fmt.Errorf("demo: lists: reconcile: %w", err)
		}
	}
	// Both sides confirm the first matches; Russia rejects a possible
	// pair; the rest await review.
	for _, side := range []struct {
		asking  string
		confirm int
	}{{ua, 40}, {ru, 20}} {
		pairs, _, err := db.Pairs(ctx, med, x.ID, side.asking)
		if err != nil {
			return err
		}
		n, rejected := 0, false
		for _, p := range pairs {
			switch {
			case p.Kind == parley.PairMatch && n < side.confirm:
				for _, by := range []string{"delegate.ua", "delegate.ru"} {
					if _, err := do(by, parley.AnswerPair{PairID: p.ID, Confirmed: true}); err != nil {
						return err
					}
				}
				n++
			case p.Kind == parley.PairPossible && !rejected && side.asking == ua:
				if _, err := do("delegate.ru", parley.AnswerPair{PairID: p.ID, Reason: "Another man of this name, born elsewhere; ours was never captured."}); err != nil {
					return err
				}
				rejected = true
			}
		}
	}
	return installSteps(ctx, db, do, med, x.ID, ua)
}

// installSteps takes some of the people Ukraine asked back and both sides
// confirmed along their way home: interviewed by the observer (one does
// not wish to return), found fit, assigned to the first stage, handed
// over and received; one is held back, with a reason.
func installSteps(ctx context.Context, db *store.DB, do func(string, parley.Command) ([]parley.Event, error), med parley.Actor, exchange, ua string) error {
	pairs, _, err := db.Pairs(ctx, med, exchange, ua)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range pairs {
		if p.Status() != parley.PairConfirmed {
			continue
		}
		n++
		step := func(by, act string, yes bool, stage int, note string) error {
			_, err := do(by, parley.RecordStep{PairID: p.ID, Act: act, Yes: yes, Stage: stage, Note: note, NoActiveService: act == "handover" && n%3 == 0})
			return err
		}
		var err error
		switch {
		case n == 1:
			err = step("observer", "interview", false, 0, "Has a family in the place where he is held; does not wish to return now.")
		case n == 2:
			err = step("delegate.ru", "hold", false, 0, "Under criminal investigation; the file is shared with the observer.")
		case n <= 30:
			err = step("observer", "interview", true, 0, "")
			if err == nil {
				err = step("delegate.ru", "fitness", true, 0, "")
			}
			if err == nil && n <= 24 {
				err = step("mediator", "assign", false, 1, "")
			}
			if err == nil && n <= 16 {
				err = step("delegate.ru", "handover", false, 0, "")
			}
			if err == nil && n <= 12 {
				err = step("delegate.ua", "receive", false, 0, "")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

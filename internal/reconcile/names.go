package reconcile

import (
	"strings"
)

// maleNames lists men's given names as Ukrainian|Russian|Ukrainian
// patronymic|Russian patronymic, with variant spellings after commas. A
// Ukrainian list writes Олександр Миколайович where a Russian one writes
// Александр Николаевич for the same man; no letter rule turns one into the
// other, so the pairs are written out. Women's patronymics are derived.
const maleNames = `
Олександр|Александр|Олександрович|Александрович
Олексій|Алексей|Олексійович|Алексеевич
Альберт|Альберт|Альбертович|Альбертович
Анатолій|Анатолий|Анатолійович|Анатольевич
Андрій|Андрей|Андрійович|Андреевич
Антон|Антон|Антонович|Антонович
Аркадій|Аркадий|Аркадійович|Аркадьевич
Арсен|Арсен|Арсенович|Арсенович
Арсеній|Арсений|Арсенійович|Арсеньевич
Артем,Артьом|Артём,Артем|Артемович|Артёмович,Артемович
Артур|Артур|Артурович|Артурович
Богдан|Богдан|Богданович|Богданович
Борис|Борис|Борисович|Борисович
Вадим|Вадим|Вадимович|Вадимович
Валентин|Валентин|Валентинович|Валентинович
Валерій|Валерий|Валерійович|Валерьевич,Валериевич
Василь|Василий|Васильович|Васильевич
Веніамін|Вениамин|Веніамінович|Вениаминович
Віктор|Виктор|Вікторович|Викторович
Віталій|Виталий|Віталійович|Витальевич
Владислав|Владислав|Владиславович|Владиславович
Володимир|Владимир|Володимирович|Владимирович
Всеволод|Всеволод|Всеволодович|Всеволодович
В'ячеслав|Вячеслав|В'ячеславович|Вячеславович
Гаврило|Гавриил,Гаврила|Гаврилович|Гаврилович
Геннадій|Геннадий|Геннадійович|Геннадьевич
Георгій|Георгий|Георгійович|Георгиевич
Герман|Герман|Германович|Германович
Гліб|Глеб|Глібович|Глебович
Григорій|Григорий|Григорович,Григорійович|Григорьевич
Давид|Давид|Давидович|Давидович
Данило|Даниил,Данила|Данилович|Даниилович,Данилович
Денис|Денис|Денисович|Денисович
Дмитро|Дмитрий|Дмитрович|Дмитриевич
Едуард|Эдуард|Едуардович|Эдуардович
Євген|Евгений|Євгенович|Евгеньевич
Єгор|Егор|Єгорович|Егорович
Захар|Захар|Захарович|Захарович
Зиновій|Зиновий|Зиновійович|Зиновьевич
Іван|Иван|Іванович|Иванович
Ігнат,Гнат|Игнат,Игнатий|Ігнатович,Гнатович|Игнатович,Игнатьевич
Ігор|Игорь|Ігорович|Игоревич
Ілля|Илья|Ілліч,Іллович|Ильич
Ілларіон|Илларион|Ілларіонович|Илларионович
Йосип|Иосиф|Йосипович|Иосифович
Кирило|Кирилл|Кирилович|Кириллович
Климент|Климент|Климентович|Климентович
Костянтин|Константин|Костянтинович|Константинович
Кузьма|Кузьма|Кузьмич|Кузьмич
Лев|Лев|Львович|Львович
Леонід|Леонид|Леонідович|Леонидович
Лука|Лука|Лукич|Лукич
Любомир|Любомир|Любомирович|Любомирович
Максим|Максим|Максимович|Максимович
Марко|Марк|Маркович|Маркович
Мар'ян|Марьян|Мар'янович|Марьянович
Матвій|Матвей|Матвійович|Матвеевич
Микита|Никита|Микитович|Никитич
Микола|Николай|Миколайович|Николаевич
Мирон|Мирон|Миронович|Миронович
Мирослав|Мирослав|Мирославович|Мирославович
Михайло|Михаил|Михайлович|Михайлович
Назар|Назар|Назарович|Назарович
Нестор|Нестор|Несторович|Несторович
Олег|Олег|Олегович|Олегович
Омелян|Емельян|Омелянович|Емельянович
Орест|Орест|Орестович|Орестович
Остап|Остап|Остапович|Остапович
Павло|Павел|Павлович|Павлович
Панас,Опанас|Афанасий|Панасович,Опанасович|Афанасьевич
Петро|Пётр,Петр|Петрович|Петрович
Пилип|Филипп|Пилипович|Филиппович
Прохор|Прохор|Прохорович|Прохорович
Роман|Роман|Романович|Романович
Ростислав|Ростислав|Ростиславович|Ростиславович
Руслан|Руслан|Русланович|Русланович
Савелій|Савелий|Савелійович|Савельевич
Святослав|Святослав|Святославович|Святославович
Семен|Семён,Семен|Семенович|Семёнович,Семенович
Сергій|Сергей|Сергійович|Сергеевич
Станіслав|Станислав|Станіславович|Станиславович
Степан|Степан|Степанович|Степанович
Тарас|Тарас|Тарасович|Тарасович
Тимофій|Тимофей|Тимофійович|Тимофеевич
Тимур|Тимур|Тимурович|Тимурович
Тихон|Тихон|Тихонович|Тихонович
Трохим|Трофим|Трохимович|Трофимович
Устим|Устин|Устимович|Устинович
Федір|Фёдор,Федор|Федорович|Фёдорович,Федорович
Харитон|Харитон|Харитонович|Харитонович
Хома|Фома|Хомич|Фомич
Юліан|Юлиан|Юліанович|Юлианович
Юрій|Юрий|Юрійович|Юрьевич
Юхим|Ефим|Юхимович|Ефимович
Яким|Аким|Якимович|Акимович
Яків|Яков|Якович|Яковлевич
Ян|Ян|Янович|Янович
Ярослав|Ярослав|Ярославович|Ярославович
Адам|Адам|Адамович|Адамович
Вікентій|Викентий|Вікентійович|Викентьевич
Влас|Влас|Власович|Власович
Гордій|Гордей|Гордійович|Гордеевич
Дем'ян|Демьян|Дем'янович|Демьянович
Євдоким|Евдоким|Євдокимович|Евдокимович
Єфрем|Ефрем|Єфремович|Ефремович
Кіндрат|Кондрат,Кондратий|Кіндратович|Кондратович,Кондратьевич
Корній|Корней,Корнилий|Корнійович|Корнеевич
Лаврентій|Лаврентий|Лаврентійович|Лаврентьевич
Леонтій|Леонтий|Леонтійович|Леонтьевич
Макар|Макар|Макарович|Макарович
Мартин|Мартын,Мартин|Мартинович|Мартынович
Мусій|Моисей|Мусійович|Моисеевич
Никифор|Никифор|Никифорович|Никифорович
Овсій|Евсей|Овсійович|Евсеевич
Олесь|Олесь|Олесьович|Олесевич
Онисим|Анисим|Онисимович|Анисимович
Родіон|Родион|Родіонович|Родионович
Самійло|Самуил,Самойла|Самійлович|Самуилович,Самойлович
Сидір|Сидор|Сидорович|Сидорович
Терентій|Терентий|Терентійович|Терентьевич
Фадей|Фаддей|Фадейович|Фаддеевич
Ярема|Еремей,Ерёма|Яремович|Еремеевич
`

// femaleNames lists women's given names as Ukrainian|Russian, with variant
// spellings after commas.
const femaleNames = `
Аліна|Алина
Алла|Алла
Альона|Алёна,Алена
Анастасія|Анастасия
Ангеліна|Ангелина
Антоніна|Антонина
Богдана|Богдана
Валентина|Валентина
Валерія|Валерия
Вероніка|Вероника
Віра|Вера
Вікторія|Виктория
Галина|Галина
Ганна,Анна|Анна
Дарина|Дарина
Дарія,Дар'я|Дарья,Дария
Діана|Диана
Євгенія|Евгения
Єлизавета|Елизавета
Жанна|Жанна
Зінаїда|Зинаида
Зоя|Зоя
Іванна|Иванна
Інна|Инна
Ірина|Ирина
Карина|Карина
Катерина|Екатерина
Кіра|Кира
Ксенія|Ксения
Лариса|Лариса
Лідія|Лидия
Лілія|Лилия
Любов|Любовь
Людмила|Людмила
Майя|Майя
Маргарита|Маргарита
Марина|Марина
Марія|Мария
Мирослава|Мирослава
Надія|Надежда
Наталія,Наталя|Наталья,Наталия
Ніна|Нина
Оксана|Оксана
Олександра|Александра
Олена|Елена
Олеся|Олеся
Ольга|Ольга
Поліна|Полина
Раїса|Раиса
Світлана|Светлана
Софія|София,Софья
Стефанія|Стефания
Таїсія|Таисия
Тамара|Тамара
Тетяна|Татьяна
Уляна|Ульяна
Христина|Кристина
Юлія|Юлия
Яна|Яна
Ярослава|Ярослава
Василина|Василиса
Віолета|Виолетта
Владислава|Владислава
Єва|Ева
Евеліна|Эвелина
Ельвіра|Эльвира
Емілія|Эмилия
Злата|Злата
Ілона|Илона
Леся|Леся
Любомира|Любомира
Марта|Марта
Мілана|Милана
Регіна|Регина
Роксолана|Роксолана
Руслана|Руслана
Сніжана|Снежана
Станіслава|Станислава
Ярина|Арина
`

// Names is a dictionary of given names and patronymics that are the same
// name in Ukrainian and Russian. It maps a name, in any script or system of
// [Tables], to a group shared by all its forms. The zero value is empty;
// use [DefaultNames].
type Names struct {
	given      map[string]int32 // Key of a spelling → group
	patronymic map[string]int32 // Key of a patronymic → group of the father's name
	variants   [][]string       // group → Keys of its given-name spellings
	display    []string         // group → Ukrainian and Russian spelling, for reasons
	female     []bool           // group → a woman's name
}

// DefaultNames returns the built-in dictionary of common Ukrainian and
// Russian given names and their patronymics.
func DefaultNames() *Names {
	n := &Names{given: map[string]int32{}, patronymic: map[string]int32{}}
	for _, line := range strings.Split(strings.TrimSpace(maleNames), "\n") {
		f := strings.Split(line, "|")
		g := n.addGroup(f[0], f[1], false)
		for _, p := range strings.Split(f[2], ",") {
			n.addPatronymic(g, p, ukrainianFeminine(p))
		}
		for _, p := range strings.Split(f[3], ",") {
			n.addPatronymic(g, p, russianFeminine(p))
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(femaleNames), "\n") {
		f := strings.Split(line, "|")
		n.addGroup(f[0], f[1], true)
	}
	return n
}

func (n *Names) addGroup(uk, ru string, female bool) int32 {
	g := int32(len(n.variants))
	var keys []string
	for _, s := range strings.Split(uk+","+ru, ",") {
		k := Key(s)
		if _, dup := n.given[k]; !dup {
			n.given[k] = g
		}
		keys = append(keys, k)
	}
	n.variants = append(n.variants, keys)
	n.display = append(n.display, strings.Split(uk, ",")[0]+"/"+strings.Split(ru, ",")[0])
	n.female = append(n.female, female)
	return g
}

func (n *Names) addPatronymic(g int32, forms ...string) {
	for _, f := range forms {
		if f == "" {
			continue
		}
		k := Key(f)
		if _, dup := n.patronymic[k]; !dup {
			n.patronymic[k] = g
		}
	}
}

// ukrainianFeminine derives a daughter's patronymic from a son's:
// Олександрович → Олександрівна, Миколайович → Миколаївна.
func ukrainianFeminine(p string) string {
	switch {
	case strings.HasSuffix(p, "йович"):
		return strings.TrimSuffix(p, "йович") + "ївна"
	case strings.HasSuffix(p, "ович"):
		return strings.TrimSuffix(p, "ович") + "івна"
	case strings.HasSuffix(p, "ліч"):
		return strings.TrimSuffix(p, "ч") + "вна"
	case strings.HasSuffix(p, "ич"):
		return strings.TrimSuffix(p, "ич") + "івна"
	}
	return ""
}

// russianFeminine derives a daughter's patronymic from a son's:
// Александрович → Александровна, Николаевич → Николаевна, Ильич →
// Ильинична.
func russianFeminine(p string) string {
	switch {
	case strings.HasSuffix(p, "вич"):
		return strings.TrimSuffix(p, "ич") + "на"
	case p == "Ильич":
		return "Ильинична"
	case p == "Кузьмич":
		return "Кузьминична"
	case p == "Фомич":
		return "Фоминична"
	case strings.HasSuffix(p, "ич"):
		return p + "на"
	}
	return ""
}

// Given returns the group of a given name and whether the dictionary knows
// it.
func (n *Names) Given(name string) (group int32, ok bool) {
	group, ok = n.given[Key(name)]
	return group, ok
}

// Patronymic returns the group of the father's given name that patronymic
// is formed from, and whether the dictionary knows it.
func (n *Names) Patronymic(patronymic string) (group int32, ok bool) {
	group, ok = n.patronymic[Key(patronymic)]
	return group, ok
}

// Display returns the Ukrainian and Russian spelling of a group, such as
// "Олександр/Александр".
func (n *Names) Display(group int32) string {
	if group < 0 || int(group) >= len(n.display) {
		return ""
	}
	return n.display[group]
}

// patronymicStem cuts the patronymic suffix off a key, leaving the father's
// name, so that unknown patronymics can still be compared by their root.
func patronymicStem(k string) string {
	for _, suf := range []string{"ioviC", "oviC", "eviC", "ivna", "ovna", "evna", "iniCna", "iCna", "iC"} {
		if len(k) > len(suf)+2 && strings.HasSuffix(k, suf) {
			return k[:len(k)-len(suf)]
		}
	}
	return k
}

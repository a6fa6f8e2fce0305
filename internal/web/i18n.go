package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/parley-talks/parley"
	"golang.org/x/text/language"
)

// catalog holds the interface's messages in every language it speaks, from
// locales/<lang>.json.
type catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	locs    map[parley.Lang]*i18n.Localizer
}

func loadCatalog() (*catalog, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, len(parley.Langs))
	c := &catalog{bundle: b, locs: map[parley.Lang]*i18n.Localizer{}}
	for i, l := range parley.Langs {
		data, err := fs.ReadFile(files, "locales/"+string(l)+".json")
		if err != nil {
			return nil, fmt.Errorf("web: message catalogue for %s: %w", l, err)
		}
		if _, err := b.ParseMessageFileBytes(data, string(l)+".json"); err != nil {
			return nil, fmt.Errorf("web: message catalogue for %s: %w", l, err)
		}
		tags[i] = language.MustParse(string(l))
		c.locs[l] = i18n.NewLocalizer(b, string(l), string(parley.English))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// choose picks the interface language: the account's setting, then a
// language chosen on the page (cookie), then the browser's Accept-Language.
func (c *catalog) choose(r *http.Request, acc *parley.Account) parley.Lang {
	if acc != nil {
		if l, ok := parley.ParseLang(string(acc.Locale)); ok {
			return l
		}
	}
	if ck, err := r.Cookie("parley_lang"); err == nil {
		if l, ok := parley.ParseLang(ck.Value); ok {
			return l
		}
	}
	_, i, _ := c.matcher.Match(parseAcceptLanguage(r.Header.Get("Accept-Language"))...)
	return parley.Langs[i]
}

func parseAcceptLanguage(h string) []language.Tag {
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return []language.Tag{language.English}
	}
	return tags
}

// translate returns message id in lang. args are name/value pairs for the
// message's template; a "Count" argument also selects the plural form. A
// message missing from lang falls back to English, and to id itself when
// English lacks it too (a test keeps that from happening).
func (c *catalog) translate(lang parley.Lang, id string, args ...any) string {
	loc := c.locs[lang]
	if loc == nil {
		loc = c.locs[parley.English]
	}
	data := map[string]any{}
	var count any
	for i := 0; i+1 < len(args); i += 2 {
		k := fmt.Sprint(args[i])
		data[k] = args[i+1]
		if k == "Count" {
			count = args[i+1]
		}
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return id
	}
	return s
}

// translateText translates a sentence of the domain (an error message or a
// field's complaint), which the catalogues hold under the key "text:" and
// the English sentence. Sentences they lack stay in English.
func (c *catalog) translateText(lang parley.Lang, sentence string) string {
	if sentence == "" {
		return ""
	}
	s := c.translate(lang, "text:"+sentence)
	if strings.HasPrefix(s, "text:") {
		return sentence
	}
	return s
}

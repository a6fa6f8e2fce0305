package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"time"

	"github.com/parley-talks/parley"
)

// The published statements of a process as feeds: Atom 1.0 (RFC 4287) and
// JSON Feed 1.1, in the reader's language (?lang=, then Accept-Language),
// each item with its record entry and the link to its inclusion proof.

// feedItem is a statement as both feeds give it.
type feedItem struct {
	publicItem
	ID      string // a permanent identifier: the statement's place on the public page
	URL     string // the statement on the page, in the feed's language
	Proof   string // the inclusion proof's URL, or ""
	Authors []string
	Content string // plain text: what kind of statement, its words, its figures, its record entry
}

// feedData is a process's statements ready for a feed.
type feedData struct {
	Process parley.Process
	Lang    parley.Lang
	Page    string // the public page, in the feed's language
	Self    string // the feed's own URL, without the language
	Updated time.Time
	Items   []feedItem
}

func (s *Server) feedData(ctx context.Context, id string, pr publicRequest, self string) (feedData, bool, error) {
	v, err := s.publicProcessData(ctx, id, pr)
	if err != nil {
		return feedData{}, false, err
	}
	page := pr.base + "/public/" + id
	d := feedData{Process: v.Process, Lang: pr.lang, Page: page + "?lang=" + string(pr.lang), Self: pr.base + self, Updated: v.Process.CreatedAt}
	var negotiating []string
	for _, p := range v.Parties {
		if p.Kind == parley.PartyNegotiating {
			negotiating = append(negotiating, p.Names.In(pr.lang))
		}
	}
	t := func(id string, args ...any) string { return s.i18n.translate(pr.lang, id, args...) }
	for _, it := range v.Items {
		f := feedItem{publicItem: it, ID: page + "#s-" + it.ID, URL: d.Page + "#s-" + it.ID}
		if it.Proof != "" {
			f.Proof = pr.base + it.Proof
		}
		var b strings.Builder
		if it.Joint {
			f.Authors = negotiating
			b.WriteString(t("public.joint") + ".\n\n")
		} else {
			f.Authors = []string{it.Party}
			b.WriteString(t("public.unilateral", "Party", it.Party) + " — " + t("public.unilateral_note") + ".\n\n")
		}
		b.WriteString(it.Text)
		if len(it.Figures) > 0 {
			b.WriteString("\n")
			for _, fg := range it.Figures {
				b.WriteString("\n" + fg.Label + ": " + fg.Value + " (" + t("public.as_of", "Date", fg.AsOf) + ")")
			}
		}
		b.WriteString("\n\n" + t("public.entry", "Seq", it.Seq) + ".")
		if f.Proof != "" {
			b.WriteString(" " + t("public.proof") + ": " + f.Proof)
		}
		f.Content = strings.TrimSpace(b.String())
		if it.PublishedAt.After(d.Updated) {
			d.Updated = it.PublishedAt
		}
		d.Items = append(d.Items, f)
	}
	return d, v.complete, nil
}

// Atom 1.0.
type (
	atomFeed struct {
		XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
		Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string      `xml:"id"`
		Title     string      `xml:"title"`
		Subtitle  string      `xml:"subtitle,omitempty"`
		Updated   string      `xml:"updated"`
		Links     []atomLink  `xml:"link"`
		Author    atomPerson  `xml:"author"`
		Generator string      `xml:"generator"`
		Entries   []atomEntry `xml:"entry"`
	}
	atomLink struct {
		Rel      string `xml:"rel,attr"`
		Href     string `xml:"href,attr"`
		Type     string `xml:"type,attr,omitempty"`
		Title    string `xml:"title,attr,omitempty"`
		Hreflang string `xml:"hreflang,attr,omitempty"`
	}
	atomPerson struct {
		Name string `xml:"name"`
	}
	atomCategory struct {
		Term  string `xml:"term,attr"`
		Label string `xml:"label,attr,omitempty"`
	}
	atomText struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	}
	atomEntry struct {
		Lang      string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
		ID        string       `xml:"id"`
		Title     string       `xml:"title"`
		Published string       `xml:"published"`
		Updated   string       `xml:"updated"`
		Authors   []atomPerson `xml:"author"`
		Links     []atomLink   `xml:"link"`
		Category  atomCategory `xml:"category"`
		Content   atomText     `xml:"content"`
	}
)

func (s *Server) publicAtom(w http.ResponseWriter, r *http.Request) {
	s.servePublic(w, r, func(ctx context.Context, pr publicRequest) ([]byte, string, bool, error) {
		d, complete, err := s.feedData(ctx, r.PathValue("process"), pr, r.URL.Path)
		if err != nil {
			return nil, "", false, err
		}
		f := atomFeed{Lang: string(d.Lang), ID: pr.base + "/public/" + d.Process.ID, Title: d.Process.Title,
			Subtitle: d.Process.Description, Updated: d.Updated.UTC().Format(time.RFC3339),
			Links: []atomLink{
				{Rel: "self", Href: d.Self, Type: "application/atom+xml"},
				{Rel: "alternate", Href: d.Page, Type: "text/html", Hreflang: string(d.Lang)},
			},
			Author: atomPerson{Name: d.Process.Title}, Generator: "Parley"}
		for _, it := range d.Items {
			at := it.PublishedAt.UTC().Format(time.RFC3339)
			e := atomEntry{Lang: string(it.Lang), ID: it.ID, Title: it.Title, Published: at, Updated: at,
				Links:    []atomLink{{Rel: "alternate", Href: it.URL, Type: "text/html"}},
				Category: atomCategory{Term: "joint", Label: s.i18n.translate(d.Lang, "public.joint")},
				Content:  atomText{Type: "text", Body: it.Content}}
			if !it.Joint {
				e.Category = atomCategory{Term: "unilateral", Label: s.i18n.translate(d.Lang, "public.unilateral", "Party", it.Party)}
			}
			for _, a := range it.Authors {
				e.Authors = append(e.Authors, atomPerson{Name: a})
			}
			if it.Proof != "" {
				e.Links = append(e.Links, atomLink{Rel: "related", Href: it.Proof, Type: "application/json",
					Title: s.i18n.translate(d.Lang, "public.entry", "Seq", it.Seq)})
			}
			f.Entries = append(f.Entries, e)
		}
		out, err := xml.MarshalIndent(f, "", " ")
		if err != nil {
			return nil, "", false, err
		}
		return append([]byte(xml.Header), append(out, '\n')...), "application/atom+xml; charset=utf-8", complete, nil
	})
}

// JSON Feed 1.1, with Parley's extension "_parley" on each item.
type (
	jsonFeed struct {
		Version     string       `json:"version"`
		Title       string       `json:"title"`
		HomePageURL string       `json:"home_page_url"`
		FeedURL     string       `json:"feed_url"`
		Description string       `json:"description,omitempty"`
		Language    string       `json:"language"`
		Authors     []jsonAuthor `json:"authors"`
		Items       []jsonItem   `json:"items"`
	}
	jsonAuthor struct {
		Name string `json:"name"`
	}
	jsonItem struct {
		ID            string       `json:"id"`
		URL           string       `json:"url"`
		Title         string       `json:"title"`
		ContentText   string       `json:"content_text"`
		DatePublished string       `json:"date_published"`
		Language      string       `json:"language"`
		Authors       []jsonAuthor `json:"authors"`
		Tags          []string     `json:"tags"`
		Parley        jsonParley   `json:"_parley"`
	}
	// jsonParley is where a statement stands in the record.
	jsonParley struct {
		About       string `json:"about"`
		Kind        string `json:"kind"`
		Party       string `json:"party,omitempty"`
		RecordEntry int64  `json:"record_entry"`
		Proof       string `json:"proof,omitempty"`
		Hash        string `json:"hash"`
	}
)

// recordDoc explains the record and how to check it.
const recordDoc = "https://github.com/parley-talks/parley/blob/main/docs/record.md"

func (s *Server) publicJSONFeed(w http.ResponseWriter, r *http.Request) {
	s.servePublic(w, r, func(ctx context.Context, pr publicRequest) ([]byte, string, bool, error) {
		d, complete, err := s.feedData(ctx, r.PathValue("process"), pr, r.URL.Path)
		if err != nil {
			return nil, "", false, err
		}
		f := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: d.Process.Title, HomePageURL: d.Page, FeedURL: d.Self,
			Description: d.Process.Description, Language: string(d.Lang), Authors: []jsonAuthor{{Name: d.Process.Title}}, Items: []jsonItem{}}
		for _, it := range d.Items {
			j := jsonItem{ID: it.ID, URL: it.URL, Title: it.Title, ContentText: it.Content,
				DatePublished: it.PublishedAt.UTC().Format(time.RFC3339), Language: string(it.Lang),
				Parley: jsonParley{About: recordDoc, Kind: string(parley.JointStatement), RecordEntry: it.Seq, Proof: it.Proof, Hash: it.Hash}}
			if !it.Joint {
				j.Parley.Kind, j.Parley.Party = string(parley.UnilateralStatement), it.Party
			}
			j.Tags = []string{j.Parley.Kind}
			for _, a := range it.Authors {
				j.Authors = append(j.Authors, jsonAuthor{Name: a})
			}
			f.Items = append(f.Items, j)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", " ")
		if err := enc.Encode(f); err != nil {
			return nil, "", false, err
		}
		return buf.Bytes(), "application/feed+json; charset=utf-8", complete, nil
	})
}

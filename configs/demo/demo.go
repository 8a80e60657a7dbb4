// Package demo embeds the demo company, Jade Leaf Tea House (翠叶茶庄), so that Concierge runs with no setup.
//
// Jade Leaf Tea House is a fictional bilingual (English and Simplified Chinese) online tea shop with one physical
// shop in Shanghai. The embedded files are:
//
//	concierge.yaml               the demo's config: its site (name, greeting, colours, the page at /)
//	intents.yaml                 the intents, with examples and small-talk replies ({name}: the site's name)
//	content/faq/faq_en.csv       FAQ entries in English (id,question,answer,tags,lang,intents)
//	content/faq/faq_zh.csv       the same entries in Chinese; each id is the English id plus "-zh"
//	content/products.csv         the catalogue in English (sku,name,category,price,currency,description,tags,lang)
//	content/products_zh.csv      the same SKUs in Chinese
//	content/pages/*.md           public pages with YAML front matter (audience: public); Chinese ones end in .zh.md
//	content/internal/*.md        the internal staff wiki (audience: internal), never to be shown to customers
//	content/synonyms.yaml        groups of equivalent search terms, English and Chinese mixed
package demo

import (
	"embed"
	"io/fs"
)

//go:embed concierge.yaml intents.yaml content
var files embed.FS

// Content returns the demo knowledge content directory (faq/, pages/, internal/, products*.csv, synonyms.yaml).
// The returned file system is read-only and safe for concurrent use.
func Content() fs.FS {
	sub, err := fs.Sub(files, "content")
	if err != nil {
		panic("demo: embedded content directory is missing: " + err.Error())
	}
	return sub
}

// Intents returns the demo intents file (YAML). Each call returns a fresh copy the caller may modify.
func Intents() []byte {
	b, err := files.ReadFile("intents.yaml")
	if err != nil {
		panic("demo: embedded intents.yaml is missing: " + err.Error())
	}
	return b
}

// Config returns the demo company's configuration file (YAML): its site
// section, the branding of the page at /, the widget and the replies. Each
// call returns a fresh copy the caller may modify.
func Config() []byte {
	b, err := files.ReadFile("concierge.yaml")
	if err != nil {
		panic("demo: embedded concierge.yaml is missing: " + err.Error())
	}
	return b
}

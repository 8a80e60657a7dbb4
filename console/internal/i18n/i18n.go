// Package i18n holds the staff pages' texts (agent console, dashboard) in
// English and Simplified Chinese, side by side, so that no text can exist in
// one language only. Customer text is never looked up here.
package i18n

import "github.com/concierge-bot/concierge/bot"

// The staff pages' languages.
const (
	EN = "en"
	ZH = "zh"
)

// Text is one text of the pages in both languages.
type Text struct{ EN, ZH string }

// Table maps a key to its text.
type Table map[string]Text

// Get returns the text of key in lang (Chinese for ZH, English for any
// other language), or key itself when the table has none: a missing text
// shows on the page instead of leaving a blank.
func (t Table) Get(lang, key string) string {
	x, ok := t[key]
	switch {
	case !ok:
		return key
	case lang == ZH:
		return x.ZH
	default:
		return x.EN
	}
}

// Valid reports whether lang is one of the pages' languages.
func Valid(lang string) bool { return lang == EN || lang == ZH }

// Pick returns the language a page is shown in: the first valid one of
// choices (an explicit ?lang=, then a remembered choice), else the
// preference of the Accept-Language header acceptLanguage between English
// and Chinese, else English.
func Pick(acceptLanguage string, choices ...string) string {
	for _, c := range choices {
		if Valid(c) {
			return c
		}
	}
	return bot.PreferredLanguage(acceptLanguage)
}

// Tag returns the HTML lang attribute of lang.
func Tag(lang string) string {
	if lang == ZH {
		return "zh-CN"
	}
	return "en"
}

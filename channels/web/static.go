package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/concierge-bot/concierge/bot"
)

//go:embed static/widget.js static/widget.css static/demo.css static/demo.js static/demo.html static/openapi.json
var static embed.FS

// demoCSP is the Content-Security-Policy of the demo page: nothing inline,
// nothing from elsewhere.
const demoCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is an embedded file served with a strong ETag.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// loadAssets reads the embedded files served by path.
func loadAssets() (map[string]asset, error) {
	files := []struct{ path, name, ctype string }{
		{"/widget.js", "widget.js", "text/javascript; charset=utf-8"},
		{"/widget.css", "widget.css", "text/css; charset=utf-8"},
		{"/demo.css", "demo.css", "text/css; charset=utf-8"},
		{"/demo.js", "demo.js", "text/javascript; charset=utf-8"},
		{"/api/v1/openapi.json", "openapi.json", "application/json; charset=utf-8"},
	}
	m := map[string]asset{}
	for _, f := range files {
		b, err := static.ReadFile("static/" + f.name)
		if err != nil {
			return nil, fmt.Errorf("embedded asset: %w", err)
		}
		sum := sha256.Sum256(b)
		m[f.path] = asset{body: b, ctype: f.ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return m, nil
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", "public, max-age=300")
	// Any site may load the widget's script and style sheet.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	a := s.assets["/api/v1/openapi.json"]
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Access-Control-Allow-Origin", "*") // public documentation
	_, _ = w.Write(a.body)
}

// demoText is the demo page's text in one language.
type demoText struct {
	Title, Brand, LangNav, Headline, Lead, Hint, VisitTitle, Visit, ShipTitle, Ship, AskTitle, Footer, Chat string
	Ask                                                                                                     []string
}

var demoTexts = map[string]demoText{
	"en": {
		Title: "Jade Leaf Tea House — Chinese tea and tea-ware, Shanghai", Brand: "Jade Leaf Tea House",
		LangNav:  "Language",
		Headline: "Chinese tea, straight from the gardens",
		Lead: "We buy directly from small farms and cooperatives in Zhejiang, Fujian, Anhui, Yunnan, Guangdong, " +
			"Jiangsu and Taiwan, and our founder visits the gardens every spring. Green, white, oolong, black and " +
			"pu-erh teas, with the tea-ware to brew them.",
		Hint:       "This is the demo shop of Concierge. Open the chat in the corner and ask a question, in English or Chinese.",
		VisitTitle: "Visit our shop",
		Visit: "218 Yuyuan Road, Jing'an District, Shanghai — about 6 minutes' walk from Jing'an Temple metro " +
			"station (Lines 2, 7 and 14). Open every day, 10:00–20:00.",
		ShipTitle: "Shipping",
		Ship: "Orders paid by 16:00 Beijing time, Monday to Saturday, leave our Shanghai warehouse the same day. " +
			"Free shipping in mainland China from ¥199; we also ship worldwide with DHL Express.",
		AskTitle: "Try asking",
		Ask:      []string{"How long does shipping take?", "What are your opening hours?", "Which tea is good for a beginner?", "发货后多久能收到？"},
		Footer:   "Jade Leaf Tea House (翠叶茶庄) is a fictional company. Online service: every day 9:00–21:00, service@jadeleaftea.example.",
		Chat:     "Jade Leaf Tea House",
	},
	"zh-CN": {
		Title: "翠叶茶庄 — 中国茶与茶具 · 上海", Brand: "翠叶茶庄",
		LangNav:  "语言",
		Headline: "好茶，直接来自茶园",
		Lead: "我们直接向浙江、福建、安徽、云南、广东、江苏和台湾的小茶园与合作社采购，创始人每年春天亲赴茶园。" +
			"绿茶、白茶、乌龙、红茶与普洱，以及冲泡所需的茶具。",
		Hint:       "这是 Concierge 的演示店铺。打开右下角的在线咨询，用中文或英文提问吧。",
		VisitTitle: "欢迎到店",
		Visit:      "上海市静安区愚园路218号，从地铁2、7、14号线静安寺站步行约6分钟。每天10:00–20:00营业。",
		ShipTitle:  "配送",
		Ship:       "北京时间周一至周六16:00前付款的订单当天从上海仓库发出。中国大陆满¥199包邮，国际订单使用DHL快递。",
		AskTitle:   "试着问问",
		Ask:        []string{"发货后多久能收到？", "营业时间是几点到几点？", "新手适合喝什么茶？", "How long does shipping take?"},
		Footer:     "翠叶茶庄（Jade Leaf Tea House）是一家虚构的公司。线上客服：每天9:00–21:00，service@jadeleaftea.example。",
		Chat:       "翠叶茶庄 在线咨询",
	},
}

// demoPages renders the demo page once per language.
func demoPages() (map[string][]byte, error) {
	tmpl, err := template.ParseFS(static, "static/demo.html")
	if err != nil {
		return nil, fmt.Errorf("demo page: %w", err)
	}
	pages := map[string][]byte{}
	for lang, t := range demoTexts {
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, struct {
			Lang string
			T    demoText
		}{lang, t}); err != nil {
			return nil, fmt.Errorf("demo page %s: %w", lang, err)
		}
		pages[lang] = buf.Bytes()
	}
	return pages, nil
}

// handleDemo serves the demo company's page with the widget on it, in
// Chinese for ?lang=zh or a browser that prefers Chinese, else in English.
func (s *Server) handleDemo(w http.ResponseWriter, r *http.Request) {
	lang := "en"
	switch q := r.URL.Query().Get("lang"); {
	case strings.HasPrefix(q, "zh"):
		lang = "zh-CN"
	case q == "" && bot.PreferredLanguage(r.Header.Get("Accept-Language")) == "zh":
		lang = "zh-CN"
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", demoCSP)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Language")
	_, _ = w.Write(s.demo[lang])
}

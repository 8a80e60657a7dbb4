package intents

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Where's my ORDER?!", "wheres my order"},
		{"  lots   of\tspace\n", "lots of space"},
		{"ＡＢＣ１２３　ｘ", "abc123 x"},
		{"你們的快遞太慢了，我要投訴！", "你们的快递太慢了 我要投诉"},
		{"don't 'quoted'", "dont quoted"},
		{"don＇t won’t", "dont wont"},
		{"e-mail: a@b.com", "e mail a b com"},
		{"Café Über", "café über"},
		{"😀😀", ""},
		{"", ""},
		{"bad\xffutf8", "bad utf8"},
	}
	for _, tt := range tests {
		if got := string(normalize(nil, tt.in)); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("a ", 5000)
	if n := len(normalize(nil, long)); n > maxRunes {
		t.Errorf("normalize of a long text gave %d runes, want at most %d", n, maxRunes)
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Where is my order?", "en"},
		{"hi", "en"},
		{"我的订单到哪了", "zh"},
		{"你們的快遞太慢了", "zh"},
		{"我的iPhone 15 order到哪了", "zh"},
		{"my order 号码 is 12345 and it has not arrived yet", "en"},
		{"Où est ma commande? Je ne la trouve pas dans mon compte", "other"},
		{"¿Dónde está mi pedido? No lo encuentro en la página", "other"},
		{"Wo ist meine Bestellung? Ich kann sie nicht finden", "other"},
		{"Где мой заказ?", "other"},
		{"注文はどこですか", "other"},
		{"주문이 어디에 있나요", "other"},
		{"😀👍", "other"},
		{"", "other"},
		{"12345", "other"},
	}
	for _, tt := range tests {
		if got := DetectLanguage(tt.in); got != tt.want {
			t.Errorf("DetectLanguage(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExtractFeatures(t *testing.T) {
	e := &extractor{opts: FeatureOptions{}.withDefaults()}
	a := append([]rawFeature(nil), e.extract("Where is my ORDER")...)
	b := append([]rawFeature(nil), e.extract("where is my order!")...)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("case and punctuation changed the features: %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("feature %d differs", i)
		}
	}
	c := e.extract("order my is where")
	if len(c) != len(a) {
		t.Fatalf("same words in another order: %d features, want %d", len(c), len(a))
	}
	same := 0
	for i := range c {
		if c[i] == a[i] {
			same++
		}
	}
	if same == len(a) {
		t.Error("word order does not change any feature; want different bigrams")
	}
	if n := len(e.extract("我要投诉")); n == 0 {
		t.Error("no features for Chinese text")
	}
	if n := len(e.extract("😀 !!")); n != 0 {
		t.Errorf("emoji-only text gave %d features, want 0", n)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Hello, World", "你们的快递太慢了，我要投诉", "\xff\xfe", "ＡＢＣ　１２３", "don't", "😀", strings.Repeat("x", 5000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := string(normalize(nil, s))
		if !utf8.ValidString(n) {
			t.Fatalf("normalize(%q) is not valid UTF-8", s)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") {
			t.Fatalf("normalize(%q) = %q has stray spaces", s, n)
		}
		if utf8.RuneCountInString(n) > maxRunes {
			t.Fatalf("normalize returned %d runes", utf8.RuneCountInString(n))
		}
		if again := string(normalize(nil, n)); again != n {
			t.Fatalf("normalize is not idempotent: %q -> %q -> %q", s, n, again)
		}
		_ = DetectLanguage(s)
	})
}

func FuzzFeatures(f *testing.F) {
	v := newVectorizer(FeatureOptions{})
	v.fit([]string{"where is my order", "我的订单到哪了", "refund please", "退款"})
	for _, s := range []string{"where is my order", "我的订单", "\xff", "", "😀", "mixed 中文 text 123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vec := v.transform(s, sparse{})
		if len(vec.idx) != len(vec.val) {
			t.Fatal("indices and values differ in length")
		}
		var sq float64
		seen := map[int32]bool{}
		for k, i := range vec.idx {
			if i < 0 || int(i) >= v.nFeat {
				t.Fatalf("index %d out of range", i)
			}
			if seen[i] {
				t.Fatalf("index %d twice", i)
			}
			seen[i] = true
			x := float64(vec.val[k])
			if x <= 0 || x != x {
				t.Fatalf("bad value %v", x)
			}
			sq += x * x
		}
		if sq > 2.0001 { // two blocks, each of unit norm
			t.Fatalf("squared norm %v > 2", sq)
		}
	})
}

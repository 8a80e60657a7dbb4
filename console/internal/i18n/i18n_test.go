package i18n

import "testing"

func TestGet(t *testing.T) {
	tab := Table{"hello": {"Hello", "你好"}}
	for _, tt := range []struct{ lang, key, want string }{
		{EN, "hello", "Hello"},
		{ZH, "hello", "你好"},
		{"fr", "hello", "Hello"},
		{ZH, "missing", "missing"},
	} {
		if got := tab.Get(tt.lang, tt.key); got != tt.want {
			t.Errorf("Get(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	for _, tt := range []struct {
		accept  string
		choices []string
		want    string
	}{
		{"", nil, EN},
		{"zh-CN,zh;q=0.9", nil, ZH},
		{"zh-CN", []string{"en"}, EN},
		{"en", []string{"", "zh"}, ZH},
		{"en", []string{"xx", "de"}, EN},
		{"zh", []string{"<script>"}, ZH},
	} {
		if got := Pick(tt.accept, tt.choices...); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.accept, tt.choices, got, tt.want)
		}
	}
	if Tag(ZH) != "zh-CN" || Tag(EN) != "en" || Tag("x") != "en" {
		t.Errorf("Tag: %q %q %q", Tag(ZH), Tag(EN), Tag("x"))
	}
}

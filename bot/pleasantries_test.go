package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTrimPleasantries(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"hi! do you do weddings? thanks", "do you do weddings"},
		{"hello there, quick question, do you deliver", "do you deliver"},
		{"do you print thank you cards", "do you print thank you cards"},
		{"high chair for toddlers?", "high chair for toddlers?"},
		{"cant touch my toes lol. which class", "cant touch my toes . which class"},
		{"亲，亲子课多少钱", "亲子课多少钱"},
		{"亲子课多少钱", "亲子课多少钱"},
		{"hello呀，酸种能预留吗 谢谢老板", "酸种能预留吗"},
		{"你好呀 那个蛋糕多少钱", "那个蛋糕多少钱"},
		{"evening! who pays return shipping", "who pays return shipping"},
		{"evening classes, how much?", "evening classes, how much?"},
		{"hello, hope you're well. whats the difference, appreciate it", "whats the difference"},
		{"highlights每天几点", "highlights每天几点"},
		{"你好，请问能送到上海吗？谢谢", "能送到上海吗"},
		{"hi thanks", ""},
		{"can you tell me a joke", "a joke"}, // "tell" matched "Tell us in the chat" of the complaints page
		{"hi, could you please tell me when you open", "when you open"},
		{"i was wondering do you ship to germany", "do you ship to germany"},
		{"telling me off for a late return", "telling me off for a late return"},
		{"美女 乌龙茶有几种", "乌龙茶有几种"},
		{"龙井多少钱呀亲", "龙井多少钱"},
		{"龙井多少钱，亲", "龙井多少钱"},
		{"给母亲买什么茶", "给母亲买什么茶"}, // 亲 of 母亲 is no form of address
		{"yo how much is the longjing", "how much is the longjing"},
		{"yogurt pots?", "yogurt pots?"},
		{"hi jade leaf team, how much is the longjing?", "how much is the longjing?"},
		{"hey guys quick q - how much is the longjing", "how much is the longjing"},
		{"dear sir/madam, how much is the longjing?", "how much is the longjing?"},
		{"hi im new here, how much is the longjing", "how much is the longjing"},
		{"morning! do you open on sundays", "do you open on sundays"},
		{"hello, i have a question about the longjing, how much is it?", "the longjing, how much is it?"},
		{"有人吗 龙井多少钱", "龙井多少钱"},
		{"hi-fi speakers?", "hi-fi speakers?"},
		{"hello do you have a shop in beijing, or only online?", "do you have a shop in beijing, or only online?"},
		{"morning tea set?", "morning tea set?"},
		{"how much is the longjing, thanks in advance", "how much is the longjing"},
		{"how much is the longjing cheers mate", "how much is the longjing"},
		{"龙井多少钱 谢谢亲", "龙井多少钱"},
	} {
		if got := TrimPleasantries(tt.in); got != tt.want {
			t.Errorf("TrimPleasantries(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTrimPleasantries(f *testing.F) {
	for _, s := range []string{"hi! do you do weddings? thanks", "亲，亲子课多少钱", "lol", "", "\xff hi \xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := TrimPleasantries(s)
		if len(out) > len(s) {
			t.Errorf("TrimPleasantries(%q) = %q: longer", s, out)
		}
		if out := TrimSalutations(s); len(out) > len(s) || !strings.Contains(s, out) {
			t.Errorf("TrimSalutations(%q) = %q: not a part of it", s, out)
		}
		if out := withoutPleasantries(s); utf8.ValidString(s) && utf8.RuneCountInString(out) > utf8.RuneCountInString(s)+1 {
			t.Errorf("withoutPleasantries(%q) = %q: longer than a question mark more", s, out)
		}
	})
}

func TestTrimSalutations(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"human please, thanks!", "human please"},
		{"hi! do you do weddings? thanks", "do you do weddings"},
		{"别让机器人回了 叫个人来 谢谢亲", "别让机器人回了 叫个人来"},
		{"你好，请问能送到上海吗？谢谢", "请问能送到上海吗"}, // 请问 asks: kept
		{"can't handle too much chili lol, is medium still very hot", "can't handle too much chili lol, is medium still very hot"},
		{"can you tell me when you open", "can you tell me when you open"},
		{"thanks!", ""},
		{"do you print thank you cards", "do you print thank you cards"},
		{"sorry if this was asked before, which kong size for a 25kg labrador", "which kong size for a 25kg labrador"},
		{"sorry for the dumb question - do you deliver on sundays", "do you deliver on sundays"},
		{"不好意思可能有人问过了，运费怎么算", "运费怎么算"},
		{"不好意思，收到的罐子是破的", "不好意思，收到的罐子是破的"}, // no asking: kept
		{"sorry but this is the third time, where is my order", "sorry but this is the third time, where is my order"},
		{"sorry if this was asked before", "sorry if this was asked before"}, // nothing follows
	} {
		if got := TrimSalutations(tt.in); got != tt.want {
			t.Errorf("TrimSalutations(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithoutPleasantries(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"evening! price of the XM5? thank you so much", "price of the xm5?"},
		{"你好，请问能送到上海吗？谢谢", "请问能送到上海吗?"},
		{"Missing 2 screws, thank you!!", "missing 2 screws"},
		{"Thanks!", "Thanks!"}, // nothing but thanks: classified whole
	} {
		if got := withoutPleasantries(tt.in); got != tt.want {
			t.Errorf("withoutPleasantries(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

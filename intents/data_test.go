package intents

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Example
		wantErr  string // substring; "" means success
	}{
		{name: "ok", in: "text,label\nwhere is my order,order_status\n\"hi, there\",greeting\n",
			want: []Example{{"where is my order", "order_status"}, {"hi, there", "greeting"}}},
		{name: "columns swapped and extra", in: "label,id,text\noos,1,what is love\n",
			want: []Example{{"what is love", "oos"}}},
		{name: "bom and crlf", in: "\uFEFFtext,label\r\n你好,greeting\r\n", want: []Example{{"你好", "greeting"}}},
		{name: "multi-line field", in: "text,label\n\"\nline two\",a\n", want: []Example{{"\nline two", "a"}}},
		{name: "empty file", in: "", wantErr: "t.csv:1: empty file"},
		{name: "bad header", in: "question,answer\nx,y\n", wantErr: "t.csv:1: header"},
		{name: "no rows", in: "text,label\n", wantErr: "t.csv:2: no examples"},
		{name: "empty label", in: "text,label\nok,a\nhello,\n", wantErr: "t.csv:3: empty label"},
		{name: "empty text", in: "text,label\n  ,a\n", wantErr: "t.csv:2: empty text"},
		{name: "short row", in: "text,label\nok,a\nlonely\n", wantErr: "t.csv:3: 1 fields"},
		{name: "bad quote", in: "text,label\nok,a\nok,b\n\"broken,c\n", wantErr: "t.csv:4:"},
		{name: "bare quote", in: "text,label\nsay \"hi\" now,a\n", wantErr: "t.csv:2:"},
		{name: "invalid utf8", in: "text,label\n\xff\xfe,a\n", wantErr: "t.csv:2: invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tt.in), "t.csv")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadCSV error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ReadCSV (-want +got):\n%s", d)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	f, err := os.Open("testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := ParseFile(f, "shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(file.Intents); got != 6 {
		t.Fatalf("got %d intents, want 6", got)
	}
	ex := file.Examples()
	if ex[0] != (Example{"hello", "greeting"}) {
		t.Errorf("first example = %+v", ex[0])
	}
	wantReplies := map[string]map[string]string{
		"greeting": {"en": "Hello! How can I help?", "zh": "您好！请问有什么可以帮您？"},
	}
	if d := cmp.Diff(wantReplies, file.Replies()); d != "" {
		t.Errorf("Replies (-want +got):\n%s", d)
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct{ name, in, wantErr string }{
		{"empty", "", "f.yaml: empty intents file"},
		{"syntax", "intents:\n  - name: a\n    examples: [x\n", "f.yaml:2: did not find expected"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1: want a mapping"},
		{"unknown top key", "intent:\n  - name: a\n", "f.yaml:1: unknown key \"intent\""},
		{"intents not a list", "intents: 3\n", "f.yaml:1: intents must be a list"},
		{"no name", "intents:\n  - name: a\n    examples: [x]\n  - examples: [y]\n", "f.yaml:4: intent 2 has no name"},
		{"bad name", "intents:\n  - name: a b\n    examples: [x]\n", "f.yaml:2: intent name \"a b\""},
		{"duplicate", "intents:\n  - name: a\n    examples: [x]\n  - name: a\n    examples: [y]\n",
			"f.yaml:4: intent \"a\" is already defined on line 2"},
		{"nothing", "intents:\n  - name: a\n", "f.yaml:2: intent \"a\" has neither examples nor replies"},
		{"unknown field", "intents:\n  - name: a\n    exmples: [x]\n", "f.yaml:3: unknown intent field \"exmples\""},
		{"not a mapping item", "intents:\n  - just text\n", "f.yaml:2: intent 1 must be a mapping"},
		{"wrong type", "intents:\n  - name: a\n    examples: {x: y}\n", "f.yaml:3:"},
		{"empty example", "intents:\n  - name: a\n    examples: [x, \" \"]\n", "f.yaml:2: intent \"a\": example 2 is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFile(strings.NewReader(tt.in), "f.yaml")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ParseFile error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("text,label\nhello,greeting\n")
	f.Add("text,label\n\"a\"\"b\",x\n\"unterminated\n")
	f.Add("label,text\n,\n")
	f.Fuzz(func(t *testing.T, in string) {
		ex, err := ReadCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range ex {
			if e.Label == "" || strings.TrimSpace(e.Text) == "" {
				t.Fatalf("accepted an empty field: %+v", e)
			}
		}
	})
}

func FuzzParseFile(f *testing.F) {
	f.Add("intents:\n  - name: a\n    examples: [x, y]\n")
	f.Add("intents:\n  - name: a\n    replies: {en: hi}\n")
	f.Fuzz(func(t *testing.T, in string) {
		file, err := ParseFile(strings.NewReader(in), "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, in := range file.Intents {
			if in.Name == "" {
				t.Fatal("accepted an intent without a name")
			}
		}
		_ = file.Examples()
		_ = file.Replies()
	})
}

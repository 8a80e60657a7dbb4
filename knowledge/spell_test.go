package knowledge

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// TestSpellerCorrectsSlipsNotWords checks the speller on the demo's
// vocabulary, with words analysed as a query's are: one slip in a word of
// four to seven letters and two in a longer one are corrected; a real word
// of seven letters two slips from a term of the index ("weather", "water")
// is left alone.
func TestSpellerCorrectsSlipsNotWords(t *testing.T) {
	ix, _ := demoIndex(t)
	an := ix.analysers()
	for word, want := range map[string]string{
		"shiping":  "ship",
		"recieve":  "receiv",
		"delivary": "deliveri",
		"weather":  "",
		"tea":      "",
	} {
		terms := an.analyse(word, false).terms
		if len(terms) != 1 {
			t.Fatalf("%q analyses to %v", word, terms)
		}
		got := ix.spell.correct(ix, terms[0])
		if want == "" && len(got) > 0 || want != "" && !slices.Contains(got, want) {
			t.Errorf("correct(%q, analysed %q) = %v, want %q", word, terms[0], got, want)
		}
	}
}

// TestCorrectSpelling checks that a word the demo's index lacks, with one
// nearest term, is searched as that term, and that known words, codes and
// words with several nearest terms stay.
func TestCorrectSpelling(t *testing.T) {
	ix, _ := demoIndex(t)
	ctx := context.Background()
	for _, tt := range []struct {
		in, want string
		changed  bool
	}{
		{"how do i cancle my order", "how do i cancel my order", true},
		{"whats your adress", "whats your address", true},
		{"how long is the warranty", "how long is the warranty", false},
		{"shiping", "shiping", false}, // ship or shape
		{"what are your opning hours", "what are your open hours", true},
		{"order tl2024x", "order tl2024x", false},
	} {
		got, changed := ix.correctSpelling(ctx, tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("correctSpelling(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

// TestSplitCompound checks that a word the index lacks is searched as the
// two words the content writes side by side ("giftwrap" as "gift wrap",
// from "gift wrapping"; "hayfever" from "hay-fever"), and that a word whose
// pieces the content holds only apart ("bedframe": the bed, its frame) or
// not at all stays as typed.
func TestSplitCompound(t *testing.T) {
	docs := []Document{
		{ID: "wrap", Kind: "faq", Audience: "public", Lang: "en", Title: "Do you do gift wrapping?", Question: "Do you do gift wrapping?",
			Answer: "Yes, free.", Body: "Yes, free."},
		{ID: "hay", Kind: "faq", Audience: "internal", Lang: "en", Title: "Which flowers are safe for hay-fever?", Question: "Which flowers are safe for hay-fever?",
			Answer: "Orchids and tulips.", Body: "Orchids and tulips."},
		{ID: "bed", Kind: "faq", Audience: "public", Lang: "en", Title: "What is the king bed made of?", Question: "What is the king bed made of?",
			Answer: "Its frame is solid oak.", Body: "Its frame is solid oak."},
	}
	ix, err := Build(context.Background(), filepath.Join(t.TempDir(), "kb"), docs, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	for _, tt := range []struct {
		in, want string
		changed  bool
	}{
		{"can u giftwrap it", "can u gift wrap it", true},
		{"flowers for hayfever", "flowers for hay fever", true}, // an internal page's wording reads a query, never answers it
		{"is the kingbed oak", "is the king bed oak", true},
		{"is the bedframe oak", "is the bedframe oak", false},
		{"do you sell gumboots", "do you sell gumboots", false},
	} {
		got, changed := ix.correctSpelling(ctx, tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("correctSpelling(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

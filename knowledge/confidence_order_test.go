package knowledge

import (
	"slices"
	"testing"
)

func TestByConfidence(t *testing.T) {
	cands := func(ids ...string) []candidate {
		out := make([]candidate, len(ids))
		for i, id := range ids {
			out[i] = candidate{doc: &storedDoc{ID: id}}
		}
		return out
	}
	ids := func(cs []candidate) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.doc.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		ids      []string
		conf     []float64
		entities bool
		want     []string
		wantConf []float64
	}{
		{"clearly more confident goes first", []string{"a", "b", "c", "d"}, []float64{0.4, 0.3, 0.8, 0.9},
			false, []string{"c", "a", "b", "d"}, []float64{0.8, 0.4, 0.3, 0.9}},
		{"the most confident of the three", []string{"a", "b", "c"}, []float64{0.4, 0.7, 0.6},
			false, []string{"b", "a", "c"}, []float64{0.7, 0.4, 0.6}},
		{"a near tie keeps the ranking's order", []string{"faq-1", "page#s"}, []float64{0.9, 0.95},
			false, []string{"faq-1", "page#s"}, []float64{0.9, 0.95}},
		{"sections of one page keep the ranking's order", []string{"page#a", "page#b", "page"},
			[]float64{0.3, 0.9, 0.9}, false, []string{"page#a", "page#b", "page"}, []float64{0.3, 0.9, 0.9}},
		{"another page's section may go first", []string{"page#a", "page#b", "other#c"},
			[]float64{0.3, 0.9, 0.8}, false, []string{"other#c", "page#a", "page#b"}, []float64{0.8, 0.3, 0.9}},
		{"a payment method or place keeps the ranking's order", []string{"a", "b"}, []float64{0.4, 0.9},
			true, []string{"a", "b"}, []float64{0.4, 0.9}},
		{"one candidate", []string{"a"}, []float64{0.1}, false, []string{"a"}, []float64{0.1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, conf := cands(tc.ids...), slices.Clone(tc.conf)
			byConfidence(&prepared{entities: tc.entities}, cs, conf)
			if got := ids(cs); !slices.Equal(got, tc.want) {
				t.Errorf("order %v, want %v", got, tc.want)
			}
			if !slices.Equal(conf, tc.wantConf) {
				t.Errorf("confidences %v, want %v", conf, tc.wantConf)
			}
		})
	}
}

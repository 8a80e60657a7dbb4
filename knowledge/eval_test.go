package knowledge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/concierge-bot/concierge/configs/demo"
)

// TestRunEvalHeldOutFirst evaluates queries the ranking weights were never
// fitted on: every one is held out, none is reported as fitted on, and the
// held-out figures lead the JSON.
func TestRunEvalHeldOutFirst(t *testing.T) {
	qs, err := LoadQueries(strings.NewReader("query,expected_id\nhow long will shipping take,faq-shipping-01\n" +
		"can I pay using alipay,faq-payment-02\ni forgot my password,faq-account-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := RunEval(context.Background(), demo.Content(), qs, EvalOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fitted != nil || r.FittedBaseline != nil || r.FittedOn != "" {
		t.Errorf("queries the weights never saw reported as fitted on: %+v, %q", r.Fitted, r.FittedOn)
	}
	if r.HeldOut.Queries != 3 || r.HeldOut.PAt1 != r.PAt1 || r.HeldOut.MRRAt10 != r.MRRAt10 {
		t.Errorf("held out %+v, want all 3 queries (%+v)", r.HeldOut, r.Metrics)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(raw), `{"held_out":{"queries":3,`) {
		t.Errorf("JSON does not start with the held-out figures: %.80s", raw)
	}
	for _, key := range []string{`"queries":3,"p_at_1"`, `"mrr_at_10"`, `"recall_at_5"`, `"index_seconds"`, `"p50_us"`, `"p99_us"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("JSON lacks the contract's %s: %s", key, raw)
		}
	}
}

// TestRunEvalFAQDevSplit evaluates faq_dev/en as `concierge knowledge eval`
// does: the development half is reported as fitted on, the rest held out.
func TestRunEvalFAQDevSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("faq_dev evaluation skipped in -short mode")
	}
	dir := datasetDir(t, filepath.Join("faq_dev", "en"))
	_, qs := loadFAQDev(t, "en")
	dev, held := Split(qs)
	r, err := RunEval(context.Background(), os.DirFS(filepath.Join(dir, "content")), qs, EvalOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r.HeldOut.Queries != len(held) || r.Fitted == nil || r.Fitted.Queries != len(dev) {
		t.Fatalf("held out %d, fitted %+v; want %d and %d", r.HeldOut.Queries, r.Fitted, len(held), len(dev))
	}
	if r.FittedOn != "the development half of faq_dev/en" {
		t.Errorf("fitted on %q", r.FittedOn)
	}
	t.Logf("held out P@1 %.3f (plain BM25 %.3f); fitted on %.3f; all %.3f",
		r.HeldOut.PAt1, r.HeldOutBaseline.PAt1, r.Fitted.PAt1, r.PAt1)
}

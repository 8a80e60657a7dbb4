package dashboard

import "testing"

func TestLabelsComplete(t *testing.T) {
	for key, x := range labels {
		if x.EN == "" || x.ZH == "" {
			t.Errorf("label %q lacks a text: %+v", key, x)
		}
	}
}

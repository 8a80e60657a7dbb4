package storage

import (
	"testing"
	"time"
)

func TestTimeScan(t *testing.T) {
	want := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	for _, src := range []any{want.In(time.FixedZone("CST", 8*3600)), "2026-01-02T03:04:05.000006Z",
		[]byte("2026-01-02T03:04:05.000006Z"), "2026-01-02T11:04:05.000006+08:00"} {
		got := time.Now()
		if err := Time(&got).Scan(src); err != nil || !got.Equal(want) {
			t.Errorf("Scan(%#v) = %v, %v; want %v", src, got, err, want)
		}
		if _, ok := src.(time.Time); ok && got.Location() != time.UTC {
			t.Errorf("Scan(%#v) = %v, want it in UTC", src, got)
		}
	}
	got := time.Now()
	if err := Time(&got).Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v; want the zero time", got, err)
	}
	if err := Time(&got).Scan(int64(1)); err == nil {
		t.Error("Scan(int64) did not fail")
	}
	if s := FormatTime(want); s != "2026-01-02T03:04:05.000006Z" || !ParseTime(s).Equal(want) {
		t.Errorf("FormatTime = %q, ParseTime of it = %v", s, ParseTime(s))
	}
}

func TestQualify(t *testing.T) {
	if got, want := Qualify("m", "id, text, time"), "m.id, m.text, m.time"; got != want {
		t.Errorf("Qualify = %q, want %q", got, want)
	}
}

package jsonx

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// stdJSON is what encoding/json writes for v without HTML escaping, the
// promise of the appenders.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var stringCases = []string{"", "plain", `"quoted" \back\slash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
	"<html> & 'amp'", "ü日本語🎉", "\u2028\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80 surrogate", "a\x00b"}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		if got, want := AppendString(nil, s), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		if got, want := AppendString(nil, []byte(s)), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Errorf("[]byte %q: got %s, want %s", s, got, want)
		}
	}
}

var floatCases = []float64{0, 1, -1, 0.1, 1e-7, 1e-6, 1e20, 1e21, 123456789.125, -0.000001234, math.MaxFloat64,
	math.SmallestNonzeroFloat64, 3.4028234663852886e38, 1.401298464324817e-45, -2.5e-9}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range floatCases {
		if got, want := AppendFloat(nil, f, 64), stdJSON(t, f); !bytes.Equal(got, want) {
			t.Errorf("float64 %v: got %s, want %s", f, got, want)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		if got, want := AppendFloat(nil, float64(f32), 32), stdJSON(t, f32); !bytes.Equal(got, want) {
			t.Errorf("float32 %v: got %s, want %s", f32, got, want)
		}
	}
}

func TestAppendIntAndNullable(t *testing.T) {
	for _, n := range []int64{0, -1, 42, math.MaxInt64, math.MinInt64} {
		if got, want := AppendInt(nil, n), stdJSON(t, n); !bytes.Equal(got, want) {
			t.Errorf("%d: got %s, want %s", n, got, want)
		}
	}
	if got := AppendNullableString(nil, ""); string(got) != "null" {
		t.Errorf("empty nullable = %s", got)
	}
}

// FuzzAppenders: the appenders write exactly what encoding/json writes, for
// any string (valid UTF-8 or not) and any finite float.
func FuzzAppenders(f *testing.F) {
	for i, s := range stringCases {
		f.Add(s, floatCases[i%len(floatCases)])
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		if got, want := AppendString(nil, s), stdJSON(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		if got, want := AppendFloat(nil, x, 64), stdJSON(t, x); !bytes.Equal(got, want) {
			t.Fatalf("float64 %v: got %s, want %s", x, got, want)
		}
		if x32 := float32(x); !math.IsInf(float64(x32), 0) {
			if got, want := AppendFloat(nil, float64(x32), 32), stdJSON(t, x32); !bytes.Equal(got, want) {
				t.Fatalf("float32 %v: got %s, want %s", x32, got, want)
			}
		}
	})
}

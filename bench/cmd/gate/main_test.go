package main

import (
	"io"
	"os"
	"testing"
)

// synth is a run of four benchmarks with n samples each: sec/op scaled by
// slow[name] (1 when absent) and allocs/op raised by more[name].
func synth(n int, slow map[string]float64, more map[string]float64) runData {
	d := runData{secs: map[key][]float64{}, allocs: map[key][]float64{}}
	for i, name := range []string{"BenchmarkA", "BenchmarkB", "BenchmarkC", "BenchmarkD"} {
		k := key{"pkg", name}
		f := slow[name]
		if f == 0 {
			f = 1
		}
		for j := range n {
			d.secs[k] = append(d.secs[k], f*(float64(i+1)*1e-6)*(1+0.01*float64(j%3)))
			d.allocs[k] = append(d.allocs[k], float64(10*i)+more[name])
		}
	}
	return d
}

func TestCompare(t *testing.T) {
	base := synth(8, nil, nil)
	tests := []struct {
		name string
		cur  runData
		want int
	}{
		{"same", synth(8, nil, nil), 0},
		{"one more allocation", synth(8, nil, map[string]float64{"BenchmarkB": 1}), 1},
		{"fewer allocations", synth(8, nil, map[string]float64{"BenchmarkB": -1}), 0},
		{"one benchmark three times slower", synth(8, map[string]float64{"BenchmarkC": 3}, nil), 2},
		{"one benchmark 30% slower", synth(8, map[string]float64{"BenchmarkC": 1.3}, nil), 0},
		{"a machine twice as slow", synth(8, map[string]float64{"BenchmarkA": 2, "BenchmarkB": 2, "BenchmarkC": 2, "BenchmarkD": 2}, nil), 0},
		{"a benchmark missing", func() runData {
			d := synth(8, nil, nil)
			delete(d.secs, key{"pkg", "BenchmarkD"})
			return d
		}(), 1},
	}
	stdout := os.Stdout
	defer func() { os.Stdout = stdout }()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, _ := os.Pipe()
			os.Stdout = w
			done := make(chan []byte)
			go func() { b, _ := io.ReadAll(r); done <- b }()
			got := compare(base, tt.cur, 0.5, 0.05)
			w.Close()
			out := <-done
			os.Stdout = stdout
			if got != tt.want {
				t.Fatalf("status %d, want %d; output:\n%s", got, tt.want, out)
			}
		})
	}
}

// Command gate compares a new run of the micro-benchmarks with the committed
// baseline (bench/baseline.txt) and fails on a regression:
//
//   - allocations strictly: any benchmark whose median allocs/op grew fails;
//   - time only when significantly and widely worse: the new run's sec/op
//     are first divided by the machine factor, the median over the
//     package's benchmarks of new/baseline time (so a slower or busier
//     machine does not count, only a benchmark slower than the others),
//     then a benchmark is suspect when its median grew by more than
//     -margin, and by more than the run's own spread allows (an outlier
//     above Q3 + 3 IQR of all the ratios), with p < -alpha (Mann-Whitney U
//     test, as benchstat computes it). bench/gate.sh runs the benchmarks
//     again and fails only on those suspect twice.
//
// It prints one line per benchmark and the suspects as "suspect: <pkg> <name>".
// Exit status: 0 pass, 1 allocations grew (or a benchmark vanished), 2 time suspects only.
//
// Usage: gate [-margin 0.5] [-alpha 0.05] baseline.txt new.txt
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

func main() {
	margin := flag.Float64("margin", 0.5, "time growth over which a benchmark is suspect (0.5: +50%)")
	alpha := flag.Float64("alpha", 0.05, "significance level of the time comparison")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: gate [flags] baseline.txt new.txt")
		os.Exit(2)
	}
	base, err := load(flag.Arg(0))
	if err == nil {
		var cur runData
		if cur, err = load(flag.Arg(1)); err == nil {
			os.Exit(compare(base, cur, *margin, *alpha))
		}
	}
	fmt.Fprintln(os.Stderr, "gate:", err)
	os.Exit(1)
}

// key names a benchmark: its package and name without the -GOMAXPROCS suffix.
type key struct{ pkg, name string }

// runData holds the samples of one run: sec/op and allocs/op per benchmark.
type runData struct {
	secs, allocs map[key][]float64
}

var procs = regexp.MustCompile(`-\d+$`)

func load(file string) (runData, error) {
	f, err := os.Open(file)
	if err != nil {
		return runData{}, err
	}
	defer f.Close()
	d := runData{secs: map[key][]float64{}, allocs: map[key][]float64{}}
	r := benchfmt.NewReader(f, file)
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		k := key{res.GetConfig("pkg"), procs.ReplaceAllString("Benchmark"+string(res.Name), "")}
		for _, v := range res.Values {
			switch v.Unit {
			case "sec/op":
				d.secs[k] = append(d.secs[k], v.Value)
			case "allocs/op":
				d.allocs[k] = append(d.allocs[k], v.Value)
			}
		}
	}
	return d, r.Err()
}

func scale(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	sort.Float64s(v)
	if n := len(v); n%2 == 1 {
		return v[n/2]
	} else if n > 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return 0
}

func compare(base, cur runData, margin, alpha float64) int {
	var keys []key
	for k := range base.secs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].pkg != keys[j].pkg {
			return keys[i].pkg < keys[j].pkg
		}
		return keys[i].name < keys[j].name
	})
	// The machine's speed during the run, per package (each package's
	// benchmarks run at their own time): the median over its benchmarks of
	// new/baseline sec/op. Times are compared after dividing it out.
	ratios := map[string][]float64{}
	for _, k := range keys {
		if c := cur.secs[k]; len(c) > 0 && len(base.secs[k]) > 0 {
			ratios[k.pkg] = append(ratios[k.pkg], median(c)/median(base.secs[k]))
		}
	}
	factor := map[string]float64{}
	var spread []float64 // log of each benchmark's ratio over its package's factor
	for pkg, r := range ratios {
		factor[pkg] = median(r)
		for _, x := range r {
			spread = append(spread, math.Log(x/factor[pkg]))
		}
	}
	// The margin calibrated to the run's noise: a benchmark must be slower
	// by more than -margin and be an outlier among all the benchmarks'
	// ratios (above Q3 + 3 IQR), so that a noisy machine, where every
	// ratio spreads, needs a larger slowdown.
	limit := math.Log(1 + margin)
	if len(spread) >= 4 {
		sort.Float64s(spread)
		q1, q3 := spread[(len(spread)-1)/4], spread[3*(len(spread)-1)/4]
		limit = max(limit, q3+3*(q3-q1))
	}
	status := 0
	fmt.Printf("time limit: %.2fx the baseline (margin %.0f%%, calibrated to this run's spread); machine factors:", math.Exp(limit), margin*100)
	for pkg, f := range factor {
		fmt.Printf(" %s %.2f", pkg, f)
	}
	fmt.Println()
	fmt.Printf("%-60s %16s %10s %8s\n", "benchmark", "allocs/op", "time×", "p")
	for _, k := range keys {
		if _, ok := cur.secs[k]; !ok {
			fmt.Printf("%-60s missing from the new run\n", k.name)
			status = 1
			continue
		}
		line := fmt.Sprintf("%-60s", k.name)
		ab, an := median(base.allocs[k]), median(cur.allocs[k])
		line += fmt.Sprintf(" %7.0f → %-6.0f", ab, an)
		allocFail := an > ab
		nb, nc := base.secs[k], scale(cur.secs[k], 1/factor[k.pkg])
		suspect := false
		if len(nb) > 0 && len(nc) > 0 {
			ratio := median(nc) / median(nb)
			cmp := benchmath.AssumeNothing.Compare(benchmath.NewSample(nb, &benchmath.DefaultThresholds), benchmath.NewSample(nc, &benchmath.DefaultThresholds))
			line += fmt.Sprintf(" %9.2fx %8.3f", ratio, cmp.P)
			suspect = math.Log(ratio) > limit && cmp.P < alpha
		}
		switch {
		case allocFail:
			line += "  FAIL: more allocations"
			status = 1
		case suspect:
			line += "  suspect: slower"
			if status == 0 {
				status = 2
			}
		}
		fmt.Println(line)
		if suspect {
			fmt.Printf("suspect: %s %s\n", k.pkg, k.name)
		}
	}
	return status
}

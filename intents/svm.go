package intents

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// csr is a sparse matrix in compressed rows: row i is idx/val[ptr[i]:ptr[i+1]].
type csr struct {
	ptr []int
	idx []int32
	val []float32
	sq  []float64 // squared norm of each row
}

func (m *csr) rows() int { return len(m.ptr) - 1 }

func newCSR(vecs []sparse) *csr {
	m := &csr{ptr: make([]int, 1, len(vecs)+1), sq: make([]float64, len(vecs))}
	for i, v := range vecs {
		m.idx = append(m.idx, v.idx...)
		m.val = append(m.val, v.val...)
		m.ptr = append(m.ptr, len(m.idx))
		for _, x := range v.val {
			m.sq[i] += float64(x) * float64(x)
		}
	}
	return m
}

// svmParams are the solver settings of one binary problem.
type svmParams struct {
	C        float64 // regularisation: larger fits the training data harder
	PosC     float64 // C of the positive examples (class weighting); 0 = C
	Eps      float64 // stopping tolerance on the projected gradient
	MaxIter  int     // most passes over the data
	Bias     float64 // value of the constant bias feature
	Seed     uint64
	nFeature int
}

// trainBinary fits an L2-regularised, squared-hinge-loss linear SVM by dual
// coordinate descent with shrinking (Hsieh et al., ICML 2008; the liblinear
// solver). rows selects the examples of x to use; y[i] is +1 or -1 for each
// selected row. alpha (len(rows)) holds the dual variables: their values on
// entry are the starting point (zeros: a cold start; a related problem's
// solution: a warm start), and on return the solution. It returns the weights
// and the bias weight.
func trainBinary(x *csr, rows []int, y []int8, p svmParams, alpha []float64) ([]float64, float64) {
	l := len(rows)
	w := make([]float64, p.nFeature)
	var wb float64
	for s, a := range alpha {
		if a == 0 {
			continue
		}
		r := rows[s]
		d := a * float64(y[s])
		for k := x.ptr[r]; k < x.ptr[r+1]; k++ {
			w[x.idx[k]] += d * float64(x.val[k])
		}
		wb += d * p.Bias
	}
	diag := make([]float64, l)
	qd := make([]float64, l)
	index := make([]int, l)
	posC := p.PosC
	if posC == 0 {
		posC = p.C
	}
	for s := range l {
		c := p.C
		if y[s] > 0 {
			c = posC
		}
		diag[s] = 0.5 / c
		qd[s] = x.sq[rows[s]] + p.Bias*p.Bias + diag[s]
		index[s] = s
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x5eed))
	active := l
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	for iter := 0; iter < p.MaxIter; iter++ {
		pgMaxNew, pgMinNew := math.Inf(-1), math.Inf(1)
		for i := 0; i < active; i++ {
			j := i + rng.IntN(active-i)
			index[i], index[j] = index[j], index[i]
		}
		for s := 0; s < active; s++ {
			i := index[s]
			r := rows[i]
			yi := float64(y[i])
			idx, val := x.idx[x.ptr[r]:x.ptr[r+1]], x.val[x.ptr[r]:x.ptr[r+1]]
			val = val[:len(idx)]
			g := wb * p.Bias
			for k, j := range idx {
				g += w[j] * float64(val[k])
			}
			g = g*yi - 1 + alpha[i]*diag[i]
			pg := 0.0
			if alpha[i] == 0 {
				if g > pgMaxOld {
					active--
					index[s], index[active] = index[active], index[s]
					s--
					continue
				} else if g < 0 {
					pg = g
				}
			} else {
				pg = g
			}
			pgMaxNew = max(pgMaxNew, pg)
			pgMinNew = min(pgMinNew, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = max(alpha[i]-g/qd[i], 0)
				d := (alpha[i] - old) * yi
				for k, j := range idx {
					w[j] += d * float64(val[k])
				}
				wb += d * p.Bias
			}
		}
		if pgMaxNew-pgMinNew <= p.Eps {
			if active == l {
				break
			}
			active = l
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMaxNew, pgMinNew
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	return w, wb * p.Bias
}

// linear is a one-vs-rest linear model: score_k(x) = b_k + sum_j x_j W[j*K+k].
// A quantised model holds Q and S instead of W: W[j*K+k] ~ S[j] * Q[j*K+k],
// a quarter of the memory, which makes scoring faster (it is bound by
// memory traffic, one row of weights per feature of the text).
type linear struct {
	K     int
	W     []float32 // feature-major: W[j*K+k]; nil when quantised
	Q     []int8    // quantised weights, feature-major
	S     []float32 // scale of each feature's row of Q
	B     []float32
	NFeat int
}

// quantize replaces W by 8-bit weights with one scale per feature, which
// bounds each weight's error by half a step of its row (max |w| / 254).
func (m *linear) quantize() {
	k := m.K
	m.Q = make([]int8, len(m.W))
	m.S = make([]float32, m.NFeat)
	for j := range m.NFeat {
		row := m.W[j*k : j*k+k]
		var mx float32
		for _, w := range row {
			mx = max(mx, w, -w)
		}
		if mx == 0 {
			continue
		}
		s := mx / 127
		m.S[j] = s
		q := m.Q[j*k : j*k+k]
		for c, w := range row {
			q[c] = int8(math.Round(float64(w / s)))
		}
	}
	m.W = nil
}

// trainOVR trains one binary SVM per class on the selected rows, in parallel
// on up to GOMAXPROCS goroutines. labels[r] is the class of row r. When
// alphas is not nil, alphas[c][r] is the dual variable of row r in class c's
// problem: read as the warm start and overwritten with the solution.
func trainOVR(ctx context.Context, x *csr, rows []int, labels []int, k int, p svmParams, classWeight []float64, alphas [][]float64) (*linear, error) {
	m := &linear{K: k, W: make([]float32, p.nFeature*k), B: make([]float32, k), NFeat: p.nFeature}
	workers := max(1, min(runtime.GOMAXPROCS(0), k))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]int8, len(rows))
			alpha := make([]float64, len(rows))
			for c := range next {
				for i, r := range rows {
					alpha[i] = 0
					if alphas != nil {
						alpha[i] = alphas[c][r]
					}
				}
				for i, r := range rows {
					if labels[r] == c {
						y[i] = 1
					} else {
						y[i] = -1
					}
				}
				pc := p
				pc.Seed = p.Seed + uint64(c)
				if classWeight != nil {
					pc.PosC = p.C * classWeight[c]
				}
				w, b := trainBinary(x, rows, y, pc, alpha)
				if alphas != nil {
					for i, r := range rows {
						alphas[c][r] = alpha[i]
					}
				}
				for j, v := range w { // each worker writes its own column
					m.W[j*k+c] = float32(v)
				}
				m.B[c] = float32(b)
			}
		}()
	}
	var err error
	for c := 0; c < k; c++ {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- c
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return m, nil
}

// scores writes the class scores of v into out (len K), accumulating in acc
// (len K, float32 to halve the memory traffic).
func (m *linear) scores(v sparse, out []float64) {
	var stack [128]float32
	acc := stack[:0]
	if m.K > len(stack) {
		acc = make([]float32, m.K)
	} else {
		acc = stack[:m.K]
	}
	copy(acc, m.B)
	k := m.K
	if m.Q != nil {
		for n, j := range v.idx {
			x := v.val[n] * m.S[j]
			row := m.Q[int(j)*k : int(j)*k+k]
			row = row[:len(acc)]
			for c, w := range row {
				acc[c] += x * float32(w)
			}
		}
		for c, a := range acc {
			out[c] = float64(a)
		}
		return
	}
	for n, j := range v.idx {
		x := v.val[n]
		row := m.W[int(j)*k : int(j)*k+k]
		row = row[:len(acc)]
		for c, w := range row {
			acc[c] += x * w
		}
	}
	for c, a := range acc {
		out[c] = float64(a)
	}
}

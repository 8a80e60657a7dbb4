//go:build race

package knowledge

// raceDetector is true when the tests run with -race: the learner's check
// of weights.go then leaves its arithmetic to the run without it (.ci/run
// has a step of its own for it).
const raceDetector = true

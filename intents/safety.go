package intents

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// A safety incident is told in the words of whatever happened ("my son came
// off the big trampoline and his arm looks bent", "天花板灯那里一直往下滴水"),
// which no lexicon of danger terms can list: danger.txt names the common
// ones, and a text model learnt from incidents and ordinary messages of
// many trades reads the rest. Its examples (seed/safety_*.csv, label
// "safety"; seed/ordinary_*.csv and every row of the complaint seeds, label
// "other") were written for the project by hand or by helpers that read
// nothing of it, for trades none of the evaluation companies has. The
// complaints are among the "other" rows so that a chipped cup or a
// tasteless tea stays a complaint: an incident is harm to someone, and the
// reply to one points at the emergency services (bot's texts).

// LabelSafety labels a safety incident in the safety model's examples.
const LabelSafety = "safety"

// SafetyWord is the escalation word (ComplaintScore.EscalationWords) of an
// incident the safety model read and no danger term named.
const SafetyWord = "safety"

// HarmWord is the escalation word of harm told after the shop's product or
// service, which no danger term named ("drank your pu-erh and threw up").
const HarmWord = "harm"

// safetyThreshold is the safety model's probability from which a message
// is an incident.
const safetyThreshold = 0.8

// seedSafety returns the safety model's examples: the incidents, the
// ordinary questions, and every complaint seed, relabelled "other".
func seedSafety() ([]Example, error) {
	var out []Example
	for _, name := range []string{"safety_en.csv", "safety_zh.csv", "ordinary_en.csv", "ordinary_zh.csv"} {
		ex, err := ReadCSV(strings.NewReader(mustSeed(name)), name)
		if err != nil {
			return nil, fmt.Errorf("intents: embedded seed data: %w", err)
		}
		out = append(out, ex...)
	}
	complaints, err := SeedComplaints()
	if err != nil {
		return nil, err
	}
	for _, e := range complaints {
		e.Label = LabelOther
		out = append(out, e)
	}
	return out, nil
}

// trainSafety learns the safety model from the seed examples and the
// agents' verdicts that a message was ordinary (each CorrectionWeight
// times): a verdict of "complaint" says nothing of safety. Without such
// verdicts it returns the one model of the seed examples alone, learnt once
// per process (builtinSafety).
func trainSafety(ctx context.Context, corrections []Example) (*Model, error) {
	var ordinary []Example
	for _, e := range corrections {
		if e.Label == LabelOther {
			ordinary = append(ordinary, e)
		}
	}
	if len(ordinary) == 0 {
		return builtinSafety()
	}
	examples, err := seedSafety()
	if err != nil {
		return nil, err
	}
	for range CorrectionWeight {
		examples = append(examples, ordinary...)
	}
	return learnSafety(ctx, examples)
}

// builtinSafety is the safety model of the seed examples alone. It is a
// pure function of the embedded seed files, so it is learnt once, on first
// use, like a compiled regular expression: a detector is built at every
// start and after every agent's verdict, and learning takes about 0.1 s
// (seconds under the race detector).
var builtinSafety = sync.OnceValues(func() (*Model, error) {
	examples, err := seedSafety()
	if err != nil {
		return nil, err
	}
	return learnSafety(context.Background(), examples)
})

func learnSafety(ctx context.Context, examples []Example) (*Model, error) {
	m, _, err := train(ctx, examples, TrainOptions{Folds: 3, MaxInScopeDrop: -1})
	if err != nil {
		return nil, fmt.Errorf("intents: train safety model: %w", err)
	}
	return m, nil
}

// safetyOf returns the safety model's probability that text tells of an
// incident; 0 without a model.
func safetyOf(m *Model, text string) float64 {
	if m == nil {
		return 0
	}
	for _, t := range m.Predict(text).Top {
		if t.Intent == LabelSafety {
			return t.Confidence
		}
	}
	return 0
}

// toldAsIncident reports whether a message reads as an incident told
// rather than a question about one: not asked under a condition ("what if
// someone slips on the wet floor"), and either no question at all or one
// that carries the sender's alarm ("his head is bleeding, what do I do").
// A symptom asked about is a question the content may answer ("新配的眼镜
// 戴着头晕 是不是度数不对", "will the groomer sedate him?").
func toldAsIncident(raw string, t lexText) bool {
	if namesCondition(t.spaced) {
		return false
	}
	return !isQuestion(raw, t) || containsAny(" "+t.norm+" ", alarmAskedEN) || containsAny(t.norm, alarmAskedZH)
}

// alarmAskedEN and alarmAskedZH are the questions that carry the sender's
// alarm: what to do now, whether someone is all right, a call for help.
// Narrower than alarmEN and alarmZH, whose symptoms and places ("vet",
// "emergency", 医院) are what ordinary questions ask about too ("where's
// the emergency exit").
var (
	alarmAskedEN = []string{"what do i do", "what should i do", "what do we do", "what should we do", "what can i do",
		"is he ok", "is she ok", "is he okay", "is she okay", "will he be ok", "will she be ok", " help ", "asap",
		"right now"}
	alarmAskedZH = []string{"怎么办", "咋办", "咋整", "要不要紧", "要紧吗", "有没有事", "没事吧", "救命", "快来", "急", "赶紧"}
)

package intents

import (
	"context"
	"fmt"
	"regexp"
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
// seed/faults_*.csv, also "other", tell a repair trade of a fault in the
// customer's own thing with nobody hurt ("the zip on my backpack split
// open halfway", "表冠拧不动了"), so that a leak or a jammed part is not read
// as harm; a helper that read nothing of the project wrote them for trades
// that no evaluation company has (watches, shoes, scooters, aquariums, …).
// They stay out of the complaint model, where their fault words taught
// that "stopped charging after two days" is no complaint.

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
	for _, name := range []string{"safety_en.csv", "safety_zh.csv", "ordinary_en.csv", "ordinary_zh.csv", "faults_en.csv", "faults_zh.csv"} {
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

// waterOnElectrics reports whether normalised text tells of water reaching
// something electric: a leak onto the sockets, water in a light fitting,
// "漏到插座上了". However ordinary the leak (faults_*.csv teach the safety
// model that a leak is no harm), water on a live circuit is a danger to
// whoever is in the room.
func waterOnElectrics(norm string) bool {
	return electricCue.MatchString(norm) && waterCue.MatchString(norm) // the rarer first
}

var (
	waterCue = regexp.MustCompile(`\b(?:water|leak|leaks|leaking|leaked|dripping|drips|pouring|pours|flooding|flooded|soaked|wet)\b|` +
		`漏水|滴水|渗水|进水|漏到|滴到|流到|泡水|水漫|淹`)
	electricCue = regexp.MustCompile(`\b(?:sockets?|outlets?|plugs?|plug socket|extension (?:lead|cord|cable)s?|power (?:strip|board|point)s?|` +
		`wires?|wiring|fuse ?box|light (?:fitting|fixture|switch)s?|ceiling lights?|switchboard|breaker box)\b|` +
		`插座|插头|排插|插线板|接线板|电线|电源|电箱|电闸|配电箱|灯座|吸顶灯|开关面板`)
)

// aheadOfHarm reports whether normalised text plans what has not happened
// ("刷墙想把暖气片先拆下来 完了再装上", "want to move the radiator"): no
// incident for the safety model to read, whatever its words resemble.
// Danger terms (danger.txt) still escalate such a message. A fear is no
// such sign: "好害怕" and "我现在很担心" are said of what is happening.
func aheadOfHarm(norm string) bool {
	return containsAny(norm, planCues) && plans.MatchString(norm)
}

// planCues holds a part of every match of plans.
var planCues = []string{"want", "wanna", "plan", "thinking of", "would like", "going to have", "intend", "想", "打算", "准备", "计划"}

// plans tell of something the sender means to do.
var plans = regexp.MustCompile(`\b(?:want to|wanna|planning to|plan to|thinking of|would like to|going to have|intend to)\b|想把|想要|打算|准备|计划|想先`)

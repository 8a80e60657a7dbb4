package intents

import (
	"context"
	"slices"
	"testing"
)

// TestIncidentsNoTermNames checks that the safety model hands over
// incidents told in words that no danger term lists, and keeps questions
// about a symptom, a condition or a place with such words.
func TestIncidentsNoTermNames(t *testing.T) {
	d := mustDetector(t)
	lexiconOnly := *d
	lexiconOnly.safety = nil
	for _, text := range []string{
		"the swing chain just snapped with my daughter on it and she landed on her face",
		"my dad went grey and sat down on the floor of your changing room, he says his arm feels heavy",
		"装修师傅走了以后墙里的插座一直在噼啪响还有焦味",
		"爷爷在你们店门口台阶上绊了一下 脚踝鼓起来老高", // 肿得 is a danger term
		"儿子在你们的滑梯上磕到下巴 嘴里全是血 怎么办",
	} {
		if w := lexiconOnly.Score(text).EscalationWords; len(w) > 0 {
			t.Errorf("Score(%q): danger terms %v name it already; the case tests nothing of the model", text, w)
		}
		if w := d.Score(text).EscalationWords; !slices.Contains(w, SafetyWord) {
			t.Errorf("Score(%q).EscalationWords = %v, want %q", text, w, SafetyWord)
		}
	}
	for _, text := range []string{
		"my new glasses make me a bit dizzy, is the prescription wrong?",
		"做完美甲手指有点红 正常吗",
		"what if a kid falls off the climbing frame, who is responsible",
		"where's the emergency exit on the second floor",
		"万一孩子在蹦床上摔了 你们有保险吗",
		"how long does the swelling last after a tooth extraction",
	} {
		if w := d.Score(text).EscalationWords; slices.Contains(w, SafetyWord) {
			t.Errorf("Score(%q).EscalationWords = %v: a question, not an incident", text, w)
		}
	}
}

// wantEscalations checks that each text of cases has escalation words
// exactly when its value is true.
func wantEscalations(t *testing.T, d *ComplaintDetector, cases map[string]bool) {
	t.Helper()
	for text, want := range cases {
		if got := len(d.Score(text).EscalationWords) > 0; got != want {
			t.Errorf("Score(%q).EscalationWords = %v, want some: %v", text, d.Score(text).EscalationWords, want)
		}
	}
}

// TestServicesNamedForEmergencies checks that a service or measure named
// after an emergency or blood is asked about, not an incident, and that
// an incident told beside one still is.
func TestServicesNamedForEmergencies(t *testing.T) {
	wantEscalations(t, mustDetector(t), map[string]bool{
		"how much do you charge for an emergency call-out at night":            false,
		"do you offer emergency repairs on bank holidays":                      false,
		"is there an emergency plumber on call this weekend":                   false,
		"can the pharmacist check my blood pressure":                           false,
		"家里停电了 你们有紧急上门服务吗":                                                     false,
		"my dad collapsed and isnt responding, do you have emergency services": true,
		"跑步机旁边有个大叔突然倒下了 叫不醒":                                                   true,
	})
}

// TestHospitalAsADestination checks that a hospital named as where a gift
// or a delivery goes is no incident, and that someone taken to hospital
// still is one.
func TestHospitalAsADestination(t *testing.T) {
	wantEscalations(t, mustDetector(t), map[string]bool{
		"is it ok to send a cake to someone in hospital":                  false,
		"can you deliver to the hospital on renmin road, ward 5":          false,
		"do you do flowers to the hospital for a new mum":                 false,
		"my son ate your cookies and is now in hospital":                  true,
		"we had to take my husband to the hospital after dinner at yours": true,
		"我外公在省医院住院 想订个果篮送过去 能送到病房吗":                                       false,
		"同事住院了 周末去看望 带什么花好":                                               false,
		"我妈吃了你们的月饼住院了":                                                    true,
		"孩子住院了 你们送的蛋糕有问题":                                                 true,
	})
}

// TestSwallowedWhatIsNotFood checks that a child or a pet who ate
// something that is not food (tablets, pellets, a detergent pod) is an
// incident without any word of alarm, and that eating food, or asking
// whether they may, is not.
func TestSwallowedWhatIsNotFood(t *testing.T) {
	wantEscalations(t, mustDetector(t), map[string]bool{
		"my 3 year old got into my iron tablets and ate two of them":          true,
		"our puppy chewed through a bag of slug pellets in the garden":        true,
		"the toddler bit into one of the dishwasher pods":                     true,
		"my kids ate the whole cake in ten minutes":                           false,
		"can my dog eat the vitamins you sell for cats":                       false,
		"my daughter takes your gummy vitamins every morning, are they vegan": false,
		"my son ate his gummy vitamins and loved them, any other flavours":    false,
		"my daughter got into the gummy vitamins and ate the whole bottle":    true,
	})
}

// TestSafetyLearnsOrdinaryVerdicts checks that an agent's verdict that a
// message the safety model handed over was ordinary is learnt: the same
// message no longer reads as an incident, and incidents still do.
func TestSafetyLearnsOrdinaryVerdicts(t *testing.T) {
	const ordinary = "my dog hates having his nails clipped and snaps at people, will the groomer muzzle him"
	if w := mustDetector(t).Score(ordinary).EscalationWords; !slices.Contains(w, SafetyWord) {
		t.Skipf("the seed model no longer reads %q as an incident (%v): pick another message", ordinary, w)
	}
	d, err := NewComplaintDetector(context.Background(), ComplaintOptions{
		Corrections: []Example{{Text: ordinary, Label: LabelOther}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w := d.Score(ordinary).EscalationWords; slices.Contains(w, SafetyWord) {
		t.Errorf("after the verdict, Score(%q).EscalationWords = %v", ordinary, w)
	}
	const incident = "the swing chain just snapped with my daughter on it and she landed on her face"
	if w := d.Score(incident).EscalationWords; !slices.Contains(w, SafetyWord) {
		t.Errorf("after the verdict, Score(%q).EscalationWords = %v, want %q", incident, w, SafetyWord)
	}
}

// TestDangerTellsHarmFromThreats checks that Danger marks the escalation
// words of harm as it happens, whichever reader found it, and not those of
// a legal threat, a regulator or the media.
func TestDangerTellsHarmFromThreats(t *testing.T) {
	d := mustDetector(t)
	for text, want := range map[string]bool{
		"there's smoke coming out of the socket in the hallway":                          true, // a danger term
		"孩子吃了你们的饼干 嘴唇肿了":                                                                 true, // a reaction
		"my toddler swallowed one of the magnets, what do I do":                          true, // a swallowing
		"the swing chain just snapped with my daughter on it and she landed on her face": true, // the safety model
		"I'm reporting you to the consumer council":                                      false,
		"我要去12315投诉你们":                                                                   false,
		"my lawyer will be in touch":                                                     false,
	} {
		s := d.Score(text)
		if len(s.EscalationWords) == 0 {
			t.Errorf("Score(%q): no escalation words", text)
			continue
		}
		if s.Danger != want {
			t.Errorf("Score(%q).Danger = %v (words %v), want %v", text, s.Danger, s.EscalationWords, want)
		}
	}
}

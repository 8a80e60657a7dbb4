package knowledge

// modelFor returns the re-ranking model for Chinese or English queries. The
// numbers were learned on the development half of the faq_dev sets (see
// TestLearnWeights in learn_test.go, run with -learn); the held-out half is
// only ever used to report.
// Weights set by hand: the development sets have no intents, product codes
// or document languages to learn them from.
const (
	priorIntent = 1.0
	priorCode   = 4.0
	priorLang   = 0.5
)

func modelFor(zh bool) model {
	if zh {
		return model{rank: weights{0.000, 0.402, -0.076, 0.838, -0.981, 0.838, 4.108, 5.209, -0.375, 0.000, priorIntent, priorCode, priorLang,
			-0.075, 0.619, 3.799, 0.022, -1.156, 3.487, -0.554, 0.984, 1.442, 1.442, 4.526}}
	}
	return model{rank: weights{0.000, 0.326, -1.435, -0.807, 0.363, 6.788, 0.930, 2.690, -1.503, 3.880, priorIntent, priorCode, priorLang,
		0.397, 1.668, 0.000, 0.000, 0.732, 1.763, 0.707, 1.387, 1.585, -4.548, 0.000}}
}

package bot

// Keys of the built-in texts, besides the small-talk intents.
const (
	textNotSure           = "_not_sure"
	textLead              = "_lead"
	textEscalateComplaint = "_escalate_complaint"
	textEscalateHuman     = "_escalate_human"
	textEscalateUrgent    = "_escalate_urgent"
)

// builtinTexts are the bot's own sentences in English and Simplified Chinese.
// A company's Replies override them by key.
var builtinTexts = map[string]map[string]string{
	IntentGreeting: {
		"en": "Hello! How can I help you today?",
		"zh": "您好！请问有什么可以帮您？",
	},
	IntentThanks: {
		"en": "You're welcome! Is there anything else I can help with?",
		"zh": "不客气！还有什么可以帮您的吗？",
	},
	IntentGoodbye: {
		"en": "Goodbye, and thank you for getting in touch!",
		"zh": "再见，感谢您的咨询！",
	},
	textNotSure: {
		"en": "I'm not sure I can answer that correctly. Could you rephrase it, or would you like me to connect you with a member of our team?",
		"zh": "抱歉，我不确定能准确回答这个问题。您可以换个说法再问一次，或者需要我为您转接人工客服吗？",
	},
	textLead: {
		"en": "I've also let our sales team know, so someone can help you choose and order.",
		"zh": "我已通知我们的销售同事，他们会协助您挑选和下单。",
	},
	textEscalateComplaint: {
		"en": "I'm very sorry about this. I've passed your message to a member of our team, who will get back to you here as soon as possible.",
		"zh": "非常抱歉给您带来不好的体验。我已将您的问题转交给我们的同事，他们会尽快在这里回复您。",
	},
	textEscalateHuman: {
		"en": "Of course. I've asked a member of our team to join this conversation; they will reply here shortly.",
		"zh": "好的，我已请同事接入本次对话，他们会尽快在这里回复您。",
	},
	textEscalateUrgent: {
		"en": "Thank you for telling us. I've passed this to a manager straight away; they will contact you as soon as possible.",
		"zh": "感谢您告知我们。我已立即将此事转交给主管，他们会尽快与您联系。",
	},
}

func escalationText(reason string) string {
	switch reason {
	case ReasonRequestedHuman:
		return textEscalateHuman
	case ReasonEscalationWords:
		return textEscalateUrgent
	}
	return textEscalateComplaint
}

// text returns the text for key in lang, preferring the company's replies,
// then the built-in text, then English.
func (e *Engine) text(key, lang string) string {
	if s := e.opts.Replies[key][lang]; s != "" {
		return s
	}
	if s := builtinTexts[key][lang]; s != "" {
		return s
	}
	if s := e.opts.Replies[key]["en"]; s != "" {
		return s
	}
	return builtinTexts[key]["en"]
}

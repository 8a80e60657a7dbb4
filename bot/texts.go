package bot

import "strings"

// Keys of the built-in texts, besides the small-talk intents.
const (
	textNotSure           = "_not_sure"
	textNotSureSuggest    = "_not_sure_suggest"
	textDidYouMean        = "_did_you_mean"
	textDidYouMeanOne     = "_did_you_mean_one"
	textOrDidYouMean      = "_or_did_you_mean"
	textLead              = "_lead"
	textLeadAlone         = "_lead_alone"
	textNotAmongPayments  = "_not_among_payments"
	textNotAmongPlaces    = "_not_among_places"
	textEnumeratePayments = "_enumerate_payments"
	textEnumeratePlaces   = "_enumerate_places"
	textEscalateRepeated  = "_escalate_repeated"
	textEscalateComplaint = "_escalate_complaint"
	textSorryAnswer       = "_sorry_answer"
	textClosestInternal   = "_closest_internal"
	textSorryOffer        = "_sorry_offer"
	textEscalateHuman     = "_escalate_human"
	textEscalateUrgent    = "_escalate_urgent"
	textEscalateDanger    = "_escalate_danger"
	textHolding           = "_holding"
	textRatingQuestion    = "_rating_question"
	textRatingThanks      = "_rating_thanks"
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
	IntentAboutBot: {
		"en": "I'm the virtual assistant here. I answer questions about our products, orders, delivery and returns from our own information, and I can connect you with a member of our team whenever you like.",
		"zh": "我是这里的智能助手，可以根据我们自己的资料回答商品、订单、配送和退换货等问题；需要的话，也随时可以为您转接人工客服。",
	},
	IntentGoodbye: {
		"en": "Goodbye, and thank you for getting in touch!",
		"zh": "再见，感谢您的咨询！",
	},
	textNotSure: {
		"en": "I'm not sure I can answer that correctly. Could you rephrase it, or would you like me to connect you with a member of our team?",
		"zh": "抱歉，我不确定能准确回答这个问题。您可以换个说法再问一次，或者需要我为您转接人工客服吗？",
	},
	textNotSureSuggest: {
		"en": "I'm not sure I can answer that correctly. One of these may help; if not, could you rephrase it, or would you like me to connect you with a member of our team?",
		"zh": "抱歉，我不确定能准确回答这个问题。下面的内容也许有帮助；如果没有，您可以换个说法再问一次，或者需要我为您转接人工客服吗？",
	},
	textDidYouMean: {
		"en": "I'm not sure which of these you mean. Please pick one, or ask me in other words; I can also connect you with a member of our team.",
		"zh": "我不确定您指的是下面哪一项，请选择一项，或者换个说法再问；也可以为您转接人工客服。",
	},
	textDidYouMeanOne: {
		"en": "Is this what you're asking about? If it is, pick it; otherwise ask me in other words, or I can connect you with a member of our team.",
		"zh": "您是想问下面这个吗？是的话请点选；不是的话可以换个说法再问，也可以为您转接人工客服。",
	},
	textOrDidYouMean: {
		"en": "If you meant something else, one of these may be it:",
		"zh": "如果您想问的是别的，可以看看下面这些：",
	},
	textLead: {
		"en": "I've also let our sales team know, so someone can help you choose and order.",
		"zh": "我也已通知我们的销售同事，他们会协助您挑选和下单。",
	},
	textNotAmongPayments: {
		"en": "We don't take {asked}, I'm afraid. We accept {options}.",
		"zh": "抱歉，我们暂不支持{asked}。目前支持：{options}。",
	},
	textNotAmongPlaces: {
		"en": "I couldn't find {asked} in our information; it covers {options}.",
		"zh": "我们的说明里没有提到{asked}，目前涵盖的是{options}。",
	},
	// The general questions whose answers list the options of a kind, asked
	// of the knowledge base when no passage covers what the customer named.
	textEnumeratePayments: {
		"en": "What payment methods do you accept?",
		"zh": "支持哪些付款方式？",
	},
	textEnumeratePlaces: {
		"en": "Which countries and regions do you deliver to?",
		"zh": "可以寄到哪些国家和地区？",
	},
	textLeadAlone: {
		"en": "Thank you for your interest! I've let our sales team know; someone will get in touch here to help you choose and order.",
		"zh": "感谢您的关注！我已通知我们的销售同事，他们会在这里与您联系，协助您挑选和下单。",
	},
	textEscalateRepeated: {
		"en": "I'm sorry I couldn't answer that. I've asked a member of our team to help; they will reply here shortly.",
		"zh": "抱歉，这个问题我没能回答好。我已请同事来帮您，他们会尽快在这里回复。",
	},
	textEscalateComplaint: {
		"en": "I'm very sorry about this. I've passed your message to a member of our team, who will get back to you here as soon as possible.",
		"zh": "非常抱歉给您带来不好的体验。我已将您的问题转交给我们的同事，他们会尽快在这里回复您。",
	},
	textClosestInternal: {
		"en": "I'm not sure this is it, but it is the closest I found in the staff pages:",
		"zh": "不确定是不是这一条，这是内部资料里最接近的：",
	},
	textSorryAnswer: {
		"en": "I'm sorry about that. Here is what we can do:",
		"zh": "很抱歉遇到这种情况。我们的处理方式是：",
	},
	textSorryOffer: {
		"en": "If this doesn't sort it out, say so and I'll pass you to a member of our team.",
		"zh": "如果这样还解决不了，请告诉我，我会为您转接人工客服。",
	},
	textEscalateHuman: {
		"en": "Of course. I've asked a member of our team to join this conversation; they will reply here shortly.",
		"zh": "好的，我已请同事接入本次对话，他们会尽快在这里回复您。",
	},
	textEscalateDanger: {
		"en": "If anyone is hurt or in danger, please call {emergency} now. I've passed this to a manager straight away; they will contact you as soon as possible.",
		"zh": "如有人受伤或有危险，请立即拨打{emergency}。我已立即将此事转交给主管，他们会尽快与您联系。",
	},
	textEscalateUrgent: {
		"en": "Thank you for telling us. I've passed this to a manager straight away; they will contact you as soon as possible.",
		"zh": "感谢您告知我们。我已立即将此事转交给主管，他们会尽快与您联系。",
	},
	textHolding: {
		"en": "Thank you, I've added this to your request. A member of our team will reply here; the expected wait is {wait}.",
		"zh": "收到，已为您补充到本次咨询中。我们的同事会在这里回复您，预计等待时间{wait}。",
	},
	textRatingQuestion: {
		"en": "Your conversation has been resolved. How satisfied were you with our help? Please reply with a score from 1 (poor) to 5 (excellent).",
		"zh": "您的问题已处理完毕。您对本次服务满意吗？请回复 1（很不满意）到 5（非常满意）之间的数字。",
	},
	textRatingThanks: {
		"en": "Thank you for your rating! If there's anything else, just write here.",
		"zh": "感谢您的评分！如有其他问题，请随时在这里留言。",
	},
}

// RatingQuestion returns the built-in question asking a customer to rate a
// resolved conversation from 1 to 5, in lang ("en" or "zh"; anything else
// reads as English). A reply to it is read by ParseRating.
func RatingQuestion(lang string) string {
	return builtinTexts[textRatingQuestion][replyLanguage(lang)]
}

// escalationText returns the key of the reply to a message escalated for
// reason; danger tells that its escalation words are of harm as it happens
// (Classification.Danger).
func escalationText(reason string, danger bool) string {
	switch reason {
	case ReasonRequestedHuman:
		return textEscalateHuman
	case ReasonEscalationWords:
		if danger {
			return textEscalateDanger
		}
		return textEscalateUrgent
	case ReasonVIP:
		return textEscalateUrgent
	case ReasonRepeatedFailure:
		return textEscalateRepeated
	}
	return textEscalateComplaint
}

// builtinEmergency is what the danger reply tells a customer to call when
// EngineOptions.Emergency has nothing in the reply's language.
var builtinEmergency = map[string]string{
	"en": "your local emergency number",
	"zh": "120（急救）、110（报警）或119（火警）",
}

// escalationReply returns the reply to a message escalated for reason in
// lang; danger as in escalationText. The danger reply names what to call:
// EngineOptions.Emergency in lang, else the built-in one.
func (e *Engine) escalationReply(reason string, danger bool, lang string) string {
	key := escalationText(reason, danger)
	text := e.text(key, lang)
	if key != textEscalateDanger {
		return text
	}
	call := e.opts.Emergency[lang]
	if call == "" {
		call = builtinEmergency[replyLanguage(lang)]
	}
	return strings.ReplaceAll(text, "{emergency}", call)
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

package dashboard

import "github.com/concierge-bot/concierge/bot"

// The dashboard's languages.
const (
	langEN = "en"
	langZH = "zh"
)

// pickLang returns the page language: ?lang= when valid, else the
// Accept-Language header's preference between English and Chinese (highest
// q, then first listed), else English.
func pickLang(query, acceptLanguage string) string {
	if query == langEN || query == langZH {
		return query
	}
	return bot.PreferredLanguage(acceptLanguage)
}

func langTag(lang string) string {
	if lang == langZH {
		return "zh-CN"
	}
	return "en"
}

// labels are the dashboard's texts by language. Customer text is never
// looked up here.
var labels = map[string]map[string]string{
	langEN: {
		"title": "Dashboard", "brand": "Concierge", "queue": "Waiting for an agent", "language": "中文",
		"logout": "Sign out", "signed_in_as": "Signed in as %s",
		"range": "%s to %s (UTC)", "days": "Range", "days_n": "Last %d days", "channel": "Channel",
		"all": "All channels", "apply": "Show", "csv": "Download CSV",
		"conversations": "Conversations", "customers": "Customers", "new_customers": "New customers",
		"messages": "Messages", "bot_resolution": "Bot resolution", "escalation": "Escalation rate",
		"conversion": "Conversion", "csat": "CSAT", "first_response": "First response p50",
		"time_to_human": "Time to human p50", "complaints": "Complaints", "per_channel": "Channels compared",
		"intents": "Top intents", "intent": "Intent", "count": "Count", "gaps": "Questions the bot could not answer",
		"gap": "Question", "write": "Write the answer", "no_gaps": "No knowledge gaps in this range.",
		"no_intents": "No classified messages in this range.", "reasons": "Escalations by reason",
		"reason": "Reason", "no_reasons": "No escalations in this range.",
		"chart_conversations": "Conversations per day", "chart_complaints": "Complaints per day",
		"chart_resolution": "Bot resolution rate per day", "chart_csat": "Average CSAT per day (1–5)",
		"no_data": "No data in this range.", "empty": "No conversations in this range yet.",
		"unacknowledged":    "%d escalation(s) of this range are still unacknowledged.",
		"complaints_by_day": "Complaints by day", "day": "Day", "peak": "Busiest day for complaints: %s (%d).",
		"failed":      "The dashboard could not be computed. Please try again; the error is in the server log.",
		"bad_query":   "The address has a malformed query string.",
		"bad_repeat":  "The parameter %q is given more than once.",
		"bad_days":    "Unknown range %q: choose days=7, days=30 or days=90.",
		"bad_channel": "Unknown channel %q: a channel name is lower-case letters, digits, '_', '.' or '-'.",
		"bad_lang":    "Unknown language %q: choose lang=en or lang=zh.",
		"bad_format":  "Unknown format %q: choose format=html or format=csv.",
		"gap_subject": "Knowledge gap: %s", "gap_body": "Customers asked %d time(s): %s\n\nPlease write an answer for the knowledge base.",
		"mail_sub":            "write an answer to this question",
		"today_so_far":        "today so far",
		"today_left_out":      "Today is left out: %d of today's conversations have closed so far, fewer than the %d a rate needs.",
		"today_left_out_csat": "Today is left out: %d rating(s) so far, fewer than the %d an average needs.",
	},
	langZH: {
		"title": "数据看板", "brand": "Concierge", "queue": "等待人工接待", "language": "English",
		"logout": "退出", "signed_in_as": "当前用户：%s",
		"range": "%s 至 %s（UTC）", "days": "时间范围", "days_n": "最近 %d 天", "channel": "渠道",
		"all": "全部渠道", "apply": "查看", "csv": "下载 CSV",
		"conversations": "会话数", "customers": "客户数", "new_customers": "新客户",
		"messages": "消息数", "bot_resolution": "机器人解决率", "escalation": "转人工率",
		"conversion": "转化率", "csat": "满意度", "first_response": "首次响应中位数",
		"time_to_human": "转人工等待中位数", "complaints": "投诉", "per_channel": "渠道对比",
		"intents": "热门意图", "intent": "意图", "count": "次数", "gaps": "机器人未能回答的问题",
		"gap": "问题", "write": "撰写答案", "no_gaps": "此期间没有知识缺口。",
		"no_intents": "此期间没有已分类的消息。", "reasons": "转人工原因",
		"reason": "原因", "no_reasons": "此期间没有转人工。",
		"chart_conversations": "每日会话数", "chart_complaints": "每日投诉数",
		"chart_resolution": "每日机器人解决率", "chart_csat": "每日平均满意度（1–5）",
		"no_data": "此期间没有数据。", "empty": "此期间还没有会话。",
		"unacknowledged":    "此期间有 %d 个转人工请求尚未确认。",
		"complaints_by_day": "每日投诉", "day": "日期", "peak": "投诉最多的一天：%s（%d）。",
		"failed":      "无法生成看板，请重试；错误已记录在服务器日志中。",
		"bad_query":   "地址中的查询字符串格式不正确。",
		"bad_repeat":  "参数 %q 出现了多次。",
		"bad_days":    "未知的时间范围 %q：请选择 days=7、days=30 或 days=90。",
		"bad_channel": "未知的渠道 %q：渠道名只能包含小写字母、数字、“_”、“.”或“-”。",
		"bad_lang":    "未知的语言 %q：请选择 lang=en 或 lang=zh。",
		"bad_format":  "未知的格式 %q：请选择 format=html 或 format=csv。",
		"gap_subject": "知识缺口：%s", "gap_body": "客户问了 %d 次：%s\n\n请为知识库撰写答案。",
		"mail_sub":            "为这个问题撰写答案",
		"today_so_far":        "今天（截至目前）",
		"today_left_out":      "未计入今天：今天目前只有 %d 个会话已结束，少于计算比率所需的 %d 个。",
		"today_left_out_csat": "未计入今天：今天目前只有 %d 个评分，少于计算平均值所需的 %d 个。",
	},
}

// t returns the text of key in lang, falling back to English.
func t(lang, key string) string {
	if s, ok := labels[lang][key]; ok {
		return s
	}
	return labels[langEN][key]
}

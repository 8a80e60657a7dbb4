package dashboard

import "github.com/concierge-bot/concierge/console/internal/i18n"

// The dashboard's languages.
const (
	langEN = i18n.EN
	langZH = i18n.ZH
)

// pickLang returns the page language: ?lang= when valid, else the
// Accept-Language header's preference between English and Chinese (highest
// q, then first listed), else English.
func pickLang(query, acceptLanguage string) string { return i18n.Pick(acceptLanguage, query) }

// labels are the dashboard's texts, English and Chinese.
var labels = i18n.Table{
	"title":               {EN: "Dashboard", ZH: "数据看板"},
	"brand":               {EN: "Concierge", ZH: "Concierge"},
	"queue":               {EN: "Waiting for an agent", ZH: "等待人工接待"},
	"language":            {EN: "中文", ZH: "English"},
	"logout":              {EN: "Sign out", ZH: "退出"},
	"signed_in_as":        {EN: "Signed in as %s", ZH: "当前用户：%s"},
	"range":               {EN: "%s to %s (UTC)", ZH: "%s 至 %s（UTC）"},
	"days":                {EN: "Range", ZH: "时间范围"},
	"days_n":              {EN: "Last %d days", ZH: "最近 %d 天"},
	"channel":             {EN: "Channel", ZH: "渠道"},
	"all":                 {EN: "All channels", ZH: "全部渠道"},
	"apply":               {EN: "Show", ZH: "查看"},
	"csv":                 {EN: "Download CSV", ZH: "下载 CSV"},
	"conversations":       {EN: "Conversations", ZH: "会话数"},
	"customers":           {EN: "Customers", ZH: "客户数"},
	"new_customers":       {EN: "New customers", ZH: "新客户"},
	"messages":            {EN: "Messages", ZH: "消息数"},
	"bot_resolution":      {EN: "Bot resolution", ZH: "机器人解决率"},
	"escalation":          {EN: "Escalation rate", ZH: "转人工率"},
	"conversion":          {EN: "Conversion", ZH: "转化率"},
	"csat":                {EN: "CSAT", ZH: "满意度"},
	"first_response":      {EN: "First response p50", ZH: "首次响应中位数"},
	"time_to_human":       {EN: "Time to human p50", ZH: "转人工等待中位数"},
	"complaints":          {EN: "Complaints", ZH: "投诉"},
	"per_channel":         {EN: "Channels compared", ZH: "渠道对比"},
	"intents":             {EN: "Top intents", ZH: "热门意图"},
	"intent":              {EN: "Intent", ZH: "意图"},
	"count":               {EN: "Count", ZH: "次数"},
	"gaps":                {EN: "Questions the bot could not answer", ZH: "机器人未能回答的问题"},
	"gap":                 {EN: "Question", ZH: "问题"},
	"write":               {EN: "Write the answer", ZH: "撰写答案"},
	"no_gaps":             {EN: "No knowledge gaps in this range.", ZH: "此期间没有知识缺口。"},
	"no_intents":          {EN: "No classified messages in this range.", ZH: "此期间没有已分类的消息。"},
	"reasons":             {EN: "Escalations by reason", ZH: "转人工原因"},
	"reason":              {EN: "Reason", ZH: "原因"},
	"no_reasons":          {EN: "No escalations in this range.", ZH: "此期间没有转人工。"},
	"chart_conversations": {EN: "Conversations per day", ZH: "每日会话数"},
	"chart_complaints":    {EN: "Complaints per day", ZH: "每日投诉数"},
	"chart_resolution":    {EN: "Bot resolution rate per day", ZH: "每日机器人解决率"},
	"chart_csat":          {EN: "Average CSAT per day (1–5)", ZH: "每日平均满意度（1–5）"},
	"no_data":             {EN: "No data in this range.", ZH: "此期间没有数据。"},
	"empty":               {EN: "No conversations in this range yet.", ZH: "此期间还没有会话。"},
	"unacknowledged":      {EN: "%d escalation(s) of this range are still unacknowledged.", ZH: "此期间有 %d 个转人工请求尚未确认。"},
	"complaints_by_day":   {EN: "Complaints by day", ZH: "每日投诉"},
	"day":                 {EN: "Day", ZH: "日期"},
	"peak":                {EN: "Busiest day for complaints: %s (%d).", ZH: "投诉最多的一天：%s（%d）。"},
	"failed":              {EN: "The dashboard could not be computed. Please try again; the error is in the server log.", ZH: "无法生成看板，请重试；错误已记录在服务器日志中。"},
	"bad_query":           {EN: "The address has a malformed query string.", ZH: "地址中的查询字符串格式不正确。"},
	"bad_repeat":          {EN: "The parameter %q is given more than once.", ZH: "参数 %q 出现了多次。"},
	"bad_days":            {EN: "Unknown range %q: choose days=7, days=30 or days=90.", ZH: "未知的时间范围 %q：请选择 days=7、days=30 或 days=90。"},
	"bad_channel":         {EN: "Unknown channel %q: a channel name is lower-case letters, digits, '_', '.' or '-'.", ZH: "未知的渠道 %q：渠道名只能包含小写字母、数字、“_”、“.”或“-”。"},
	"bad_lang":            {EN: "Unknown language %q: choose lang=en or lang=zh.", ZH: "未知的语言 %q：请选择 lang=en 或 lang=zh。"},
	"bad_format":          {EN: "Unknown format %q: choose format=html or format=csv.", ZH: "未知的格式 %q：请选择 format=html 或 format=csv。"},
	"gap_subject":         {EN: "Knowledge gap: %s", ZH: "知识缺口：%s"},
	"gap_body":            {EN: "Customers asked %d time(s): %s\n\nPlease write an answer for the knowledge base.", ZH: "客户问了 %d 次：%s\n\n请为知识库撰写答案。"},
	"mail_sub":            {EN: "write an answer to this question", ZH: "为这个问题撰写答案"},
	"today_so_far":        {EN: "today so far", ZH: "今天（截至目前）"},
	"today_left_out":      {EN: "Today is left out: %d of today's conversations have closed so far, fewer than the %d a rate needs.", ZH: "未计入今天：今天目前只有 %d 个会话已结束，少于计算比率所需的 %d 个。"},
	"today_left_out_csat": {EN: "Today is left out: %d rating(s) so far, fewer than the %d an average needs.", ZH: "未计入今天：今天目前只有 %d 个评分，少于计算平均值所需的 %d 个。"},
}

// t returns the text of key in lang (the key itself when there is none).
func t(lang, key string) string { return labels.Get(lang, key) }

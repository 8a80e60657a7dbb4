package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// The console's languages.
const (
	langEN = "en"
	langZH = "zh"
)

// langCookie remembers the language an agent chose with the toggle.
const langCookie = "concierge_console_lang"

// pickLang returns the language of the console for r: the toggle (?lang=),
// then the remembered choice, then Accept-Language, then English.
func pickLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == langEN || l == langZH {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langEN || c.Value == langZH) {
		return c.Value
	}
	return bot.PreferredLanguage(r.Header.Get("Accept-Language"))
}

// labels are the console's UI texts by language. Customer text is never
// looked up here.
var labels = map[string]map[string]string{
	langEN: {
		"title": "Concierge console", "login": "Sign in", "logout": "Sign out", "name": "Name", "password": "Password",
		"bad_login":    "The name or password is not right.",
		"rate_limited": "Too many sign-in attempts. Please wait %d second(s) and try again.",
		"queue":        "Waiting for an agent", "in_progress": "In progress", "empty_queue": "Nobody is waiting.",
		"customer": "Customer", "channel": "Channel", "waiting": "Waiting", "reason": "Reason", "severity": "Severity",
		"summary": "Summary", "assignee": "Agent", "status": "Status", "open": "Open",
		"take_over": "Take over", "reply": "Send reply", "resolve": "Resolve", "add_note": "Add note",
		"add_tag": "Add tag", "remove": "Remove", "notes": "Notes", "tags": "Tags", "no_notes": "No notes yet.",
		"escalations": "Escalations", "archive": "All messages of this customer", "back": "Back to “Waiting for an agent”",
		"taken_by": "Already taken by %s.", "taken_by_you": "You are handling this conversation.",
		"reassign": "Reassign to me", "managers_only": "Only a manager can reassign a conversation another agent holds.",
		"resolved": "This conversation is resolved.", "dashboard": "Dashboard", "language": "中文",
		"reply_placeholder": "Write to the customer…", "note_placeholder": "A private note for colleagues…",
		"tag_placeholder": "tag", "signed_in_as": "Signed in as %s", "this_conversation": "this conversation",
		"email": "Email", "phone": "Phone", "segment": "Segment", "no_messages": "No messages.",
		"redacted": "(erased)", "agent": "Agent", "bot": "Bot", "system": "System",
		"event_escalated": "Handed to a human", "event_taken_over": "Taken over by %s", "event_resolved": "Resolved by %s",
		"event_returned_to_bot": "Returned to the bot by %s", "event_tagged": "Tagged by %s",
		"event_untagged": "Tag removed by %s", "event_created": "First contact", "event_merged": "Records merged",
		"customers": "Customers", "error": "Something went wrong on our side. Please try again in a moment.",
		"not_found": "There is no such page.", "forbidden": "This request was refused (missing or stale form token). Reload the page and try again.",
		"too_large": "That is too long to save (the limit is 64 KB). Shorten it and try again.", "bad_form": "The form could not be read. Reload the page and try again.",
		"sev_high": "high", "sev_normal": "normal", "sev_low": "low",
		"st_bot": "with the bot", "st_waiting_human": "waiting", "st_human": "with an agent", "st_resolved": "resolved",
		"now": "just now", "minutes": "%d min", "hours": "%d h %d min", "days": "%d d %d h",
		"reason_complaint": "complaint", "reason_requested_human": "asked for a person",
		"reason_escalation_words": "urgent words", "reason_repeated_failure": "bot could not help",
		"reason_negative_trend": "growing frustration", "reason_lead": "sales lead",
		"esc_open": "open", "esc_acknowledged": "acknowledged", "esc_resolved": "resolved",
		"sign_out_failed": "You are still signed in: the sign-out could not be saved. Please try again in a moment.",
	},
	langZH: {
		"title": "Concierge 客服台", "login": "登录", "logout": "退出", "name": "用户名", "password": "密码",
		"bad_login":    "用户名或密码不正确。",
		"rate_limited": "登录尝试过多，请等待 %d 秒后再试。",
		"queue":        "等待人工接待", "in_progress": "处理中", "empty_queue": "暂无等待的会话。",
		"customer": "客户", "channel": "渠道", "waiting": "已等待", "reason": "原因", "severity": "级别",
		"summary": "摘要", "assignee": "客服", "status": "状态", "open": "打开",
		"take_over": "接管", "reply": "发送回复", "resolve": "结束会话", "add_note": "添加备注",
		"add_tag": "添加标签", "remove": "移除", "notes": "备注", "tags": "标签", "no_notes": "暂无备注。",
		"escalations": "转人工记录", "archive": "该客户的全部消息", "back": "返回“等待人工接待”",
		"taken_by": "已被 %s 接管。", "taken_by_you": "此会话由您处理。",
		"reassign": "改由我处理", "managers_only": "只有主管可以改派其他客服正在处理的会话。",
		"resolved": "此会话已结束。", "dashboard": "数据看板", "language": "English",
		"reply_placeholder": "回复客户…", "note_placeholder": "仅同事可见的备注…",
		"tag_placeholder": "标签", "signed_in_as": "当前用户：%s", "this_conversation": "本会话",
		"email": "邮箱", "phone": "电话", "segment": "分组", "no_messages": "暂无消息。",
		"redacted": "（已删除）", "agent": "客服", "bot": "机器人", "system": "系统",
		"event_escalated": "已转人工", "event_taken_over": "%s 已接管", "event_resolved": "%s 已结束会话",
		"event_returned_to_bot": "%s 已交还机器人", "event_tagged": "%s 添加了标签",
		"event_untagged": "%s 移除了标签", "event_created": "首次联系", "event_merged": "客户记录已合并",
		"customers": "客户", "error": "系统出现问题，请稍后再试。",
		"not_found": "页面不存在。", "forbidden": "请求被拒绝（表单令牌缺失或已过期）。请刷新页面后重试。",
		"too_large": "内容太长，无法保存（上限 64 KB）。请缩短后重试。", "bad_form": "无法读取表单。请刷新页面后重试。",
		"sev_high": "高", "sev_normal": "中", "sev_low": "低",
		"st_bot": "机器人接待", "st_waiting_human": "等待中", "st_human": "人工接待", "st_resolved": "已结束",
		"now": "刚刚", "minutes": "%d 分钟", "hours": "%d 小时 %d 分钟", "days": "%d 天 %d 小时",
		"reason_complaint": "投诉", "reason_requested_human": "要求人工",
		"reason_escalation_words": "紧急用语", "reason_repeated_failure": "机器人无法解答",
		"reason_negative_trend": "情绪持续负面", "reason_lead": "销售线索",
		"esc_open": "未处理", "esc_acknowledged": "已确认", "esc_resolved": "已解决",
		"sign_out_failed": "您仍处于登录状态：退出未能保存。请稍后再试。",
	},
}

// tr returns the label key in lang, formatted with args; the key itself
// when it has no label (never empty, so a missing label shows).
func tr(lang, key string, args ...any) string {
	s, ok := labels[lang][key]
	if !ok {
		if s, ok = labels[langEN][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// label returns the label prefix+value in lang, or value itself when there
// is none (a reason or status added later still shows).
func label(lang, prefix, value string) string {
	if _, ok := labels[langEN][prefix+value]; ok {
		return tr(lang, prefix+value)
	}
	return value
}

// waitText renders a waiting time in lang: "just now", "12 min", "2 h 5 min".
func waitText(lang string, d time.Duration) string {
	switch {
	case d < time.Minute:
		return tr(lang, "now")
	case d < time.Hour:
		return tr(lang, "minutes", int(d/time.Minute))
	case d < 24*time.Hour:
		return tr(lang, "hours", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return tr(lang, "days", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/concierge-bot/concierge/console/internal/i18n"
)

// The console's languages.
const (
	langEN = i18n.EN
	langZH = i18n.ZH
)

// langCookie remembers the language an agent chose with the toggle.
const langCookie = "concierge_console_lang"

// pickLang returns the language of the console for r: the toggle (?lang=),
// then the remembered choice, then Accept-Language, then English.
func pickLang(r *http.Request) string {
	remembered := ""
	if c, err := r.Cookie(langCookie); err == nil {
		remembered = c.Value
	}
	return i18n.Pick(r.Header.Get("Accept-Language"), r.URL.Query().Get("lang"), remembered)
}

// labels are the console's UI texts, English and Chinese.
var labels = i18n.Table{
	"title":                   {EN: "Concierge console", ZH: "Concierge 客服台"},
	"login":                   {EN: "Sign in", ZH: "登录"},
	"logout":                  {EN: "Sign out", ZH: "退出"},
	"name":                    {EN: "Name", ZH: "用户名"},
	"password":                {EN: "Password", ZH: "密码"},
	"bad_login":               {EN: "The name or password is not right.", ZH: "用户名或密码不正确。"},
	"rate_limited":            {EN: "Too many sign-in attempts. Please wait %d second(s) and try again.", ZH: "登录尝试过多，请等待 %d 秒后再试。"},
	"queue":                   {EN: "Waiting for an agent", ZH: "等待人工接待"},
	"in_progress":             {EN: "In progress", ZH: "处理中"},
	"empty_queue":             {EN: "Nobody is waiting.", ZH: "暂无等待的会话。"},
	"customer":                {EN: "Customer", ZH: "客户"},
	"channel":                 {EN: "Channel", ZH: "渠道"},
	"waiting":                 {EN: "Waiting", ZH: "已等待"},
	"reason":                  {EN: "Reason", ZH: "原因"},
	"severity":                {EN: "Severity", ZH: "级别"},
	"summary":                 {EN: "Summary", ZH: "摘要"},
	"assignee":                {EN: "Agent", ZH: "客服"},
	"status":                  {EN: "Status", ZH: "状态"},
	"open":                    {EN: "Open", ZH: "打开"},
	"take_over":               {EN: "Take over", ZH: "接管"},
	"reply":                   {EN: "Send reply", ZH: "发送回复"},
	"resolve":                 {EN: "Resolve", ZH: "结束会话"},
	"add_note":                {EN: "Add note", ZH: "添加备注"},
	"add_tag":                 {EN: "Add tag", ZH: "添加标签"},
	"remove":                  {EN: "Remove", ZH: "移除"},
	"notes":                   {EN: "Notes", ZH: "备注"},
	"tags":                    {EN: "Tags", ZH: "标签"},
	"no_notes":                {EN: "No notes yet.", ZH: "暂无备注。"},
	"escalations":             {EN: "Escalations", ZH: "转人工记录"},
	"archive":                 {EN: "All messages of this customer", ZH: "该客户的全部消息"},
	"back":                    {EN: "Back to “Waiting for an agent”", ZH: "返回“等待人工接待”"},
	"taken_by":                {EN: "Already taken by %s.", ZH: "已被 %s 接管。"},
	"taken_by_you":            {EN: "You are handling this conversation.", ZH: "此会话由您处理。"},
	"reassign":                {EN: "Reassign to me", ZH: "改由我处理"},
	"managers_only":           {EN: "Only a manager can reassign a conversation another agent holds.", ZH: "只有主管可以改派其他客服正在处理的会话。"},
	"resolved":                {EN: "This conversation is resolved.", ZH: "此会话已结束。"},
	"dashboard":               {EN: "Dashboard", ZH: "数据看板"},
	"language":                {EN: "中文", ZH: "English"},
	"reply_placeholder":       {EN: "Write to the customer…", ZH: "回复客户…"},
	"note_placeholder":        {EN: "A private note for colleagues…", ZH: "仅同事可见的备注…"},
	"tag_placeholder":         {EN: "tag", ZH: "标签"},
	"signed_in_as":            {EN: "Signed in as %s", ZH: "当前用户：%s"},
	"this_conversation":       {EN: "this conversation", ZH: "本会话"},
	"email":                   {EN: "Email", ZH: "邮箱"},
	"phone":                   {EN: "Phone", ZH: "电话"},
	"segment":                 {EN: "Segment", ZH: "分组"},
	"no_messages":             {EN: "No messages.", ZH: "暂无消息。"},
	"redacted":                {EN: "(erased)", ZH: "（已删除）"},
	"verdict_bot":             {EN: "read as a complaint", ZH: "机器人判为投诉"},
	"verdict_complaint":       {EN: "marked a complaint by %s", ZH: "%s 标为投诉"},
	"verdict_not_complaint":   {EN: "marked not a complaint by %s", ZH: "%s 标为非投诉"},
	"mark_complaint":          {EN: "It was a complaint", ZH: "这是投诉"},
	"mark_not_complaint":      {EN: "Not a complaint", ZH: "不是投诉"},
	"review":                  {EN: "To review", ZH: "待复核"},
	"review_help":             {EN: "Messages of the last %d days the bot answered although they read negative or nearly like a complaint. Tell it which were complaints — it learns — and open the conversation to follow up.", ZH: "最近 %d 天里机器人已回答、但语气负面或接近投诉的消息。请判断是否为投诉（机器人会学习），需要跟进的可打开会话。"},
	"review_empty":            {EN: "Nothing to review.", ZH: "暂无需要复核的消息。"},
	"complaint_score":         {EN: "complaint score %.2f", ZH: "投诉分 %.2f"},
	"negative":                {EN: "negative", ZH: "负面"},
	"open_conversation":       {EN: "Open the conversation", ZH: "打开会话"},
	"mark_help":               {EN: "Tell the bot, so that it learns this shop's wording", ZH: "告诉机器人，让它学会本店顾客的说法"},
	"agent":                   {EN: "Agent", ZH: "客服"},
	"bot":                     {EN: "Bot", ZH: "机器人"},
	"system":                  {EN: "System", ZH: "系统"},
	"event_escalated":         {EN: "Handed to a human", ZH: "已转人工"},
	"event_taken_over":        {EN: "Taken over by %s", ZH: "%s 已接管"},
	"event_resolved":          {EN: "Resolved by %s", ZH: "%s 已结束会话"},
	"event_returned_to_bot":   {EN: "Returned to the bot by %s", ZH: "%s 已交还机器人"},
	"event_tagged":            {EN: "Tagged by %s", ZH: "%s 添加了标签"},
	"event_untagged":          {EN: "Tag removed by %s", ZH: "%s 移除了标签"},
	"event_created":           {EN: "First contact", ZH: "首次联系"},
	"event_merged":            {EN: "Records merged", ZH: "客户记录已合并"},
	"customers":               {EN: "Customers", ZH: "客户"},
	"error":                   {EN: "Something went wrong on our side. Please try again in a moment.", ZH: "系统出现问题，请稍后再试。"},
	"not_found":               {EN: "There is no such page.", ZH: "页面不存在。"},
	"forbidden":               {EN: "This request was refused (missing or stale form token). Reload the page and try again.", ZH: "请求被拒绝（表单令牌缺失或已过期）。请刷新页面后重试。"},
	"too_large":               {EN: "That is too long to save (the limit is 64 KB). Shorten it and try again.", ZH: "内容太长，无法保存（上限 64 KB）。请缩短后重试。"},
	"bad_form":                {EN: "The form could not be read. Reload the page and try again.", ZH: "无法读取表单。请刷新页面后重试。"},
	"sev_high":                {EN: "high", ZH: "高"},
	"sev_normal":              {EN: "normal", ZH: "中"},
	"sev_low":                 {EN: "low", ZH: "低"},
	"st_bot":                  {EN: "with the bot", ZH: "机器人接待"},
	"st_waiting_human":        {EN: "waiting", ZH: "等待中"},
	"st_human":                {EN: "with an agent", ZH: "人工接待"},
	"st_resolved":             {EN: "resolved", ZH: "已结束"},
	"now":                     {EN: "just now", ZH: "刚刚"},
	"minutes":                 {EN: "%d min", ZH: "%d 分钟"},
	"hours":                   {EN: "%d h %d min", ZH: "%d 小时 %d 分钟"},
	"days":                    {EN: "%d d %d h", ZH: "%d 天 %d 小时"},
	"reason_complaint":        {EN: "complaint", ZH: "投诉"},
	"reason_requested_human":  {EN: "asked for a person", ZH: "要求人工"},
	"reason_escalation_words": {EN: "urgent words", ZH: "紧急用语"},
	"reason_repeated_failure": {EN: "bot could not help", ZH: "机器人无法解答"},
	"reason_negative_trend":   {EN: "growing frustration", ZH: "情绪持续负面"},
	"reason_lead":             {EN: "sales lead", ZH: "销售线索"},
	"esc_open":                {EN: "open", ZH: "未处理"},
	"esc_acknowledged":        {EN: "acknowledged", ZH: "已确认"},
	"esc_resolved":            {EN: "resolved", ZH: "已解决"},
	"sign_out_failed":         {EN: "You are still signed in: the sign-out could not be saved. Please try again in a moment.", ZH: "您仍处于登录状态：退出未能保存。请稍后再试。"},
}

// tr returns the label key in lang, formatted with args; the key itself
// when it has no label (never empty, so a missing label shows).
func tr(lang, key string, args ...any) string {
	s := labels.Get(lang, key)
	if _, ok := labels[key]; ok && len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// label returns the label prefix+value in lang, or value itself when there
// is none (a reason or status added later still shows).
func label(lang, prefix, value string) string {
	if _, ok := labels[prefix+value]; ok {
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

package main

import (
	"errors"
	"strings"

	"github.com/concierge-bot/concierge/channels/feishu"
)

// FeishuConfig connects a Feishu (飞书) or Lark app's bot: employees ask it
// in direct messages and groups, people of other organisations and the
// members of customer chats are customers. Secrets are best written as
// ${ENV}.
type FeishuConfig struct {
	// AppID and AppSecret are the app's credentials (凭证与基础信息).
	AppID     string `yaml:"app_id"`
	AppSecret string `yaml:"app_secret"`
	// VerificationToken and EncryptKey are the app's event settings
	// (事件与回调 → 加密策略). EncryptKey is required for HTTP events at
	// /feishu/events; VerificationToken, when set, is checked too.
	VerificationToken string `yaml:"verification_token"`
	EncryptKey        string `yaml:"encrypt_key"`
	// LongConnection receives events over Feishu's long connection (长连接),
	// which needs no public URL.
	LongConnection bool `yaml:"long_connection"`
	// CustomerChats are chat ids (oc_…) whose members are customers.
	CustomerChats []string `yaml:"customer_chats"`
	// APIURL is where every outgoing call goes; default
	// https://open.feishu.cn (Lark: https://open.larksuite.com).
	APIURL string `yaml:"api_url"`
}

// on reports whether any feishu key is set: then the section must be whole.
func (f FeishuConfig) on() bool {
	return f.AppID != "" || f.AppSecret != "" || f.VerificationToken != "" || f.EncryptKey != "" ||
		f.LongConnection || len(f.CustomerChats) > 0 || f.APIURL != ""
}

// validate checks the feishu section; each message names its field.
func (f FeishuConfig) validate() error {
	if !f.on() {
		return nil
	}
	switch {
	case strings.TrimSpace(f.AppID) == "":
		return errors.New("feishu.app_id is missing: copy the App ID (cli_…) from the app's 凭证与基础信息 page in the Feishu developer console")
	case f.AppSecret == "":
		return errors.New("feishu.app_secret is missing: copy the App Secret from the app's 凭证与基础信息 page (write app_secret: ${FEISHU_APP_SECRET} and set the variable)")
	case f.EncryptKey == "" && !f.LongConnection:
		return errors.New("feishu.encrypt_key is missing: events over HTTP at /feishu/events need the Encrypt Key of 事件与回调 → 加密策略, without which they cannot be told from forgeries " +
			"(write encrypt_key: ${FEISHU_ENCRYPT_KEY} and set the variable); or set feishu.long_connection: true to receive events over the long connection instead")
	}
	return validateChatAppLinks("feishu", f.APIURL, feishu.DefaultAPIURL+" (or https://open.larksuite.com for Lark)", f.CustomerChats, "chat ids (oc_…)")
}

package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/channels/wecom"
)

// WeComConfig connects WeCom (企业微信): a self-built app (自建应用) for
// employees and WeChat customer service (微信客服) for customers. Secrets
// are best written as ${ENV}.
type WeComConfig struct {
	// CorpID is the company's id (企业ID, My Company → Company Information).
	CorpID string `yaml:"corp_id"`
	// AgentID and Secret are the self-built app's AgentId and Secret.
	AgentID int64  `yaml:"agent_id"`
	Secret  string `yaml:"secret"`
	// Token and EncodingAESKey are the callback settings of the app's
	// 接收消息 API, and must be the same in customer service's callback.
	Token          string `yaml:"token"`
	EncodingAESKey string `yaml:"encoding_aes_key"`
	// KFSecret is customer service's Secret (微信客服 → API); empty: the
	// app's Secret is used for the customer-service API.
	KFSecret string `yaml:"kf_secret"`
	// CustomerChats are group chat ids whose members are customers.
	CustomerChats []string `yaml:"customer_chats"`
	// APIURL is where every outgoing call goes; default
	// https://qyapi.weixin.qq.com.
	APIURL string `yaml:"api_url"`
}

// on reports whether any wecom key is set: then the section must be whole.
func (w WeComConfig) on() bool {
	return w.CorpID != "" || w.AgentID != 0 || w.Secret != "" || w.Token != "" || w.EncodingAESKey != "" ||
		w.KFSecret != "" || len(w.CustomerChats) > 0 || w.APIURL != ""
}

// validate checks the wecom section; each message names its field.
func (w WeComConfig) validate() error {
	if !w.on() {
		return nil
	}
	switch {
	case strings.TrimSpace(w.CorpID) == "":
		return errors.New("wecom.corp_id is missing: copy the 企业ID from My Company → Company Information in the WeCom admin console")
	case w.Token == "":
		return errors.New("wecom.token is missing: copy the Token of the app's 接收消息 API settings (write token: ${WECOM_TOKEN} and set the variable)")
	case w.EncodingAESKey == "":
		return errors.New("wecom.encoding_aes_key is missing: copy the EncodingAESKey of the app's 接收消息 API settings (write encoding_aes_key: ${WECOM_AES_KEY} and set the variable)")
	case w.Secret == "" && w.KFSecret == "":
		return errors.New("wecom.secret or wecom.kf_secret is required: the app's Secret to answer employees, customer service's Secret to answer WeChat customers")
	case w.AgentID < 0:
		return fmt.Errorf("wecom.agent_id %d must be the app's AgentId, a positive number such as 1000002", w.AgentID)
	case w.Secret != "" && w.AgentID == 0:
		return errors.New("wecom.agent_id is missing: the self-built app's AgentId (a number such as 1000002) is required with wecom.secret")
	}
	if _, err := wecom.NewCrypto(w.Token, w.EncodingAESKey, w.CorpID); err != nil {
		return fmt.Errorf("wecom.encoding_aes_key is not the one the admin console generated: %v", err)
	}
	return validateChatAppLinks("wecom", w.APIURL, wecom.DefaultAPIURL, w.CustomerChats, "chat ids")
}

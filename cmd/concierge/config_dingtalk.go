package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/concierge-bot/concierge/channels/dingtalk"
)

// DingTalkConfig connects a DingTalk (钉钉) app's robot: employees ask it in
// 1:1 chats and groups, people of other organisations and the members of
// customer chats are customers. Secrets are best written as ${ENV}.
type DingTalkConfig struct {
	// AppKey and AppSecret are the app's Client ID and Client Secret
	// (凭证与基础信息); the secret also signs HTTP callbacks.
	AppKey    string `yaml:"app_key"`
	AppSecret string `yaml:"app_secret"`
	// RobotCode is the robot's code (机器人 → RobotCode); default AppKey,
	// which it is for the robot of an app.
	RobotCode string `yaml:"robot_code"`
	// Stream receives messages and card clicks over Stream mode (Stream
	// 模式), which needs no public URL.
	Stream bool `yaml:"stream"`
	// CustomerChats are conversation ids (cid…) whose members are customers.
	CustomerChats []string `yaml:"customer_chats"`
	// APIURL is where every outgoing call goes; default
	// https://api.dingtalk.com.
	APIURL string `yaml:"api_url"`
}

// on reports whether any dingtalk key is set: then the section must be whole.
func (d DingTalkConfig) on() bool {
	return d.AppKey != "" || d.AppSecret != "" || d.RobotCode != "" || d.Stream || len(d.CustomerChats) > 0 || d.APIURL != ""
}

// validate checks the dingtalk section; each message names its field.
func (d DingTalkConfig) validate() error {
	if !d.on() {
		return nil
	}
	switch {
	case strings.TrimSpace(d.AppKey) == "":
		return errors.New("dingtalk.app_key is missing: copy the Client ID (AppKey) from the app's 凭证与基础信息 page in the DingTalk developer console")
	case d.AppSecret == "":
		return errors.New("dingtalk.app_secret is missing: copy the Client Secret (AppSecret) from the app's 凭证与基础信息 page (write app_secret: ${DINGTALK_APP_SECRET} and set the variable)")
	case d.RobotCode != strings.TrimSpace(d.RobotCode):
		return fmt.Errorf("dingtalk.robot_code %q has spaces around it: copy the RobotCode exactly, or leave it out to use the app_key", d.RobotCode)
	}
	return validateChatAppLinks("dingtalk", d.APIURL, dingtalk.DefaultAPIURL, d.CustomerChats, "conversation ids (cid…)")
}

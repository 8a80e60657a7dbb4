package main

import (
	"fmt"
	"strings"
)

// validateChatAppLinks checks what every chat app's config section has
// beside its credentials: api_url (validateAPIURL; like is the example the
// message gives) and customer_chats (validateCustomerChats; ids says what
// to list).
func validateChatAppLinks(section, apiURL, like string, chats []string, ids string) error {
	if err := validateAPIURL(section, apiURL, like); err != nil {
		return err
	}
	return validateCustomerChats(section, chats, ids)
}

// validateAPIURL checks the api_url of a chat app's config section: empty
// (the platform's own) or an absolute http(s) URL; like is the example the
// message gives.
func validateAPIURL(section, apiURL, like string) error {
	if apiURL == "" {
		return nil
	}
	if _, ok := hostURL(apiURL, "http", "https"); !ok {
		return fmt.Errorf("%s.api_url %q must be an http or https URL, like %s", section, apiURL, like)
	}
	return nil
}

// validateCustomerChats checks the customer_chats of a chat app's config
// section, where ids says what to list: "chat ids (oc_…)".
func validateCustomerChats(section string, chats []string, ids string) error {
	for i, c := range chats {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("%s.customer_chats[%d] is empty: list the %s of the groups whose members are customers", section, i, ids)
		}
	}
	return nil
}

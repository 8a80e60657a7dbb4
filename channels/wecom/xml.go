package wecom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// errBadXML is why a body or a decrypted message that is not the XML WeCom
// sends is refused.
var errBadXML = errors.New("not a WeCom XML document")

// envelope is the body WeCom POSTs to a callback URL: the encrypted message
// and, in the clear, whom it is for.
type envelope struct {
	XMLName    xml.Name `xml:"xml"`
	ToUserName string   `xml:"ToUserName"`
	AgentID    string   `xml:"AgentID"`
	Encrypt    string   `xml:"Encrypt"`
}

// message is a decrypted callback: a message or event of the self-built
// app, or the kf_msg_or_event notice of WeChat customer service. Fields
// that a kind of callback does not carry are empty.
type message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   string   `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        string   `xml:"MsgId"`
	AgentID      string   `xml:"AgentID"`
	Event        string   `xml:"Event"`
	// ChatID and ChatType are set for a message in a group chat the app
	// is in (ChatType "group"); empty in a direct chat.
	ChatID   string `xml:"ChatId"`
	ChatType string `xml:"ChatType"`
	// Token and OpenKfID come with kf_msg_or_event: the token to pass to
	// sync_msg (valid 10 minutes) and the customer-service account with
	// new messages.
	Token    string `xml:"Token"`
	OpenKfID string `xml:"OpenKfId"`
}

// maxXMLDepth bounds the nesting of a callback document; WeCom's are two
// levels deep.
const maxXMLDepth = 8

// parseEnvelope reads a callback body. The root must be <xml> and the
// Encrypt element present.
func parseEnvelope(body []byte) (envelope, error) {
	var e envelope
	if err := decodeXML(body, &e); err != nil {
		return envelope{}, err
	}
	if strings.TrimSpace(e.Encrypt) == "" {
		return envelope{}, errBadXML
	}
	e.Encrypt = strings.TrimSpace(e.Encrypt)
	return e, nil
}

// parseMessage reads a decrypted callback message.
func parseMessage(plain []byte) (message, error) {
	var m message
	if err := decodeXML(plain, &m); err != nil {
		return message{}, err
	}
	if m.MsgType == "" {
		return message{}, errBadXML
	}
	return m, nil
}

// decodeXML decodes one <xml> document into v after checking that it is
// shallow, has a single root and nothing but white space after it.
// encoding/xml expands no external entities, so a hostile document can
// cost only its own size.
func decodeXML(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	depth, roots := 0, 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			if err == io.EOF && depth == 0 && roots == 1 {
				break
			}
			return errBadXML
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 || t.Name.Local != "xml" {
					return errBadXML
				}
			}
			depth++
			if depth > maxXMLDepth {
				return errBadXML
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errBadXML
			}
		case xml.Directive:
			return errBadXML // no DOCTYPE: WeCom never sends one
		}
	}
	if err := xml.Unmarshal(b, v); err != nil {
		return errBadXML
	}
	return nil
}

package alert

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCert returns a server certificate for 127.0.0.1 and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// smtpServer is a small SMTP server for tests: EHLO, optional STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA, QUIT.
type smtpServer struct {
	ln       net.Listener
	tls      *tls.Config // nil: no STARTTLS offered
	mu       sync.Mutex
	messages []smtpMessage
}

type smtpMessage struct {
	From, Auth string
	To         []string
	TLS        bool
	Data       []byte
}

func newSMTPServer(t *testing.T, tlsConf *tls.Config) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, tls: tlsConf}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) got() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.messages...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	var m smtpMessage
	tp.PrintfLine("220 smtp.test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"smtp.test", "8BITMIME", "AUTH PLAIN"}
			if s.tls != nil && !m.TLS {
				ext = append(ext, "STARTTLS")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				tp.PrintfLine("250%s%s", sep, e)
			}
		case "STARTTLS":
			tp.PrintfLine("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, m.TLS = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			_, b64, _ := strings.Cut(arg, " ")
			dec, _ := base64.StdEncoding.DecodeString(b64)
			m.Auth = string(dec)
			tp.PrintfLine("235 ok")
		case "MAIL":
			m.From = arg
			tp.PrintfLine("250 ok")
		case "RCPT":
			m.To = append(m.To, arg)
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go on")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			m.Data = data
			s.mu.Lock()
			s.messages = append(s.messages, m)
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 unknown")
		}
	}
}

func TestEmailSTARTTLSMultipart(t *testing.T) {
	cert, pool := testCert(t)
	srv := newSMTPServer(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	e, err := NewEmail(EmailOptions{
		Addr: srv.ln.Addr().String(), From: "Concierge <alerts@example.com>",
		To: []string{"manager@example.com", "Duty <duty@example.com>"}, Username: "alerts", Password: "pw",
		RequireTLS: true, TLSConfig: &tls.Config{RootCAs: pool},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := sampleAlert()
	a.Customer.Name = "Ada\r\nBcc: victim@example.com"
	if err := e.Send(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	got := srv.got()
	if len(got) != 1 {
		t.Fatalf("server got %d messages, want 1", len(got))
	}
	m := got[0]
	if !m.TLS {
		t.Error("the message was sent without STARTTLS although the server offered it")
	}
	if m.Auth != "\x00alerts\x00pw" || len(m.To) != 2 {
		t.Errorf("auth %q, recipients %v", m.Auth, m.To)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("customer text injected a Bcc header")
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.Contains(subject, "Escalation") || !strings.Contains(subject, "Ada Bcc") {
		t.Errorf("subject %q (%v)", subject, err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasSuffix(id, "@concierge.alert>") {
		t.Errorf("Message-Id %q", id)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v)", mt, err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		parts[ct] = string(b)
	}
	plain, html := parts["text/plain"], parts["text/html"]
	if !strings.Contains(plain, "Where is my parcel?") || !strings.Contains(plain, "conversations/42") {
		t.Errorf("plain part lacks the conversation:\n%s", plain)
	}
	if strings.Contains(html, "<at ") || strings.Contains(html, "<font") || !strings.Contains(html, "&lt;font") {
		t.Errorf("HTML part does not escape customer text:\n%s", html)
	}
	if !strings.Contains(html, `href="https://support.example.com/console/conversations/42"`) {
		t.Errorf("HTML part lacks the console link:\n%s", html)
	}
}

func TestEmailRequireTLS(t *testing.T) {
	srv := newSMTPServer(t, nil)
	e, err := NewEmail(EmailOptions{Addr: srv.ln.Addr().String(), From: "a@example.com", To: []string{"b@example.com"}, RequireTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Send(context.Background(), sampleAlert()); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("got %v, want a refusal to send without TLS", err)
	}
	if n := len(srv.got()); n != 0 {
		t.Errorf("server got %d messages in clear text", n)
	}
	plain, err := NewEmail(EmailOptions{Addr: srv.ln.Addr().String(), From: "a@example.com", To: []string{"b@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.Send(context.Background(), sampleAlert()); err != nil {
		t.Errorf("plain SMTP without TLS required: %v", err)
	}
}

// TestEmailHangingServer: a server that accepts and never answers cannot
// block a send beyond its timeout, nor beyond its context.
func TestEmailHangingServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	e, err := NewEmail(EmailOptions{Addr: ln.Addr().String(), From: "a@example.com", To: []string{"b@example.com"},
		Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"own timeout", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }},
		{"caller deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- e.Send(ctx, sampleAlert()) }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("a silent server was taken for success")
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Send is still blocked on a server that never answers")
			}
		})
	}
}

func TestNewEmailChecks(t *testing.T) {
	tests := []EmailOptions{
		{From: "a@example.com", To: []string{"b@example.com"}},
		{Addr: "smtp.example.com", From: "a@example.com", To: []string{"b@example.com"}},
		{Addr: "smtp.example.com:587", From: "not an address", To: []string{"b@example.com"}},
		{Addr: "smtp.example.com:587", From: "a@example.com"},
		{Addr: "smtp.example.com:587", From: "a@example.com", To: []string{"b@"}},
	}
	for i, o := range tests {
		if _, err := NewEmail(o); err == nil {
			t.Errorf("case %d: NewEmail(%+v) accepted bad options", i, o)
		}
	}
}

package alert

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/concierge-bot/concierge/bot"
)

// EmailOptions configures an Email sink.
type EmailOptions struct {
	// Name identifies the sink; default "email".
	Name string
	// Addr is the SMTP server's host:port. Required.
	Addr string
	// From is the sender address, e.g. "Concierge <alerts@example.com>".
	// Required.
	From string
	// To lists the recipients. At least one is required.
	To []string
	// Username and Password authenticate with SMTP AUTH PLAIN, which net/smtp
	// only does over TLS (or to localhost). Empty Username: no AUTH.
	Username string
	Password string
	// ImplicitTLS connects with TLS from the first byte (SMTPS, port 465)
	// instead of upgrading with STARTTLS.
	ImplicitTLS bool
	// RequireTLS refuses to send when the server does not offer STARTTLS.
	// STARTTLS is always used when offered.
	RequireTLS bool
	// TLSConfig is used for TLS; default verifies the server's certificate
	// for the host of Addr.
	TLSConfig *tls.Config
	// DialTimeout bounds connecting. Default 10s.
	DialTimeout time.Duration
	// Timeout bounds one whole send, connection included, so a server that
	// accepts and never answers cannot block. Default 30s.
	Timeout time.Duration
	// LocalName is the name sent with EHLO. Default "localhost".
	LocalName string
	// Now is the clock for the Date header; default time.Now.
	Now func() time.Time
}

// Email is a Sink that sends each alert as a multipart/alternative email,
// plain text and HTML, over SMTP with STARTTLS when the server offers it.
type Email struct {
	name string
	opts EmailOptions
	host string
	from *mail.Address
	to   []*mail.Address
}

var _ Sink = (*Email)(nil)

// NewEmail checks opts and returns the sink.
func NewEmail(opts EmailOptions) (*Email, error) {
	if opts.Name == "" {
		opts.Name = "email"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("alert: email %s: SMTP address %q must be host:port", opts.Name, opts.Addr)
	}
	from, err := mail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("alert: email %s: bad From address: %w", opts.Name, err)
	}
	if len(opts.To) == 0 {
		return nil, fmt.Errorf("alert: email %s: no recipients", opts.Name)
	}
	var to []*mail.Address
	for _, s := range opts.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("alert: email %s: bad recipient %q: %w", opts.Name, s, err)
		}
		to = append(to, a)
	}
	bot.SetDefault(&opts.DialTimeout, 10*time.Second)
	bot.SetDefault(&opts.Timeout, 30*time.Second)
	if opts.LocalName == "" {
		opts.LocalName = "localhost"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Email{name: opts.Name, opts: opts, host: host, from: from, to: to}, nil
}

// Name implements Sink.
func (e *Email) Name() string { return e.name }

// Send implements Sink. The whole exchange is bounded by the earlier of ctx's
// deadline and Timeout. The Message-Id is derived from the idempotency key,
// so a mail client can recognise a resent alert as the same message.
func (e *Email) Send(ctx context.Context, a Alert) error {
	msg, err := e.Message(a)
	if err != nil {
		return fmt.Errorf("alert: email %s: %w", e.name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
	defer cancel()
	if err := e.send(ctx, msg); err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return fmt.Errorf("alert: email %s: %w", e.name, err)
	}
	return nil
}

func (e *Email) send(ctx context.Context, msg []byte) error {
	d := &net.Dialer{Timeout: e.opts.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", e.opts.Addr)
	if err != nil {
		return fmt.Errorf("dial: %w", err)
	}
	// Every read and write fails once the deadline passes, and cancelling
	// ctx unblocks them at once.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	tlsConf := e.tlsConfig()
	if e.opts.ImplicitTLS {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, e.host)
	if err != nil {
		_ = conn.Close()
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(e.opts.LocalName); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if !e.opts.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConf); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		} else if e.opts.RequireTLS {
			return errors.New("the server does not offer STARTTLS and TLS is required")
		}
	}
	if e.opts.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.opts.Username, e.opts.Password, e.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(e.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	for _, r := range e.to {
		if err := c.Rcpt(r.Address); err != nil {
			return fmt.Errorf("RCPT TO: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := c.Quit(); err != nil {
		// The message was accepted at the end of DATA; a failed QUIT does not
		// undo that.
		return nil
	}
	return nil
}

func (e *Email) tlsConfig() *tls.Config {
	if e.opts.TLSConfig != nil {
		c := e.opts.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = e.host
		}
		return c
	}
	return &tls.Config{ServerName: e.host, MinVersion: tls.VersionTLS12}
}

var emailHTML = template.Must(template.New("alert").Parse(`<!DOCTYPE html>
<html><body style="font-family:sans-serif">
<h2>{{.Title}}</h2>
{{if .Fields}}<table>{{range .Fields}}<tr><th align="left">{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}</table>{{end}}
{{if .Summary}}<p>{{.Summary}}</p>{{end}}
{{if .Messages}}<h3>Last messages</h3>
{{range .Messages}}<blockquote><b>{{.Author}}:</b> {{.Text}}</blockquote>
{{end}}{{end}}
{{if .Lines}}{{if .Heading}}<h3>{{.Heading}}</h3>{{end}}<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Open the conversation</a></p>{{end}}
{{if .Footer}}<p style="color:#666;font-size:12px">{{.Footer}}</p>{{end}}
</body></html>
`))

// Message returns the RFC 5322 message the sink sends for a: headers and a
// multipart/alternative body with a plain-text and an HTML part, both
// quoted-printable UTF-8. Customer text is escaped in the HTML part and
// cannot inject headers.
func (e *Email) Message(a Alert) ([]byte, error) {
	v := render(a)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := writePart(mw, "text/plain; charset=utf-8", func(w io.Writer) error {
		_, err := io.WriteString(w, v.plainText())
		return err
	}); err != nil {
		return nil, err
	}
	if err := writePart(mw, "text/html; charset=utf-8", func(w io.Writer) error {
		return emailHTML.Execute(w, v)
	}); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", e.from.String())
	tos := make([]string, len(e.to))
	for i, t := range e.to {
		tos[i] = t.String()
	}
	header("To", strings.Join(tos, ", "))
	subject := "[Concierge] " + v.Title
	if c := a.Customer.Label(); c != "" {
		subject += " — " + oneLine(c, 80)
	}
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject, 200)))
	header("Date", e.opts.Now().Format(time.RFC1123Z))
	sum := sha256.Sum256([]byte(a.IdempotencyKey))
	header("Message-Id", "<"+hex.EncodeToString(sum[:16])+"@concierge.alert>")
	header("X-Concierge-Idempotency-Key", mime.QEncoding.Encode("utf-8", oneLine(a.IdempotencyKey, MaxKeyBytes)))
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

func writePart(mw *multipart.Writer, contentType string, fill func(io.Writer) error) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(pw)
	if err := fill(qp); err != nil {
		return err
	}
	return qp.Close()
}

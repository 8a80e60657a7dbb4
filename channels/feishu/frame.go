package feishu

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// Frame is one message of the long connection: the protocol buffer
// "pbbp2.Frame" of Feishu's WebSocket gateway (as its open-source SDKs
// define it). Method 0 is a control frame (headers type=ping|pong), 1 a
// data frame (type=event|card) whose Payload is the event's JSON; the
// client answers a data frame with the same frame, its Payload replaced by
// {"code":200,"headers":{},"data":…}.
type Frame struct {
	SeqID           uint64
	LogID           uint64
	Service         int32
	Method          int32
	Headers         []FrameHeader
	PayloadEncoding string
	PayloadType     string
	Payload         []byte
	LogIDNew        string
}

// FrameHeader is one key/value header of a Frame.
type FrameHeader struct{ Key, Value string }

// Frame methods.
const (
	FrameControl = 0
	FrameData    = 1
)

// Header returns the value of the first header named key.
func (f *Frame) Header(key string) string {
	for _, h := range f.Headers {
		if h.Key == key {
			return h.Value
		}
	}
	return ""
}

// SetHeader replaces or adds a header.
func (f *Frame) SetHeader(key, value string) {
	for i, h := range f.Headers {
		if h.Key == key {
			f.Headers[i].Value = value
			return
		}
	}
	f.Headers = append(f.Headers, FrameHeader{key, value})
}

// Marshal encodes the frame.
func (f *Frame) Marshal() []byte {
	var b []byte
	b = appendVarint(b, 1, f.SeqID)
	b = appendVarint(b, 2, f.LogID)
	b = appendVarint(b, 3, uint64(int64(f.Service)))
	b = appendVarint(b, 4, uint64(int64(f.Method)))
	for _, h := range f.Headers {
		hb := appendBytes(nil, 1, []byte(h.Key))
		hb = appendBytes(hb, 2, []byte(h.Value))
		b = appendBytes(b, 5, hb)
	}
	if f.PayloadEncoding != "" {
		b = appendBytes(b, 6, []byte(f.PayloadEncoding))
	}
	if f.PayloadType != "" {
		b = appendBytes(b, 7, []byte(f.PayloadType))
	}
	if f.Payload != nil {
		b = appendBytes(b, 8, f.Payload)
	}
	if f.LogIDNew != "" {
		b = appendBytes(b, 9, []byte(f.LogIDNew))
	}
	return b
}

// appendVarint appends field num with the varint v.
func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// appendBytes appends field num with the length-delimited v.
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

var errBadFrame = errors.New("feishu: malformed frame")

// UnmarshalFrame decodes a frame; unknown fields are skipped, malformed
// input is an error (never a panic).
func UnmarshalFrame(b []byte) (Frame, error) {
	var f Frame
	err := walkFields(b, func(num protowire.Number, n uint64, v []byte) error {
		switch {
		case v == nil && num == 1:
			f.SeqID = n
		case v == nil && num == 2:
			f.LogID = n
		case v == nil && num == 3:
			f.Service = int32(n)
		case v == nil && num == 4:
			f.Method = int32(n)
		case v != nil && num == 5:
			h, err := unmarshalHeader(v)
			if err != nil {
				return err
			}
			f.Headers = append(f.Headers, h)
		case v != nil && num == 6:
			f.PayloadEncoding = string(v)
		case v != nil && num == 7:
			f.PayloadType = string(v)
		case v != nil && num == 8:
			f.Payload = append([]byte(nil), v...)
		case v != nil && num == 9:
			f.LogIDNew = string(v)
		}
		return nil
	})
	if err != nil {
		return Frame{}, err
	}
	return f, nil
}

func unmarshalHeader(b []byte) (FrameHeader, error) {
	var h FrameHeader
	err := walkFields(b, func(num protowire.Number, _ uint64, v []byte) error {
		switch {
		case v != nil && num == 1:
			h.Key = string(v)
		case v != nil && num == 2:
			h.Value = string(v)
		}
		return nil
	})
	return h, err
}

// walkFields calls field with each varint and each length-delimited field
// of the protobuf message b, in order: a varint's value as n (v nil), a
// length-delimited field's bytes as v (never nil, aliasing b); fields of
// other wire types are skipped. Malformed input is errBadFrame; an error of
// field ends the walk and is returned.
func walkFields(b []byte, field func(num protowire.Number, n uint64, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadFrame
		}
		b = b[n:]
		var (
			u uint64
			v []byte
		)
		switch typ {
		case protowire.VarintType:
			u, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
			if v == nil {
				v = []byte{}
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return errBadFrame
		}
		b = b[n:]
		if typ == protowire.VarintType || typ == protowire.BytesType {
			if err := field(num, u, v); err != nil {
				return err
			}
		}
	}
	return nil
}

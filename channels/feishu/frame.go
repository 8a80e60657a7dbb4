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
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, f.SeqID)
	b = protowire.AppendTag(b, 2, protowire.VarintType)
	b = protowire.AppendVarint(b, f.LogID)
	b = protowire.AppendTag(b, 3, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(int64(f.Service)))
	b = protowire.AppendTag(b, 4, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(int64(f.Method)))
	for _, h := range f.Headers {
		var hb []byte
		hb = protowire.AppendTag(hb, 1, protowire.BytesType)
		hb = protowire.AppendString(hb, h.Key)
		hb = protowire.AppendTag(hb, 2, protowire.BytesType)
		hb = protowire.AppendString(hb, h.Value)
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendBytes(b, hb)
	}
	if f.PayloadEncoding != "" {
		b = protowire.AppendTag(b, 6, protowire.BytesType)
		b = protowire.AppendString(b, f.PayloadEncoding)
	}
	if f.PayloadType != "" {
		b = protowire.AppendTag(b, 7, protowire.BytesType)
		b = protowire.AppendString(b, f.PayloadType)
	}
	if f.Payload != nil {
		b = protowire.AppendTag(b, 8, protowire.BytesType)
		b = protowire.AppendBytes(b, f.Payload)
	}
	if f.LogIDNew != "" {
		b = protowire.AppendTag(b, 9, protowire.BytesType)
		b = protowire.AppendString(b, f.LogIDNew)
	}
	return b
}

var errBadFrame = errors.New("feishu: malformed frame")

// UnmarshalFrame decodes a frame; unknown fields are skipped, malformed
// input is an error (never a panic).
func UnmarshalFrame(b []byte) (Frame, error) {
	var f Frame
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return Frame{}, errBadFrame
		}
		b = b[n:]
		switch {
		case typ == protowire.VarintType && num <= 4:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return Frame{}, errBadFrame
			}
			b = b[n:]
			switch num {
			case 1:
				f.SeqID = v
			case 2:
				f.LogID = v
			case 3:
				f.Service = int32(v)
			case 4:
				f.Method = int32(v)
			}
		case typ == protowire.BytesType && num >= 5 && num <= 9:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return Frame{}, errBadFrame
			}
			b = b[n:]
			switch num {
			case 5:
				h, err := unmarshalHeader(v)
				if err != nil {
					return Frame{}, err
				}
				f.Headers = append(f.Headers, h)
			case 6:
				f.PayloadEncoding = string(v)
			case 7:
				f.PayloadType = string(v)
			case 8:
				f.Payload = append([]byte(nil), v...)
			case 9:
				f.LogIDNew = string(v)
			}
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return Frame{}, errBadFrame
			}
			b = b[n:]
		}
	}
	return f, nil
}

func unmarshalHeader(b []byte) (FrameHeader, error) {
	var h FrameHeader
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return h, errBadFrame
		}
		b = b[n:]
		if typ != protowire.BytesType {
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return h, errBadFrame
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return h, errBadFrame
		}
		b = b[n:]
		switch num {
		case 1:
			h.Key = string(v)
		case 2:
			h.Value = string(v)
		}
	}
	return h, nil
}

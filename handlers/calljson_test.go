package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/callstore/callstore/store"
)

// encodingJSON is the reference: the bytes json.NewEncoder(w).Encode writes (what encode() sends).
func encodingJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sampleCall(s string, raw string, when time.Time) store.Call {
	p := func(v string) *string { return &v }
	n := int64(-42)
	t2 := when.Add(1500 * time.Millisecond)
	c := store.Call{ID: s, AgentID: p(s + "a"), AgentVersionID: p(""), Status: s, RecordingURL: p("https://x/" + s), StartTime: &when, EndTime: &t2,
		Duration: &n, Type: "in" + s, EndReason: p(s), PhoneRegisterID: p(s), CreatedDate: when,
		Contact: store.Contact{ID: s, CreatedDate: when.Add(time.Microsecond), Identifier: s, ContactType: "web", CompanyID: "hidden"}, CompanyID: "hidden"}
	if raw != "" {
		c.DynamicVariables = json.RawMessage(raw)
	}
	return c
}

var trickyStrings = []string{"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnl\nfeed\fcr\r bell\a back\b nul\x00 del\x7f",
	"ünïcødé ✓ 😀", "line\u2028para\u2029", "bad utf8 \xff\xfe end", "\xc3", "ends with \xe2\x80", "\ufffd replacement", "\u001f\u0010"}

var trickyRaw = []string{"", `{}`, `{"a":1}`, `{"a": [1, 2], "b" : {"c":"d"}}`, "{\n\t\"x\": \"<b>&</b>\"\r\n}", `{"s":"\u2028 and ` + "\u2028" + `"}`,
	`{"n":null,"t":true,"f":-1.5e10,"u":"\u00fc"}`, `{"bad":"` + "\xff" + `"}`,
	`{"name":"Ana García López","note":"a \"quoted\" \\ word"}`, `{"k":"\\"}`}

// TestAppendCallMatchesEncodingJSON checks the hand-written encoder byte for byte against
// encoding/json for one call and for pages, over strings and raw values chosen to hit every escape.
func TestAppendCallMatchesEncodingJSON(t *testing.T) {
	times := []time.Time{time.Date(2026, 11, 22, 20, 43, 31, 123456000, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.UnixMicro(1).UTC()}
	var calls []store.Call
	for i, s := range trickyStrings {
		for j, raw := range trickyRaw {
			c := sampleCall(s, raw, times[(i+j)%len(times)])
			calls = append(calls, c)
			if got, want := append(appendCall(nil, &c), '\n'), encodingJSON(t, c); !bytes.Equal(got, want) {
				t.Fatalf("call with %q / %q:\n got %s\nwant %s", s, raw, got, want)
			}
		}
	}
	// A call with every optional field null.
	bare := store.Call{ID: "x", Status: "completed", Type: "inbound", CreatedDate: times[0], Contact: store.Contact{ID: "c", CreatedDate: times[1]}}
	if got, want := append(appendCall(nil, &bare), '\n'), encodingJSON(t, bare); !bytes.Equal(got, want) {
		t.Fatalf("bare call:\n got %s\nwant %s", got, want)
	}
	first, last, cur, total := "f", "l<", int64(3), int64(7)
	for _, p := range []store.Page[store.Call]{
		{Data: []store.Call{}},
		{Data: calls[:1], FirstID: &first, LastID: &last, HasMore: true},
		{Data: calls, FirstID: &first, LastID: &last, CurrentPage: &cur, TotalPages: &total},
	} {
		if got, want := appendCallPage(nil, p), encodingJSON(t, p); !bytes.Equal(got, want) {
			t.Fatalf("page of %d:\n got %s\nwant %s", len(p.Data), got, want)
		}
	}
}

// FuzzAppendCall compares the hand-written encoder with encoding/json on arbitrary strings and raw
// JSON values.
func FuzzAppendCall(f *testing.F) {
	for i, s := range trickyStrings {
		f.Add(s, trickyRaw[i%len(trickyRaw)], int64(i)*1e12+123)
	}
	f.Fuzz(func(t *testing.T, s, raw string, micros int64) {
		if raw != "" && !json.Valid([]byte(raw)) {
			raw = "" // the store holds only valid JSON
		}
		if micros < 0 || micros > 253402300799999999 { // years 1970..9999: what encoding/json can write
			micros = 0
		}
		c := sampleCall(s, raw, time.UnixMicro(micros).UTC())
		if got, want := append(appendCall(nil, &c), '\n'), encodingJSON(t, c); !bytes.Equal(got, want) {
			t.Fatalf("call with %q / %q:\n got %s\nwant %s", s, raw, got, want)
		}
	})
}

// TestNeedsRewrite pins the fast path: a compact value is copied as is, whatever its strings hold.
func TestNeedsRewrite(t *testing.T) {
	for raw, want := range map[string]bool{
		`{"name":"Ana García","q":"a \"b\" c"}`: false, `{"k":"\\"}`: false, `{"a":[1,2,{"b":null}]}`: false,
		`{"a": 1}`: true, "{\"a\":1}\n": true, `{"h":"<b>"}`: true, `{"x":"a&b"}`: true, "{\"l\":\"\u2028\"}": true, `{"k":"\\" ,"a":1}`: true,
	} {
		if got := needsRewrite([]byte(raw)); got != want {
			t.Errorf("needsRewrite(%s) = %v, want %v", raw, got, want)
		}
	}
}

// benchPage is a realistic page of n calls: terminal calls with every field set, as the seed makes.
func benchPage(n int) store.Page[store.Call] {
	when := time.Date(2026, 3, 1, 9, 0, 0, 123456000, time.UTC)
	p := store.Page[store.Call]{Data: make([]store.Call, n)}
	for i := range p.Data {
		id := store.NewID()
		p.Data[i] = sampleCall(id, `{"customer":"Ana García","lang":"es","plan":"premium"}`, when.Add(time.Duration(i)*time.Second))
		p.Data[i].Status, p.Data[i].Type, p.Data[i].Contact.Identifier = "completed", "outbound", "+34600111222"
	}
	p.FirstID, p.LastID = &p.Data[0].ID, &p.Data[n-1].ID
	return p
}

// BenchmarkCallPageJSON measures what the hand-written encoder of a call page saves over
// encoding/json, side by side, for the default page (50) and the largest (1000).
func BenchmarkCallPageJSON(b *testing.B) {
	for _, n := range []int{50, 1000} {
		p := benchPage(n)
		b.Run(fmt.Sprintf("handwritten/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 64<<10)
			for b.Loop() {
				buf = appendCallPage(buf[:0], p)
			}
			b.SetBytes(int64(len(buf)))
		})
		b.Run(fmt.Sprintf("encoding_json/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := json.NewEncoder(&buf).Encode(p); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}

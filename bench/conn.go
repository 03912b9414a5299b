package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection to the server, used by one worker at a time.
//
// The load generator speaks HTTP/1.1 itself instead of through net/http's client: on a small
// machine it shares the cores with the server it measures, and net/http's client (a reader and a
// writer goroutine per connection, a handoff between them and the caller for every request) took
// about a quarter of the machine's CPU under list load, time taken from the server. This client
// writes a request, reads the status line, the headers and a Content-Length or chunked body, on
// the worker's own goroutine. It supports exactly what callstore answers.
type conn struct {
	addr string // host:port, a loopback address (checked again when dialing); also the Host header
	nc   net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

// requestTimeout bounds one request, body included.
const requestTimeout = time.Minute

// loopbackDialer dials only loopback addresses, whatever a name resolves to.
var loopbackDialer = &net.Dialer{
	Timeout: 5 * time.Second,
	Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("bench: refusing to connect to %s: not a loopback address", address)
		}
		return nil
	},
}

func newConn(hostport string) *conn { return &conn{addr: hostport} }

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// do sends one request and reads the answer's body into body (reset first). When a kept-alive
// connection turns out to have been closed by the server, the request is sent once more on a new
// one: always if writing it failed, and for a GET also if the connection ended before any answer
// (a POST or PATCH might have been received, and is not sent twice).
func (c *conn) do(ctx context.Context, method, path, key string, payload []byte, body *bytes.Buffer) (int, error) {
	reused := c.nc != nil
	status, err := c.roundTrip(ctx, method, path, key, payload, body)
	if reused && (errors.Is(err, errWriteStale) || method == "GET" && errors.Is(err, errReadStale)) {
		return c.roundTrip(ctx, method, path, key, payload, body)
	}
	return status, err
}

// The two ways a kept-alive connection shows it was closed by the server.
var (
	errWriteStale = errors.New("connection closed by the server before the request was written")
	errReadStale  = errors.New("connection closed by the server before an answer")
)

// dialError is a failure to connect, as opposed to a failure on a connection that was open:
// the server is not listening (or not accepting) at all.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// dial opens the connection if it is not open; its error is a *dialError.
func (c *conn) dial(ctx context.Context) error {
	if c.nc != nil {
		return nil
	}
	nc, err := loopbackDialer.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return &dialError{err}
	}
	c.nc, c.r, c.w = nc, bufio.NewReaderSize(nc, 64<<10), bufio.NewWriterSize(nc, 4<<10)
	return nil
}

// dialCause is the short reason of a failed dial: "connection refused" rather than
// "dial tcp 127.0.0.1:9: connect: connection refused".
func dialCause(err error) error {
	var se *os.SyscallError
	if errors.As(err, &se) {
		return se.Err
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

func (c *conn) roundTrip(ctx context.Context, method, path, key string, payload []byte, body *bytes.Buffer) (int, error) {
	if err := c.dial(ctx); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(requestTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := c.nc.SetDeadline(deadline); err != nil {
		c.close()
		return 0, err
	}
	w := c.w
	w.WriteString(method)
	w.WriteByte(' ')
	w.WriteString(path)
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(c.addr)
	w.WriteString("\r\nAuthorization: Bearer ")
	w.WriteString(key)
	if payload != nil {
		w.WriteString("\r\nContent-Type: application/json\r\nContent-Length: ")
		w.WriteString(strconv.Itoa(len(payload)))
		w.WriteString("\r\n\r\n")
		w.Write(payload)
	} else {
		w.WriteString("\r\n\r\n")
	}
	if err := w.Flush(); err != nil {
		c.close()
		return 0, fmt.Errorf("%w: %v", errWriteStale, err)
	}
	status, err := c.readResponse(body)
	if err != nil {
		c.close()
	}
	return status, err
}

// readResponse reads one answer: status line, headers, and the body by Content-Length, chunked
// transfer coding, or (with neither) up to the end of the connection.
func (c *conn) readResponse(body *bytes.Buffer) (int, error) {
	body.Reset()
	line, err := c.line()
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			return 0, fmt.Errorf("%w: %v", errReadStale, err)
		}
		return 0, err
	}
	// "HTTP/1.1 200 OK"
	proto, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || status < 100 || status > 999 {
		return 0, fmt.Errorf("bench: bad status line %q", line)
	}
	length, chunked, closeAfter := int64(-1), false, proto == "HTTP/1.0"
	for {
		h, err := c.line()
		if err != nil {
			return 0, err
		}
		if h == "" {
			break
		}
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return 0, fmt.Errorf("bench: bad header line %q", h)
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(name, "Content-Length"):
			if length, err = strconv.ParseInt(value, 10, 64); err != nil || length < 0 {
				return 0, fmt.Errorf("bench: bad Content-Length %q", value)
			}
		case strings.EqualFold(name, "Transfer-Encoding"):
			chunked = strings.EqualFold(value, "chunked")
			if !chunked {
				return 0, fmt.Errorf("bench: unsupported Transfer-Encoding %q", value)
			}
		case strings.EqualFold(name, "Connection"):
			closeAfter = closeAfter || strings.EqualFold(value, "close")
		}
	}
	switch {
	case status == 204 || status == 304 || (status >= 100 && status < 200):
	case chunked:
		if err := c.readChunked(body); err != nil {
			return 0, err
		}
	case length >= 0:
		if _, err := io.CopyN(body, c.r, length); err != nil {
			return 0, err
		}
	default:
		if _, err := io.Copy(body, c.r); err != nil {
			return 0, err
		}
		closeAfter = true
	}
	if closeAfter {
		c.close()
	}
	return status, nil
}

func (c *conn) readChunked(body *bytes.Buffer) error {
	for {
		line, err := c.line()
		if err != nil {
			return err
		}
		sizeText, _, _ := strings.Cut(line, ";") // chunk extensions are ignored
		size, err := strconv.ParseInt(strings.TrimSpace(sizeText), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("bench: bad chunk size %q", line)
		}
		if size == 0 {
			for { // trailer fields, up to the empty line
				t, err := c.line()
				if err != nil {
					return err
				}
				if t == "" {
					return nil
				}
			}
		}
		if _, err := io.CopyN(body, c.r, size); err != nil {
			return err
		}
		if end, err := c.line(); err != nil || end != "" {
			return fmt.Errorf("bench: chunk not followed by CRLF")
		}
	}
}

// line reads one CRLF- (or LF-) terminated line without its terminator.
func (c *conn) line() (string, error) {
	b, err := c.r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", errors.New("bench: header line too long")
		}
		return "", err
	}
	return string(bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))), nil
}

// Scenario client for the interop tests in clients-go.test.js: nats.go
// (Debian's 1.22) runs one group of scenarios against the server at the given
// URL and prints a transcript that holds only what must be the same between
// tsnats and the Go nats-server (no ids, ports, timings). "@restart" and
// "@ldm" lines ask the test to restart the server or put it in lame duck mode.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

var url string
var arg = map[string]string{}

func say(format string, a ...interface{}) { fmt.Printf(format+"\n", a...) }

func section(name string) { say("== %s", name) }

var inbox = regexp.MustCompile(`_INBOX\.[A-Za-z0-9.]+`)

// errText is the error's text with inbox subjects (random) masked.
func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return inbox.ReplaceAllString(err.Error(), "_INBOX.<id>")
}

func connect(opts ...nats.Option) *nats.Conn {
	opts = append([]nats.Option{nats.Timeout(3 * time.Second), nats.NoReconnect()}, opts...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		say("connect error: %s", errText(err))
		os.Exit(0)
	}
	return nc
}

// next prints the next message of a sync subscription or "timeout".
func next(sub *nats.Subscription, d time.Duration) *nats.Msg {
	m, err := sub.NextMsg(d)
	if err != nil {
		say("  next: %s", errText(err))
		return nil
	}
	say("  msg %s %q reply=%v", m.Subject, string(m.Data), m.Reply != "")
	return m
}

func drainAll(sub *nats.Subscription) {
	for {
		m, err := sub.NextMsg(300 * time.Millisecond)
		if err != nil {
			say("  end: %s", errText(err))
			return
		}
		say("  msg %s %q", m.Subject, string(m.Data))
	}
}

func headerText(h nats.Header) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%s", k, strings.Join(h[k], ",")))
	}
	return strings.Join(parts, " ")
}

func core() {
	nc := connect(nats.Name("core"))
	defer nc.Close()
	section("info")
	say("  max_payload=%d headers=%v server_name=%s", nc.MaxPayload(), nc.HeadersSupported(), nc.ConnectedServerName())
	cid, _ := nc.GetClientID()
	ip, _ := nc.GetClientIP()
	say("  client_id=%d client_ip=%s auth_required=%v tls_required=%v cluster=%q", cid, ip, nc.AuthRequired(), nc.TLSRequired(), nc.ConnectedClusterName())

	section("pubsub")
	sub, _ := nc.SubscribeSync("foo")
	nc.Publish("foo", []byte("hello"))
	next(sub, time.Second)
	say("  unsubscribe: %s", errText(sub.Unsubscribe()))
	other, _ := nc.SubscribeSync("foo")
	nc.Publish("foo", []byte("after"))
	next(other, time.Second)
	say("  old sub next: %s", errText(func() error { _, e := sub.NextMsg(100 * time.Millisecond); return e }()))
	other.Unsubscribe()

	section("wildcards")
	star, _ := nc.SubscribeSync("a.*")
	full, _ := nc.SubscribeSync("a.>")
	for _, s := range []string{"a", "a.b", "a.b.c", "b.c"} {
		nc.Publish(s, []byte(s))
	}
	nc.Flush()
	say(" a.*")
	drainAll(star)
	say(" a.>")
	drainAll(full)

	section("queue")
	q1, _ := nc.QueueSubscribeSync("q", "g")
	q2, _ := nc.QueueSubscribeSync("q", "g")
	plain, _ := nc.SubscribeSync("q")
	for i := 0; i < 20; i++ {
		nc.Publish("q", []byte("x"))
	}
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	n1, _, _ := q1.Pending()
	n2, _, _ := q2.Pending()
	np, _, _ := plain.Pending()
	say("  queue total=%d plain=%d", n1+n2, np)

	section("request")
	responder, _ := nc.Subscribe("svc", func(m *nats.Msg) { m.Respond([]byte("re:" + string(m.Data))) })
	nc.Flush()
	r, err := nc.Request("svc", []byte("new"), 2*time.Second)
	if err != nil {
		say("  new-style: %s", errText(err))
	} else {
		say("  new-style: %s", string(r.Data))
	}
	old := connect(nats.UseOldRequestStyle())
	r, err = old.Request("svc", []byte("old"), 2*time.Second)
	if err != nil {
		say("  old-style: %s", errText(err))
	} else {
		say("  old-style: %s", string(r.Data))
	}
	old.Close()
	responder.Unsubscribe()

	section("headers")
	hs, _ := nc.SubscribeSync("h")
	msg := nats.NewMsg("h")
	msg.Header.Add("X-One", "1")
	msg.Header.Add("X-One", "2")
	msg.Header.Set("Trace", "abc def")
	msg.Data = []byte("with headers")
	say("  publish: %s", errText(nc.PublishMsg(msg)))
	if m := next(hs, time.Second); m != nil {
		say("  header: %s", headerText(m.Header))
	}
	empty := nats.NewMsg("h")
	empty.Header.Set("Only", "header")
	nc.PublishMsg(empty)
	if m := next(hs, time.Second); m != nil {
		say("  header: %s", headerText(m.Header))
	}
	hr, _ := nc.Subscribe("hsvc", func(m *nats.Msg) {
		out := nats.NewMsg(m.Reply)
		out.Header.Set("Echo", m.Header.Get("Ask"))
		out.Data = m.Data
		m.RespondMsg(out)
	})
	nc.Flush()
	req := nats.NewMsg("hsvc")
	req.Header.Set("Ask", "q1")
	req.Data = []byte("body")
	if rm, err := nc.RequestMsg(req, 2*time.Second); err != nil {
		say("  request with headers: %s", errText(err))
	} else {
		say("  request with headers: %s %s", string(rm.Data), headerText(rm.Header))
	}
	hr.Unsubscribe()

	section("no-responders")
	_, err = nc.Request("nobody.home", []byte("?"), 2*time.Second)
	say("  new-style: %s", errText(err))
	msg2 := nats.NewMsg("nobody.home")
	_, err = nc.RequestMsg(msg2, 2*time.Second)
	say("  request msg: %s", errText(err))

	section("auto-unsubscribe")
	au, _ := nc.SubscribeSync("au")
	au.AutoUnsubscribe(3)
	for i := 0; i < 5; i++ {
		nc.Publish("au", []byte(fmt.Sprint(i)))
	}
	nc.Flush()
	drainAll(au)

	section("drain")
	var mu sync.Mutex
	got := 0
	ds, _ := nc.Subscribe("d", func(m *nats.Msg) {
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		got++
		mu.Unlock()
	})
	for i := 0; i < 10; i++ {
		nc.Publish("d", []byte("x"))
	}
	nc.Flush()
	say("  drain sub: %s", errText(ds.Drain()))
	for i := 0; i < 100 && ds.IsValid(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	say("  handled=%d valid=%v", got, ds.IsValid())
	mu.Unlock()
	closed := make(chan struct{})
	dc := connect(nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	dc.Subscribe("dc", func(m *nats.Msg) {})
	say("  drain conn: %s", errText(dc.Drain()))
	select {
	case <-closed:
		say("  closed after drain: %v", dc.IsClosed())
	case <-time.After(5 * time.Second):
		say("  drain did not close")
	}

	section("flush-rtt")
	say("  flush: %s", errText(nc.FlushTimeout(2*time.Second)))
	_, err = nc.RTT()
	say("  rtt: %s", errText(err))

	section("max-payload")
	big := make([]byte, nc.MaxPayload()+1)
	say("  publish too big: %s", errText(nc.Publish("big", big)))
	ok := make([]byte, nc.MaxPayload())
	bs, _ := nc.SubscribeSync("big")
	say("  publish at limit: %s", errText(nc.Publish("big", ok)))
	if m, err := bs.NextMsg(time.Second); err == nil {
		say("  got %d bytes", len(m.Data))
	} else {
		say("  next: %s", errText(err))
	}
}

func reconnect() {
	section("reconnect")
	var mu sync.Mutex
	events := []string{}
	note := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	reconnected := make(chan struct{}, 1)
	nc, err := nats.Connect(url, nats.ReconnectWait(100*time.Millisecond), nats.MaxReconnects(100), nats.ReconnectJitter(0, 0),
		nats.DisconnectErrHandler(func(_ *nats.Conn, e error) { note("disconnected") }),
		nats.ReconnectHandler(func(*nats.Conn) { note("reconnected"); reconnected <- struct{}{} }))
	if err != nil {
		say("connect error: %s", errText(err))
		return
	}
	defer nc.Close()
	sub, _ := nc.SubscribeSync("rc")
	nc.Flush()
	say("@restart")
	select {
	case <-reconnected:
	case <-time.After(15 * time.Second):
		say("  no reconnect")
		return
	}
	nc.Publish("rc", []byte("after restart"))
	next(sub, 2*time.Second)
	mu.Lock()
	say("  events: %s", strings.Join(events, ","))
	mu.Unlock()
}

func lameDuck() {
	section("lame-duck")
	ldm := make(chan struct{}, 1)
	closed := make(chan struct{})
	nc := connect(nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	defer nc.Close()
	nc.Flush()
	say("@ldm")
	select {
	case <-ldm:
		say("  lame duck mode notified")
		_, err := nats.Connect(url, nats.NoReconnect(), nats.Timeout(time.Second))
		say("  new connection: %s", errText(err))
		say("  still connected: %v", nc.IsConnected())
		select {
		case <-closed:
			say("  closed by the server; last error: %s", errText(nc.LastError()))
		case <-time.After(10 * time.Second):
			say("  not closed by the server")
		}
	case <-time.After(10 * time.Second):
		say("  no lame duck notification")
	}
}

func asyncErrors() (nats.Option, func() string) {
	ch := make(chan string, 10)
	opt := nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, e error) {
		subj := ""
		if s != nil {
			subj = s.Subject
		}
		ch <- fmt.Sprintf("%s (sub %q)", errText(e), subj)
	})
	return opt, func() string {
		select {
		case s := <-ch:
			return s
		case <-time.After(time.Second):
			return "none"
		}
	}
}

func auth() {
	section("user-password")
	nc := connect(nats.UserInfo("alice", "secret"))
	say("  connected; rtt: %s", errText(func() error { _, e := nc.RTT(); return e }()))
	nc.Close()
	_, err := nats.Connect(url, nats.UserInfo("alice", "wrong"), nats.NoReconnect())
	say("  wrong password: %s", errText(err))
	_, err = nats.Connect(url, nats.NoReconnect())
	say("  no credentials: %s", errText(err))
	_, err = nats.Connect(url, nats.Token("nope"), nats.NoReconnect())
	say("  token instead: %s", errText(err))
	nc = connect(nats.UserInfo("hashed", "pw2"))
	say("  bcrypt password connected; flush: %s", errText(nc.Flush()))
	nc.Close()
	_, err = nats.Connect(url, nats.UserInfo("hashed", "pw3"), nats.NoReconnect())
	say("  wrong bcrypt password: %s", errText(err))

	section("nkey")
	seedFile := arg["seed"]
	opt, err := nats.NkeyOptionFromSeed(seedFile)
	if err != nil {
		say("  seed file: %s", errText(err))
	} else {
		nc := connect(opt)
		say("  seed file connected; flush: %s", errText(nc.Flush()))
		nc.Close()
	}
	raw, _ := os.ReadFile(seedFile)
	kp, _ := nkeys.FromSeed([]byte(strings.TrimSpace(string(raw))))
	pub, _ := kp.PublicKey()
	nc = connect(nats.Nkey(pub, func(nonce []byte) ([]byte, error) { return kp.Sign(nonce) }))
	say("  callback connected; flush: %s", errText(nc.Flush()))
	nc.Close()
	other, _ := nkeys.CreateUser()
	otherPub, _ := other.PublicKey()
	_, err = nats.Connect(url, nats.Nkey(otherPub, func(n []byte) ([]byte, error) { return other.Sign(n) }), nats.NoReconnect())
	say("  unknown nkey: %s", errText(err))
	_, err = nats.Connect(url, nats.Nkey(pub, func(n []byte) ([]byte, error) { return other.Sign(n) }), nats.NoReconnect())
	say("  bad signature: %s", errText(err))

	section("permissions")
	errOpt, nextErr := asyncErrors()
	nc = connect(nats.UserInfo("limited", "pw"), errOpt)
	defer nc.Close()
	nc.Publish("forbidden.x", []byte("no"))
	nc.Flush()
	say("  publish denied: %s", nextErr())
	s, _ := nc.SubscribeSync("secret.x")
	nc.Flush()
	say("  subscribe denied: %s", nextErr())
	say("  sub still valid: %v", s.IsValid())
	_, err = nc.Request("forbidden.req", nil, time.Second)
	say("  request to denied subject: %s", errText(err))
	say("    async: %s", nextErr())
	allowed, _ := nc.SubscribeSync("open.x")
	nc.Publish("open.x", []byte("fine"))
	next(allowed, time.Second)
	say("  still connected: %v", nc.IsConnected())
}

func token() {
	section("token")
	nc := connect(nats.Token("s3cr3t"))
	say("  connected; flush: %s", errText(nc.Flush()))
	nc.Close()
	_, err := nats.Connect(url, nats.Token("wrong"), nats.NoReconnect())
	say("  wrong token: %s", errText(err))
	_, err = nats.Connect(url, nats.UserInfo("user", "pass"), nats.NoReconnect())
	say("  user instead: %s", errText(err))
}

// keyPaths lists a JSON object's keys down to depth levels, sorted.
func keyPaths(v interface{}, prefix string, depth int, out *[]string) {
	m, ok := v.(map[string]interface{})
	if !ok || depth == 0 {
		return
	}
	for k, val := range m {
		*out = append(*out, prefix+k)
		keyPaths(val, prefix+k+".", depth-1, out)
	}
}

func shape(data []byte) string {
	var v interface{}
	if err := json.Unmarshal(data, &v); err != nil {
		return "not json: " + err.Error()
	}
	out := []string{}
	keyPaths(v, "", 2, &out)
	sort.Strings(out)
	return strings.Join(out, " ")
}

func accounts() {
	section("service-import")
	a := connect(nats.UserInfo("a", "a"))
	defer a.Close()
	seen := make(chan string, 1)
	a.Subscribe("svc.echo", func(m *nats.Msg) {
		seen <- fmt.Sprintf("%s reply_prefix=%v", m.Subject, strings.HasPrefix(m.Reply, "_R_."))
		m.Respond([]byte("echo:" + string(m.Data)))
	})
	a.Flush()
	b := connect(nats.UserInfo("b", "b"))
	defer b.Close()
	r, err := b.Request("echo", []byte("hi"), 2*time.Second)
	if err != nil {
		say("  request: %s", errText(err))
	} else {
		say("  request: %s", string(r.Data))
		say("  responder saw: %s", <-seen)
	}
	old := connect(nats.UserInfo("b", "b"), nats.UseOldRequestStyle())
	r, err = old.Request("echo", []byte("old"), 2*time.Second)
	if err != nil {
		say("  old-style request: %s", errText(err))
	} else {
		say("  old-style request: %s", string(r.Data))
		<-seen
	}
	old.Close()
	_, err = b.Request("svc.echo", []byte("direct"), time.Second)
	say("  not imported subject: %s", errText(err))
	bs, _ := b.SubscribeSync("svc.echo")
	a.Publish("svc.echo.x", []byte("a-only"))
	a.Flush()
	_, err = bs.NextMsg(200 * time.Millisecond)
	say("  isolation: %s", errText(err))

	section("stream-import")
	news, _ := b.SubscribeSync("imp.news.>")
	b.Flush()
	a.Publish("news.today", []byte("headline"))
	a.Flush()
	next(news, time.Second)

	section("utf8-imports")
	a.Subscribe("dienst.ä", func(m *nats.Msg) { m.Respond([]byte("antwort")) })
	a.Flush()
	if r, err := b.Request("grüß", []byte("frage"), 2*time.Second); err != nil {
		say("  service: %s", errText(err))
	} else {
		say("  service: %s", string(r.Data))
	}
	us, _ := b.SubscribeSync("ü.nachrichten.ö")
	b.Flush()
	a.Publish("nachrichten.ö", []byte("neu"))
	a.Flush()
	next(us, time.Second)

	section("no-auth-user")
	anon := connect()
	r, err = anon.Request("echo", []byte("anon"), 2*time.Second)
	if err != nil {
		say("  request as the no_auth_user: %s", errText(err))
	} else {
		say("  request as the no_auth_user: %s", string(r.Data))
		<-seen
	}
	anon.Close()

	section("system-account")
	sys := connect(nats.UserInfo("sys", "sys"))
	defer sys.Close()
	r, err = sys.Request("$SYS.REQ.SERVER.PING", nil, 2*time.Second)
	if err != nil {
		say("  ping: %s", errText(err))
	} else {
		say("  ping shape: %s", shape(r.Data))
		var v struct {
			Server struct {
				Name string `json:"name"`
			} `json:"server"`
		}
		json.Unmarshal(r.Data, &v)
		say("  ping server name: %s", v.Server.Name)
	}
	events, _ := sys.SubscribeSync("$SYS.ACCOUNT.*.CONNECT")
	gone, _ := sys.SubscribeSync("$SYS.ACCOUNT.*.DISCONNECT")
	sys.Flush()
	c := connect(nats.UserInfo("a", "a"), nats.Name("watched"))
	c.Publish("counted", []byte("12345"))
	c.Flush()
	c.Close()
	if m, err := events.NextMsg(2 * time.Second); err != nil {
		say("  connect event: %s", errText(err))
	} else {
		say("  connect event subject: %s", m.Subject)
		say("  connect event shape: %s", shape(m.Data))
		var ev struct {
			Type   string `json:"type"`
			Client struct {
				Account string `json:"acc"`
				User    string `json:"user"`
				Name    string `json:"name"`
				Lang    string `json:"lang"`
			} `json:"client"`
		}
		json.Unmarshal(m.Data, &ev)
		say("  connect event: type=%s acc=%s user=%s name=%s lang=%s", ev.Type, ev.Client.Account, ev.Client.User, ev.Client.Name, ev.Client.Lang)
	}
	if m, err := gone.NextMsg(2 * time.Second); err != nil {
		say("  disconnect event: %s", errText(err))
	} else {
		say("  disconnect event subject: %s", m.Subject)
		say("  disconnect event shape: %s", shape(m.Data))
		var ev struct {
			Type   string `json:"type"`
			Reason string `json:"reason"`
			Client struct {
				Name string `json:"name"`
			} `json:"client"`
			Sent struct {
				Msgs  int `json:"msgs"`
				Bytes int `json:"bytes"`
			} `json:"sent"`
		}
		json.Unmarshal(m.Data, &ev)
		say("  disconnect event: type=%s reason=%s name=%s sent=%d/%d", ev.Type, ev.Reason, ev.Client.Name, ev.Sent.Msgs, ev.Sent.Bytes)
	}
	section("non-ascii-account")
	mev, _ := sys.SubscribeSync("$SYS.ACCOUNT.Müller.CONNECT")
	sys.Flush()
	mc := connect(nats.UserInfo("m", "m"))
	if m, err := mev.NextMsg(2 * time.Second); err != nil {
		say("  connect event: %s", errText(err))
	} else {
		var ev struct {
			Client struct {
				Account string `json:"acc"`
			} `json:"client"`
		}
		json.Unmarshal(m.Data, &ev)
		say("  connect event %q acc=%q", m.Subject, ev.Client.Account)
	}
	for _, who := range []struct {
		nc      *nats.Conn
		subject string
	}{{sys, "$SYS.REQ.ACCOUNT.Müller.CONNZ"}, {mc, "$SYS.REQ.ACCOUNT.PING.CONNZ"}} {
		if r, err := who.nc.Request(who.subject, nil, 2*time.Second); err != nil {
			say("  %s: %s", who.subject, errText(err))
		} else {
			var cz struct {
				Data struct {
					Num int `json:"num_connections"`
				} `json:"data"`
				Error struct {
					Description string `json:"description"`
				} `json:"error"`
			}
			json.Unmarshal(r.Data, &cz)
			say("  %s: connections=%d error=%q", who.subject, cz.Data.Num, cz.Error.Description)
		}
	}
	mc.Close()

	_, err = a.Request("$SYS.REQ.SERVER.PING", nil, 500*time.Millisecond)
	say("  ping from account A: %s", errText(err))
}

func tlsScenario() {
	section("tls")
	errOpt, nextErr := asyncErrors()
	nc, err := nats.Connect(url, nats.RootCAs(arg["ca"]), nats.ClientCert(arg["cert"], arg["key"]), nats.NoReconnect(), errOpt)
	if err != nil {
		say("  with client cert: %s", errText(err))
	} else {
		sub, _ := nc.SubscribeSync("t")
		nc.Publish("t", []byte("secure"))
		next(sub, time.Second)
		say("  tls required by server: %v", nc.TLSRequired())
		nc.Publish("t.denied", []byte("no"))
		nc.Flush()
		say("  mapped user's permissions: %s", nextErr())
		nc.Close()
	}
	_, err = nats.Connect(url, nats.RootCAs(arg["ca"]), nats.NoReconnect())
	say("  without client cert rejected: %v", err != nil)
	_, err = nats.Connect(url, nats.RootCAs(arg["ca"]), nats.ClientCert(arg["other-cert"], arg["other-key"]), nats.NoReconnect())
	say("  cert from another CA rejected: %v", err != nil)
	_, err = nats.Connect(strings.Replace(url, "tls://", "nats://", 1), nats.NoReconnect(), nats.Timeout(2*time.Second))
	say("  client without the CA: %s", errText(err))
}

func edge() {
	section("bad-subjects")
	errOpt, nextErr := asyncErrors()
	nc := connect(nats.UserInfo("plain", "p"), errOpt)
	_, err := nc.SubscribeSync("foo..bar")
	say("  subscribe foo..bar: %s", errText(err))
	nc.Flush()
	say("    async: %s", nextErr())
	_, err = nc.SubscribeSync("foo.>.bar")
	say("  subscribe foo.>.bar: %s", errText(err))
	nc.Flush()
	say("    async: %s", nextErr())
	say("  connected: %v; last error: %s", nc.IsConnected(), errText(nc.LastError()))
	nc.Close()

	section("wildcard-publish")
	nc = connect(nats.UserInfo("plain", "p"))
	ws, _ := nc.SubscribeSync("wp.*")
	say("  publish wp.*: %s", errText(nc.Publish("wp.*", []byte("star"))))
	nc.Flush()
	next(ws, 300*time.Millisecond)
	nc.Close()

	section("max-subscriptions")
	errOpt, nextErr = asyncErrors()
	nc = connect(nats.UserInfo("plain", "p"), errOpt)
	for i := 0; i < 6; i++ {
		_, err := nc.SubscribeSync(fmt.Sprintf("ms.%d", i))
		if err != nil {
			say("  sub %d: %s", i, errText(err))
		}
	}
	nc.Flush()
	say("  async: %s", nextErr())
	say("  connected: %v; last error: %s", nc.IsConnected(), errText(nc.LastError()))
	nc.Close()

	section("max-control-line")
	errOpt, nextErr = asyncErrors()
	closed := make(chan struct{})
	nc = connect(nats.UserInfo("plain", "p"), errOpt, nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	nc.Publish("long."+strings.Repeat("x", 600), []byte("x"))
	nc.Flush()
	select {
	case <-closed:
		say("  closed; last error: %s", errText(nc.LastError()))
	case <-time.After(3 * time.Second):
		say("  not closed; async: %s", nextErr())
	}

	section("no-echo")
	ne := connect(nats.UserInfo("plain", "p"), nats.NoEcho())
	other := connect(nats.UserInfo("plain", "p"))
	self, _ := ne.SubscribeSync("echo")
	peer, _ := other.SubscribeSync("echo")
	ne.Flush()
	other.Flush()
	ne.Publish("echo", []byte("from no-echo"))
	ne.Flush()
	next(peer, time.Second)
	next(self, 300*time.Millisecond)
	ne.Close()

	section("allow-responses")
	errOpt, nextErr = asyncErrors()
	svc := connect(nats.UserInfo("svc", "svc"), errOpt)
	svc.Subscribe("req.x", func(m *nats.Msg) {
		say("  responder respond: %s", errText(m.Respond([]byte("answer"))))
		say("  responder second respond: %s", errText(m.Respond([]byte("again"))))
	})
	svc.Flush()
	r, err := other.Request("req.x", []byte("q"), 2*time.Second)
	if err != nil {
		say("  request: %s", errText(err))
	} else {
		say("  request: %s", string(r.Data))
	}
	svc.Flush()
	say("  async: %s", nextErr())
	svc.Publish("elsewhere", []byte("x"))
	svc.Flush()
	say("  publish elsewhere: %s", nextErr())
	svc.Close()

	section("deny-under-wildcard")
	errOpt, nextErr = asyncErrors()
	w := connect(nats.UserInfo("watcher", "w"), errOpt)
	all, _ := w.SubscribeSync(">")
	w.Flush()
	other.Publish("secret.x", []byte("hidden"))
	other.Publish("open.x", []byte("seen"))
	other.Flush()
	next(all, time.Second)
	next(all, 300*time.Millisecond)
	_, err = w.QueueSubscribeSync("secret.q", "workers")
	w.Flush()
	say("  queue subscribe denied: %s", nextErr())
	w.Close()

	section("verbose-pedantic")
	errOpt, nextErr = asyncErrors()
	vp := connect(nats.UserInfo("plain", "p"), errOpt, func(o *nats.Options) error { o.Verbose = true; o.Pedantic = true; return nil })
	vs, _ := vp.SubscribeSync("vp.>")
	vp.Publish("vp.a", []byte("verbose"))
	say("  flush: %s", errText(vp.Flush()))
	next(vs, time.Second)
	vp.Publish("vp.*", []byte("wild"))
	say("  flush after wildcard publish: %s", errText(vp.Flush()))
	say("  async: %s", nextErr())
	say("  connected: %v; last error: %s", vp.IsConnected(), errText(vp.LastError()))
	vp.Close()

	section("utf8-subjects")
	errOpt, nextErr = asyncErrors()
	intl := connect(nats.UserInfo("intl", "i"), errOpt)
	gs, _ := intl.SubscribeSync("grüße.>")
	intl.Publish("grüße.welt", []byte("hallo"))
	next(gs, time.Second)
	intl.Publish("tschüss.x", []byte("no"))
	intl.Flush()
	say("  publish denied: %s", nextErr())
	intl.SubscribeSync("verboten.ß")
	intl.Flush()
	say("  subscribe denied: %s", nextErr())
	ms, _ := intl.SubscribeSync("birnen.>")
	intl.Publish("äpfel.rot", []byte("mapped"))
	next(ms, time.Second)
	intl.SubscribeSync("Ärger")
	intl.Flush()
	say("  allowed: %s", nextErr())
	intl.Close()

	section("large-payloads")
	big := make([]byte, other.MaxPayload())
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	ls, _ := other.SubscribeSync("large")
	other.Publish("large", big)
	if m, err := ls.NextMsg(2 * time.Second); err != nil {
		say("  next: %s", errText(err))
	} else {
		say("  got %d bytes, intact=%v", len(m.Data), string(m.Data) == string(big))
	}
	count, _ := other.SubscribeSync("burst")
	count.SetPendingLimits(-1, -1)
	for i := 0; i < 5000; i++ {
		other.Publish("burst", big[:1000])
	}
	other.Flush()
	time.Sleep(200 * time.Millisecond)
	n, _, _ := count.Pending()
	say("  burst received=%d", n)
	other.Close()
}

func websocket() {
	section("websocket")
	nc := connect()
	defer nc.Close()
	sub, _ := nc.SubscribeSync("ws.>")
	nc.Publish("ws.a", []byte("over websocket"))
	next(sub, time.Second)
	m := nats.NewMsg("ws.h")
	m.Header.Set("K", "v")
	m.Data = make([]byte, 200000)
	nc.PublishMsg(m)
	if got, err := sub.NextMsg(time.Second); err == nil {
		say("  %d bytes, header %s", len(got.Data), headerText(got.Header))
	} else {
		say("  next: %s", errText(err))
	}
	_, err := nc.Request("nobody", nil, time.Second)
	say("  no responders: %s", errText(err))
	say("  max_payload=%d headers=%v", nc.MaxPayload(), nc.HeadersSupported())
}

func jetstream() {
	nc := connect()
	defer nc.Close()
	js, err := nc.JetStream(nats.MaxWait(3 * time.Second))
	if err != nil {
		say("jetstream context: %s", errText(err))
		return
	}
	section("js-account")
	if ai, err := js.AccountInfo(); err != nil {
		say("  account info: %s", errText(err))
		return
	} else {
		say("  streams=%d consumers=%d", ai.Streams, ai.Consumers)
	}

	section("js-streams")
	si, err := js.AddStream(&nats.StreamConfig{Name: "S", Subjects: []string{"s.>"}, Storage: nats.MemoryStorage})
	if err != nil {
		say("  add stream: %s", errText(err))
		return
	}
	say("  added %s subjects=%v storage=%s retention=%s", si.Config.Name, si.Config.Subjects, si.Config.Storage, si.Config.Retention)
	_, err = js.AddStream(&nats.StreamConfig{Name: "T", Subjects: []string{"s.a"}, Storage: nats.MemoryStorage})
	say("  overlapping stream: %s", errText(err))
	_, err = js.StreamInfo("nope")
	say("  missing stream: %s", errText(err))
	for i := 1; i <= 3; i++ {
		ack, err := js.Publish(fmt.Sprintf("s.%d", i), []byte(fmt.Sprintf("m%d", i)))
		if err != nil {
			say("  publish: %s", errText(err))
		} else {
			say("  ack stream=%s seq=%d duplicate=%v", ack.Stream, ack.Sequence, ack.Duplicate)
		}
	}
	ack, err := js.Publish("s.id", []byte("once"), nats.MsgId("id-1"))
	say("  with id: seq=%d err=%s", ack.Sequence, errText(err))
	ack, err = js.Publish("s.id", []byte("twice"), nats.MsgId("id-1"))
	if err == nil {
		say("  duplicate: seq=%d duplicate=%v", ack.Sequence, ack.Duplicate)
	} else {
		say("  duplicate: %s", errText(err))
	}
	_, err = js.Publish("nostream.x", []byte("x"))
	say("  publish without stream: %s", errText(err))
	si, _ = js.StreamInfo("S")
	say("  state msgs=%d first=%d last=%d subjects=%d", si.State.Msgs, si.State.FirstSeq, si.State.LastSeq, si.State.NumSubjects)
	m, err := js.GetMsg("S", 2)
	if err != nil {
		say("  get msg: %s", errText(err))
	} else {
		say("  get msg 2: %s %s", m.Subject, string(m.Data))
	}
	m, err = js.GetLastMsg("S", "s.3")
	if err == nil {
		say("  last for s.3: seq=%d %s", m.Sequence, string(m.Data))
	} else {
		say("  last for s.3: %s", errText(err))
	}

	section("js-consumers")
	sub, err := js.SubscribeSync("s.>", nats.Durable("push"), nats.AckExplicit(), nats.DeliverAll())
	if err != nil {
		say("  push subscribe: %s", errText(err))
	} else {
		for i := 0; i < 2; i++ {
			if m, err := sub.NextMsg(2 * time.Second); err != nil {
				say("  push next: %s", errText(err))
			} else {
				md, _ := m.Metadata()
				say("  push %s %s stream_seq=%d consumer_seq=%d delivered=%d", m.Subject, string(m.Data), md.Sequence.Stream, md.Sequence.Consumer, md.NumDelivered)
				say("  ack: %s", errText(m.AckSync()))
			}
		}
		ci, _ := sub.ConsumerInfo()
		say("  push info: name=%s ack_floor=%d pending=%d", ci.Name, ci.AckFloor.Consumer, ci.NumPending)
	}
	pull, err := js.PullSubscribe("s.>", "pull")
	if err != nil {
		say("  pull subscribe: %s", errText(err))
	} else {
		msgs, err := pull.Fetch(3, nats.MaxWait(2*time.Second))
		say("  fetch: %d %s", len(msgs), errText(err))
		for _, m := range msgs {
			say("  pulled %s %s; ack: %s", m.Subject, string(m.Data), errText(m.AckSync()))
		}
		ci, _ := pull.ConsumerInfo()
		say("  pull info: delivered=%d ack_pending=%d pending=%d", ci.Delivered.Consumer, ci.NumAckPending, ci.NumPending)
	}
	_, err = js.ConsumerInfo("S", "nope")
	say("  missing consumer: %s", errText(err))

	section("js-kv")
	kv, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "kv", History: 3, Storage: nats.MemoryStorage})
	if err != nil {
		say("  create bucket: %s", errText(err))
	} else {
		r1, err := kv.Put("k", []byte("v1"))
		say("  put: rev=%d %s", r1, errText(err))
		r2, _ := kv.Put("k", []byte("v2"))
		e, err := kv.Get("k")
		if err == nil {
			say("  get: %s rev=%d (put %d)", string(e.Value()), e.Revision(), r2)
		} else {
			say("  get: %s", errText(err))
		}
		_, err = kv.Update("k", []byte("v3"), r1)
		say("  update with a stale revision: %s", errText(err))
		_, err = kv.Create("k", []byte("again"))
		say("  create existing: %s", errText(err))
		say("  delete: %s", errText(kv.Delete("k")))
		_, err = kv.Get("k")
		say("  get deleted: %s", errText(err))
		h, err := kv.History("k")
		say("  history: %d %s", len(h), errText(err))
		_, err = kv.Get("missing")
		say("  get missing: %s", errText(err))
	}

	section("js-cleanup")
	say("  delete stream: %s", errText(js.DeleteStream("S")))
	say("  delete again: %s", errText(js.DeleteStream("S")))
}

func main() {
	group := os.Args[1]
	url = os.Args[2]
	for _, kv := range os.Args[3:] {
		p := strings.SplitN(kv, "=", 2)
		arg[p[0]] = p[1]
	}
	switch group {
	case "core":
		core()
	case "restart":
		reconnect()
		lameDuck()
	case "auth":
		auth()
	case "token":
		token()
	case "accounts":
		accounts()
	case "tls":
		tlsScenario()
	case "edge":
		edge()
	case "websocket":
		websocket()
	case "jetstream":
		jetstream()
	}
	say("== done")
}

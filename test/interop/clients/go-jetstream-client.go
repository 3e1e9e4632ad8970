// Scenario client for clients-go-consumers.test.js: nats.go (Debian's 1.22)
// drives pull, push and ordered consumers, every ack kind, KV watch/history/
// keys/purge and the object store against the server at the given URL, and
// raw requests for bad input, printing a transcript that holds only what
// must be the same between tsnats and the Go nats-server (no ids, times).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

var url string

func say(format string, a ...interface{}) { fmt.Printf(format+"\n", a...) }

func section(name string) { say("== %s", name) }

var inbox = regexp.MustCompile(`_INBOX\.[A-Za-z0-9.]+`)

var pendingCount = regexp.MustCompile(` pending=\d+`)

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return inbox.ReplaceAllString(err.Error(), "_INBOX.<id>")
}

func connect() *nats.Conn {
	nc, err := nats.Connect(url, nats.Timeout(3*time.Second), nats.NoReconnect())
	if err != nil {
		say("connect error: %s", errText(err))
		os.Exit(0)
	}
	return nc
}

// status is a message as a status or a delivery: code, description and the
// header names and values that do not depend on timing.
func status(m *nats.Msg) string {
	code := m.Header.Get("Status")
	if code == "" {
		md, err := m.Metadata()
		if err != nil {
			return fmt.Sprintf("msg %s %q", inbox.ReplaceAllString(m.Subject, "_INBOX.<id>"), string(m.Data))
		}
		return fmt.Sprintf("msg %s %q sseq=%d cseq=%d delivered=%d pending=%d", m.Subject, string(m.Data), md.Sequence.Stream, md.Sequence.Consumer, md.NumDelivered, md.NumPending)
	}
	keys := []string{}
	for k := range m.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := []string{}
	for _, k := range keys {
		if k == "Status" || k == "Description" {
			continue
		}
		v := m.Header.Get(k)
		if k == "Nats-Consumer-Stalled" {
			v = "<subject>"
		}
		parts = append(parts, k+"="+v)
	}
	return fmt.Sprintf("status %s %q %s data=%d", code, m.Header.Get("Description"), strings.Join(parts, " "), len(m.Data))
}

// rawPull sends one pull request with `body` and prints what arrives within `wait`.
func rawPull(nc *nats.Conn, stream, consumer, body string, wait time.Duration, limit int) {
	reply := nats.NewInbox()
	sub, _ := nc.SubscribeSync(reply)
	defer sub.Unsubscribe()
	nc.PublishRequest(fmt.Sprintf("$JS.API.CONSUMER.MSG.NEXT.%s.%s", stream, consumer), reply, []byte(body))
	deadline := time.Now().Add(wait)
	n := 0
	for time.Now().Before(deadline) {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		n++
		if n <= limit {
			say("  %s", status(m))
		}
	}
	if n > limit {
		say("  ... %d in all", n)
	}
	if n == 0 {
		say("  (silence)")
	}
}

// api makes a JetStream API request and prints the answer's error or the named keys.
func api(nc *nats.Conn, subj, body string, keys ...string) map[string]interface{} {
	m, err := nc.Request("$JS.API."+subj, []byte(body), 2*time.Second)
	if err != nil {
		say("  %s: %s", subj, errText(err))
		return nil
	}
	var v map[string]interface{}
	if err := json.Unmarshal(m.Data, &v); err != nil {
		say("  %s: not json %q", subj, string(m.Data))
		return nil
	}
	if e, ok := v["error"]; ok {
		b, _ := json.Marshal(e)
		say("  %s: error %s", subj, string(b))
		return v
	}
	parts := []string{}
	for _, k := range keys {
		b, _ := json.Marshal(dig(v, k))
		parts = append(parts, k+"="+string(b))
	}
	say("  %s: %s", subj, strings.Join(parts, " "))
	return v
}

func dig(v interface{}, path string) interface{} {
	for _, p := range strings.Split(path, ".") {
		o, ok := v.(map[string]interface{})
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

func info(js nats.JetStreamContext, stream, consumer string) {
	ci, err := js.ConsumerInfo(stream, consumer)
	if err != nil {
		say("  info: %s", errText(err))
		return
	}
	say("  info: delivered=%d/%d ack_floor=%d/%d pending=%d ack_pending=%d redelivered=%d waiting=%d", ci.Delivered.Consumer, ci.Delivered.Stream, ci.AckFloor.Consumer, ci.AckFloor.Stream, ci.NumPending, ci.NumAckPending, ci.NumRedelivered, ci.NumWaiting)
}

func publish(js nats.JetStreamContext, subj string, n int, size int) {
	for i := 1; i <= n; i++ {
		data := fmt.Sprintf("%s-%d", subj, i)
		if size > len(data) {
			data += strings.Repeat("x", size-len(data))
		}
		if _, err := js.Publish(subj, []byte(data)); err != nil {
			say("  publish: %s", errText(err))
		}
	}
}

func pull() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("pull-fetch")
	js.AddStream(&nats.StreamConfig{Name: "P", Subjects: []string{"p.>"}, Storage: nats.FileStorage})
	publish(js, "p.a", 10, 0)
	sub, err := js.PullSubscribe("p.>", "fetcher", nats.AckExplicit())
	if err != nil {
		say("  pull subscribe: %s", errText(err))
		return
	}
	msgs, err := sub.Fetch(4, nats.MaxWait(time.Second))
	say("  fetch 4: %d %s", len(msgs), errText(err))
	for _, m := range msgs {
		say("  %s", status(m))
		m.Ack()
	}
	msgs, err = sub.Fetch(3, nats.MaxWait(time.Second), nats.PullMaxBytes(40))
	say("  fetch 3 max_bytes=40: %d %s", len(msgs), errText(err))
	for _, m := range msgs {
		m.AckSync()
	}
	msgs, err = sub.Fetch(20, nats.MaxWait(500*time.Millisecond))
	say("  fetch 20 (rest): %d %s", len(msgs), errText(err))
	for _, m := range msgs {
		m.AckSync()
	}
	msgs, err = sub.Fetch(2, nats.MaxWait(300*time.Millisecond))
	say("  fetch empty: %d %s", len(msgs), errText(err))
	// The fetch's last request expires just as the client gives up: let it go first.
	time.Sleep(400 * time.Millisecond)
	info(js, "P", "fetcher")

	section("pull-raw")
	publish(js, "p.b", 3, 100)
	api(nc, "CONSUMER.DURABLE.CREATE.P.raw", `{"stream_name":"P","config":{"durable_name":"raw","ack_policy":"explicit","max_waiting":3,"max_batch":5,"max_expires":2000000000,"max_bytes":1000}}`, "config.max_waiting", "config.max_batch", "config.max_bytes")
	rawPull(nc, "P", "raw", `{"batch":2,"no_wait":true}`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"max_bytes":50,"expires":500000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":6,"expires":500000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"max_bytes":5000,"expires":500000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"expires":5000000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1}`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":2,"expires":300000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"no_wait":true,"expires":300000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `7`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", ``, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":-5,"expires":300000000}`, 700*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"expires":-1}`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":"x"}`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"no_wait":true,"bogus":[1,2]}`, 300*time.Millisecond, 5)
	rawPull(nc, "P", "raw", `{"batch":1,"expires":300000000,"idle_heartbeat":100000000}`, 700*time.Millisecond, 5)
	// max_waiting=3, nothing pending: a fourth waiting request is refused; two
	// messages published then go to the first two, the third expires.
	rawPull(nc, "P", "raw", `{"batch":5,"no_wait":true}`, 300*time.Millisecond, 5)
	inboxes := []*nats.Subscription{}
	for i := 0; i < 4; i++ {
		reply := nats.NewInbox()
		s, _ := nc.SubscribeSync(reply)
		inboxes = append(inboxes, s)
		nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.P.raw", reply, []byte(`{"batch":1,"expires":1000000000}`))
		nc.Flush()
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	info(js, "P", "raw")
	publish(js, "p.c", 2, 0)
	for i, s := range inboxes {
		m, err := s.NextMsg(1500 * time.Millisecond)
		if err != nil {
			say("  waiter %d: %s", i, errText(err))
		} else {
			// The pending count depends on whether the next publication was stored yet.
			say("  waiter %d: %s", i, pendingCount.ReplaceAllString(status(m), ""))
		}
		s.Unsubscribe()
	}
	// An absurd batch on a consumer without max_batch, and an absurd expiry.
	api(nc, "CONSUMER.DURABLE.CREATE.P.wide", `{"stream_name":"P","config":{"durable_name":"wide","ack_policy":"none"}}`, "config.max_waiting")
	rawPull(nc, "P", "wide", `{"batch":1000000000,"no_wait":true}`, 500*time.Millisecond, 3)
	rawPull(nc, "P", "wide", `{"batch":1,"expires":9000000000000000000,"no_wait":true}`, 300*time.Millisecond, 3)
	info(js, "P", "wide")

	section("pull-deleted")
	api(nc, "CONSUMER.DURABLE.CREATE.P.gone", `{"stream_name":"P","config":{"durable_name":"gone","ack_policy":"explicit","deliver_policy":"new"}}`, "config.deliver_policy")
	reply := nats.NewInbox()
	s, _ := nc.SubscribeSync(reply)
	nc.PublishRequest("$JS.API.CONSUMER.MSG.NEXT.P.gone", reply, []byte(`{"batch":3,"expires":3000000000}`))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	say("  delete: %s", errText(js.DeleteConsumer("P", "gone")))
	if m, err := s.NextMsg(time.Second); err != nil {
		say("  waiter: %s", errText(err))
	} else {
		say("  waiter: %s", status(m))
	}
	s.Unsubscribe()
}

func acks() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("ack-kinds")
	js.AddStream(&nats.StreamConfig{Name: "A", Subjects: []string{"a.>"}, Storage: nats.MemoryStorage})
	publish(js, "a.x", 6, 0)
	sub, _ := js.PullSubscribe("a.>", "acker", nats.AckExplicit(), nats.AckWait(800*time.Millisecond), nats.MaxDeliver(3))
	msgs, err := sub.Fetch(6, nats.MaxWait(time.Second))
	say("  fetch: %d %s", len(msgs), errText(err))
	if len(msgs) < 6 {
		return
	}
	say("  ack sync 1: %s", errText(msgs[0].AckSync()))
	say("  double ack 1: %s", errText(msgs[0].AckSync()))
	say("  nak 2: %s", errText(msgs[1].Nak()))
	say("  nak 3 delay: %s", errText(msgs[2].NakWithDelay(2*time.Second)))
	say("  term 4: %s", errText(msgs[3].Term()))
	say("  in progress 5: %s", errText(msgs[4].InProgress()))
	say("  ack 6: %s", errText(msgs[5].Ack()))
	nc.Flush()
	time.Sleep(100 * time.Millisecond)
	info(js, "A", "acker")
	more, err := sub.Fetch(5, nats.MaxWait(time.Second))
	say("  refetch: %d %s", len(more), errText(err))
	for _, m := range more {
		say("  %s", status(m))
	}
	for _, m := range more {
		m.AckSync()
	}
	info(js, "A", "acker")
	// 3 (nak with 2 s delay) and 5 (in progress, then ack_wait) come back.
	later, err := sub.Fetch(5, nats.MaxWait(2500*time.Millisecond))
	say("  later: %d %s", len(later), errText(err))
	seqs := []string{}
	for _, m := range later {
		md, _ := m.Metadata()
		seqs = append(seqs, fmt.Sprintf("%d/%d", md.Sequence.Stream, md.NumDelivered))
		m.AckSync()
	}
	sort.Strings(seqs)
	say("  redelivered: %v", seqs)
	info(js, "A", "acker")

	section("ack-raw")
	// Acks to subjects that name nothing, or that are malformed: no answer, no effect.
	for _, subj := range []string{"$JS.ACK.A.acker.1.1.1.1.1", "$JS.ACK.A.nope.1.2.2.0.0", "$JS.ACK.nope.acker.1.2.2.0.0", "$JS.ACK.A.acker", "$JS.ACK.A.acker.x.y.z.0.0", "$JS.ACK.A.acker.1.99999999999999999999.1.0.0", "$JS.ACK.A.acker.0.0.0.0.0", "$JS.ACK"} {
		for _, body := range []string{"+ACK", "-NAK", "+TERM", "bogus"} {
			m, err := nc.Request(subj, []byte(body), 200*time.Millisecond)
			if err != nil {
				say("  %s %s: %s", subj, body, errText(err))
			} else {
				say("  %s %s: %q", subj, body, string(m.Data))
			}
		}
	}
	info(js, "A", "acker")
	publish(js, "a.y", 1, 0)
	// Every ack body Go knows, with a reply.
	for _, body := range []string{"", "+ACK", "-NAK", `-NAK {"delay":1000000000}`, "-NAK 1s", "+WPI", "+TERM", "+NXT", `+NXT {"batch":1}`, "+nope", "  +ACK"} {
		c := fmt.Sprintf("k%d", len(body))
		js.AddConsumer("A", &nats.ConsumerConfig{Durable: c, AckPolicy: nats.AckExplicitPolicy, FilterSubject: "a.y"})
		s, _ := js.PullSubscribe("a.y", c, nats.Bind("A", c))
		ms, err := s.Fetch(1, nats.MaxWait(time.Second))
		if err != nil || len(ms) == 0 {
			say("  %q: fetch %s", body, errText(err))
			continue
		}
		r, err := nc.Request(ms[0].Reply, []byte(body), 300*time.Millisecond)
		if err != nil {
			say("  %q: %s", body, errText(err))
		} else {
			say("  %q: %s", body, status(r))
		}
		info(js, "A", c)
		js.DeleteConsumer("A", c)
	}

	section("ack-all")
	js.AddStream(&nats.StreamConfig{Name: "AA", Subjects: []string{"aa.>"}, Storage: nats.MemoryStorage})
	publish(js, "aa.x", 5, 0)
	asub, err := js.PullSubscribe("aa.>", "all", nats.AckAll())
	if err != nil {
		say("  ack all subscribe: %s", errText(err))
		return
	}
	ms, _ := asub.Fetch(5, nats.MaxWait(time.Second))
	if len(ms) == 5 {
		say("  ack 3: %s", errText(ms[2].AckSync()))
		info(js, "AA", "all")
		say("  ack 2 again: %s", errText(ms[1].AckSync()))
		say("  ack 5: %s", errText(ms[4].AckSync()))
	}
	info(js, "AA", "all")

	section("workqueue")
	js.AddStream(&nats.StreamConfig{Name: "W", Subjects: []string{"w.>"}, Storage: nats.MemoryStorage, Retention: nats.WorkQueuePolicy})
	publish(js, "w.a", 5, 0)
	_, err = js.AddConsumer("W", &nats.ConsumerConfig{Durable: "none", AckPolicy: nats.AckNonePolicy})
	say("  ack none on workqueue: %s", errText(err))
	wsub, err := js.PullSubscribe("w.>", "work")
	if err != nil {
		say("  workqueue subscribe: %s", errText(err))
		return
	}
	ms, _ = wsub.Fetch(3, nats.MaxWait(time.Second))
	for _, m := range ms {
		m.AckSync()
	}
	info(js, "W", "work")
	si, _ := js.StreamInfo("W")
	say("  stream msgs=%d first=%d", si.State.Msgs, si.State.FirstSeq)
	_, err = js.AddConsumer("W", &nats.ConsumerConfig{Durable: "other", AckPolicy: nats.AckExplicitPolicy})
	say("  overlapping workqueue consumer: %s", errText(err))
	_, err = js.AddConsumer("W", &nats.ConsumerConfig{Durable: "other", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "w.b"})
	say("  overlapping filtered consumer: %s", errText(err))
	say("  delete work: %s", errText(js.DeleteConsumer("W", "work")))
	_, err = js.AddConsumer("W", &nats.ConsumerConfig{Durable: "third", AckPolicy: nats.AckExplicitPolicy, FilterSubject: "w.a"})
	say("  filtered consumer after delete: %s", errText(err))
	info(js, "W", "third")

	section("interest")
	js.AddStream(&nats.StreamConfig{Name: "I", Subjects: []string{"i.>"}, Storage: nats.MemoryStorage, Retention: nats.InterestPolicy})
	publish(js, "i.a", 2, 0)
	si, _ = js.StreamInfo("I")
	say("  no consumers: msgs=%d", si.State.Msgs)
	s1, _ := js.PullSubscribe("i.>", "one")
	s2, _ := js.PullSubscribe("i.>", "two")
	publish(js, "i.a", 3, 0)
	m1, _ := s1.Fetch(3, nats.MaxWait(time.Second))
	for _, m := range m1 {
		m.AckSync()
	}
	si, _ = js.StreamInfo("I")
	say("  one acked: msgs=%d", si.State.Msgs)
	m2, _ := s2.Fetch(2, nats.MaxWait(time.Second))
	for _, m := range m2 {
		m.AckSync()
	}
	si, _ = js.StreamInfo("I")
	say("  two acked 2: msgs=%d first=%d", si.State.Msgs, si.State.FirstSeq)
	say("  delete two: %s", errText(js.DeleteConsumer("I", "two")))
	si, _ = js.StreamInfo("I")
	say("  after delete: msgs=%d", si.State.Msgs)
}

func push() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("push-flow")
	js.AddStream(&nats.StreamConfig{Name: "F", Subjects: []string{"f.>"}, Storage: nats.FileStorage})
	publish(js, "f.a", 48, 128*1024)
	fcSeen := 0
	hbSeen := 0
	deliver := nats.NewInbox()
	raw, _ := nc.SubscribeSync(deliver)
	_, err := js.AddConsumer("F", &nats.ConsumerConfig{Durable: "fc", DeliverSubject: deliver, AckPolicy: nats.AckNonePolicy, FlowControl: true, Heartbeat: 300 * time.Millisecond})
	say("  add fc consumer: %s", errText(err))
	got := 0
	var firstFc *nats.Msg
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) && (got < 48 || hbSeen == 0) {
		m, err := raw.NextMsg(time.Until(deadline))
		if err != nil {
			break
		}
		switch m.Header.Get("Status") {
		case "100":
			if m.Reply != "" {
				if fcSeen == 0 {
					firstFc = m
				}
				fcSeen++
				m.Respond(nil)
			} else {
				if hbSeen == 0 {
					say("  first heartbeat: %s", status(m))
				}
				hbSeen++
			}
		default:
			got++
		}
	}
	say("  delivered %d, flow control seen=%v heartbeat seen=%v", got, fcSeen > 0, hbSeen > 0)
	if firstFc != nil {
		say("  flow control: %s reply_prefix=%s", status(firstFc), strings.Join(strings.Split(firstFc.Reply, ".")[:3], "."))
	}
	raw.Unsubscribe()
	info(js, "F", "fc")
	rawPull(nc, "F", "fc", `{"batch":1}`, 300*time.Millisecond, 3)

	section("push-client")
	msgCount := 0
	sub, err := js.SubscribeSync("f.>", nats.Durable("sync"), nats.EnableFlowControl(), nats.IdleHeartbeat(200*time.Millisecond), nats.AckExplicit())
	if err != nil {
		say("  subscribe: %s", errText(err))
		return
	}
	for {
		m, err := sub.NextMsg(time.Second)
		if err != nil {
			say("  end: %s", errText(err))
			break
		}
		msgCount++
		m.Ack()
	}
	say("  received %d", msgCount)
	time.Sleep(300 * time.Millisecond)
	info(js, "F", "sync")
	sub.Unsubscribe()

	section("push-group")
	publish(js, "f.g", 10, 0)
	q1, _ := js.QueueSubscribeSync("f.g", "workers", nats.Durable("grp"), nats.DeliverNew())
	q2, _ := js.QueueSubscribeSync("f.g", "workers", nats.Durable("grp"))
	publish(js, "f.g", 10, 0)
	n1, n2 := 0, 0
	for {
		if _, err := q1.NextMsg(300 * time.Millisecond); err != nil {
			break
		}
		n1++
	}
	for {
		if _, err := q2.NextMsg(300 * time.Millisecond); err != nil {
			break
		}
		n2++
	}
	say("  group total %d", n1+n2)
	ci, _ := js.ConsumerInfo("F", "grp")
	say("  deliver_group=%s deliver_policy=%v push_bound=%v", ci.Config.DeliverGroup, ci.Config.DeliverPolicy, ci.PushBound)
	_, err = js.SubscribeSync("f.g", nats.Durable("grp"))
	say("  non-queue subscribe to a group consumer: %s", errText(err))
	q1.Unsubscribe()
	q2.Unsubscribe()

	section("push-interest")
	api(nc, "CONSUMER.DURABLE.CREATE.F.late", `{"stream_name":"F","config":{"durable_name":"late","deliver_subject":"late.deliver","ack_policy":"none","deliver_policy":"new"}}`, "push_bound")
	publish(js, "f.late", 3, 0)
	time.Sleep(200 * time.Millisecond)
	info(js, "F", "late")
	ls, _ := nc.SubscribeSync("late.deliver")
	nc.Flush()
	time.Sleep(300 * time.Millisecond)
	publish(js, "f.late", 1, 0)
	for {
		m, err := ls.NextMsg(700 * time.Millisecond)
		if err != nil {
			break
		}
		say("  %s", status(m))
	}
	info(js, "F", "late")
	ls.Unsubscribe()

	section("ordered")
	js.AddStream(&nats.StreamConfig{Name: "O", Subjects: []string{"o.>"}, Storage: nats.MemoryStorage})
	publish(js, "o.a", 5, 0)
	osub, err := js.SubscribeSync("o.>", nats.OrderedConsumer())
	if err != nil {
		say("  ordered subscribe: %s", errText(err))
		return
	}
	for i := 0; i < 5; i++ {
		if m, err := osub.NextMsg(time.Second); err == nil {
			say("  %s", status(m))
		} else {
			say("  next: %s", errText(err))
		}
	}
	ci, _ = osub.ConsumerInfo()
	if ci != nil {
		say("  ordered config: ack=%v replay=%v flow_control=%v heartbeat=%v mem=%v replicas=%d max_deliver=%d inactive=%v", ci.Config.AckPolicy, ci.Config.ReplayPolicy, ci.Config.FlowControl, ci.Config.Heartbeat, ci.Config.MemoryStorage, ci.Config.Replicas, ci.Config.MaxDeliver, ci.Config.InactiveThreshold)
	}
	osub.Unsubscribe()

	section("ordered-reset")
	// With short heartbeats the ordered consumer notices its consumer deleted
	// (heartbeats stop) and a stream purge, recreates a consumer and resumes.
	rsub, err := js.SubscribeSync("o.>", nats.OrderedConsumer(), nats.IdleHeartbeat(250*time.Millisecond))
	if err != nil {
		say("  ordered subscribe: %s", errText(err))
		return
	}
	for i := 0; i < 5; i++ {
		rsub.NextMsg(time.Second)
	}
	ci, _ = rsub.ConsumerInfo()
	say("  delete ordered consumer: %s", errText(js.DeleteConsumer("O", ci.Name)))
	publish(js, "o.b", 2, 0)
	for i := 0; i < 2; i++ {
		if m, err := rsub.NextMsg(5 * time.Second); err == nil {
			md, _ := m.Metadata()
			say("  after delete: %s %q sseq=%d", m.Subject, string(m.Data), md.Sequence.Stream)
		} else {
			say("  after delete: %s", errText(err))
		}
	}
	say("  purge: %s", errText(js.PurgeStream("O")))
	publish(js, "o.c", 2, 0)
	for i := 0; i < 2; i++ {
		if m, err := rsub.NextMsg(5 * time.Second); err == nil {
			md, _ := m.Metadata()
			say("  after purge: %s %q sseq=%d", m.Subject, string(m.Data), md.Sequence.Stream)
		} else {
			say("  after purge: %s", errText(err))
		}
	}
	rsub.Unsubscribe()
}

func kv() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("kv-ops")
	bucket, err := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "B", History: 5, Storage: nats.FileStorage, MaxValueSize: 1024, Description: "d"})
	if err != nil {
		say("  create: %s", errText(err))
		return
	}
	w, _ := bucket.WatchAll()
	ign, _ := bucket.WatchAll(nats.IgnoreDeletes())
	say("  put a: %s", errText(func() error { _, e := bucket.Put("a", []byte("1")); return e }()))
	bucket.Put("a", []byte("2"))
	bucket.Put("b.c", []byte("3"))
	bucket.Put("b.d", []byte("4"))
	_, err = bucket.Put("big", bytes.Repeat([]byte("z"), 2000))
	say("  put over max value size: %s", errText(err))
	_, err = bucket.Put("bad key", []byte("x"))
	say("  put bad key: %s", errText(err))
	say("  delete a: %s", errText(bucket.Delete("a")))
	say("  delete a with stale revision: %s", errText(bucket.Delete("b.c", nats.LastRevision(1))))
	say("  purge b.d: %s", errText(bucket.Purge("b.d")))
	keys, err := bucket.Keys()
	sort.Strings(keys)
	say("  keys: %v %s", keys, errText(err))
	h, err := bucket.History("a")
	for _, e := range h {
		say("  history a: rev=%d op=%s %q delta=%d", e.Revision(), e.Operation(), string(e.Value()), e.Delta())
	}
	say("  history err: %s", errText(err))
	_, err = bucket.History("nope")
	say("  history missing: %s", errText(err))
	e, err := bucket.GetRevision("a", 2)
	if err == nil {
		say("  get rev 2: %q", string(e.Value()))
	} else {
		say("  get rev 2: %s", errText(err))
	}
	_, err = bucket.GetRevision("a", 3)
	say("  get rev 3 (another key): %s", errText(err))
	_, err = bucket.Create("a", []byte("again"))
	say("  create after delete: %s", errText(err))
	watched := func(w nats.KeyWatcher, name string) {
		n := 0
		for {
			select {
			case e := <-w.Updates():
				if e == nil {
					say("  %s: initial done", name)
				} else {
					say("  %s: %s rev=%d op=%s %q", name, e.Key(), e.Revision(), e.Operation(), string(e.Value()))
				}
				n++
			case <-time.After(500 * time.Millisecond):
				return
			}
		}
	}
	watched(w, "watch")
	watched(ign, "watch ignore deletes")
	w.Stop()
	ign.Stop()
	hw, _ := bucket.Watch("b.>", nats.IncludeHistory())
	watched(hw, "watch b.> history")
	hw.Stop()
	mw, _ := bucket.WatchAll(nats.MetaOnly())
	watched(mw, "watch meta only")
	mw.Stop()
	say("  purge deletes: %s", errText(bucket.PurgeDeletes(nats.DeleteMarkersOlderThan(-1))))
	keys, _ = bucket.Keys()
	sort.Strings(keys)
	say("  keys after purge deletes: %v", keys)
	st, _ := bucket.Status()
	say("  status: bucket=%s values=%d history=%d ttl=%v backing=%s", st.Bucket(), st.Values(), st.History(), st.TTL(), st.BackingStore())
	si, _ := js.StreamInfo("KV_B")
	say("  stream: subjects=%v max_msgs_per=%d discard=%s allow_rollup=%v deny_delete=%v allow_direct=%v max_msg_size=%d", si.Config.Subjects, si.Config.MaxMsgsPerSubject, si.Config.Discard, si.Config.AllowRollup, si.Config.DenyDelete, si.Config.AllowDirect, si.Config.MaxMsgSize)
	say("  delete bucket: %s", errText(js.DeleteKeyValue("B")))
	_, err = js.KeyValue("B")
	say("  open deleted: %s", errText(err))
	ttl, _ := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "T", TTL: 500 * time.Millisecond, Storage: nats.MemoryStorage})
	ttl.Put("x", []byte("1"))
	time.Sleep(1200 * time.Millisecond)
	_, err = ttl.Get("x")
	say("  after ttl: %s", errText(err))
}

func objects() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(5 * time.Second))
	section("obj")
	obs, err := js.CreateObjectStore(&nats.ObjectStoreConfig{Bucket: "O", Storage: nats.FileStorage, Description: "objects"})
	if err != nil {
		say("  create: %s", errText(err))
		return
	}
	w, _ := obs.Watch()
	big := make([]byte, 6*1024*1024+123)
	for i := range big {
		big[i] = byte(i*7 + i/1000)
	}
	oi, err := obs.PutBytes("big", big)
	if err != nil {
		say("  put big: %s", errText(err))
		return
	}
	say("  put big: size=%d chunks=%d digest=%s", oi.Size, oi.Chunks, oi.Digest)
	got, err := obs.GetBytes("big")
	sum := sha256.Sum256(got)
	want := sha256.Sum256(big)
	say("  get big: %d same=%v %s", len(got), sum == want, errText(err))
	obs.PutString("small", "hello")
	obs.PutString("small", "hello again")
	s, _ := obs.GetString("small")
	say("  small: %q", s)
	link, err := obs.AddLink("ln", oi)
	if err == nil {
		say("  link: %s -> %s/%s", link.Name, link.Opts.Link.Bucket, link.Opts.Link.Name)
	} else {
		say("  link: %s", errText(err))
	}
	lg, err := obs.GetBytes("ln")
	say("  get via link: %d %s", len(lg), errText(err))
	_, err = obs.AddLink("ln2", link)
	say("  link to link: %s", errText(err))
	list, err := obs.List()
	names := []string{}
	for _, o := range list {
		names = append(names, fmt.Sprintf("%s:%d", o.Name, o.Size))
	}
	sort.Strings(names)
	say("  list: %v %s", names, errText(err))
	say("  delete small: %s", errText(obs.Delete("small")))
	_, err = obs.GetString("small")
	say("  get deleted: %s", errText(err))
	inf, err := obs.GetInfo("small")
	if err == nil {
		say("  info deleted: %v", inf.Deleted)
	} else {
		say("  info deleted: %s", errText(err))
	}
	list, _ = obs.List()
	say("  list after delete: %d", len(list))
	say("  update meta: %s", errText(obs.UpdateMeta("big", &nats.ObjectMeta{Name: "big2", Description: "renamed"})))
	inf, err = obs.GetInfo("big2")
	if err == nil {
		say("  renamed: %s %q size=%d", inf.Name, inf.Description, inf.Size)
	} else {
		say("  renamed: %s", errText(err))
	}
	n := 0
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				say("  watch: initial done")
			} else {
				say("  watch: %s deleted=%v size=%d", e.Name, e.Deleted, e.Size)
			}
			n++
			continue
		case <-time.After(500 * time.Millisecond):
		}
		break
	}
	w.Stop()
	st, _ := obs.Status()
	say("  status: bucket=%s sealed=%v backing=%s", st.Bucket(), st.Sealed(), st.BackingStore())
	say("  seal: %s", errText(obs.Seal()))
	st, _ = obs.Status()
	say("  sealed=%v", st.Sealed())
	_, err = obs.PutString("after", "x")
	say("  put after seal: %s", errText(err))
	si, _ := js.StreamInfo("OBJ_O")
	say("  stream: subjects=%v sealed=%v deny_delete=%v allow_rollup=%v discard=%s", si.Config.Subjects, si.Config.Sealed, si.Config.DenyDelete, si.Config.AllowRollup, si.Config.Discard)
	say("  delete store: %s", errText(js.DeleteObjectStore("O")))
}

func churn() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("churn")
	js.AddStream(&nats.StreamConfig{Name: "C", Subjects: []string{"c.>"}, Storage: nats.MemoryStorage})
	publish(js, "c.a", 5, 0)
	failures := 0
	for i := 0; i < 300; i++ {
		name := fmt.Sprintf("x%d", i)
		if _, err := js.AddConsumer("C", &nats.ConsumerConfig{Durable: name, AckPolicy: nats.AckExplicitPolicy}); err != nil {
			failures++
		}
		if err := js.DeleteConsumer("C", name); err != nil {
			failures++
		}
	}
	say("  create/delete 300: failures=%d", failures)
	si, _ := js.StreamInfo("C")
	say("  consumers left=%d", si.State.Consumers)
	sub, _ := js.PullSubscribe("c.>", "survivor")
	ms, err := sub.Fetch(5, nats.MaxWait(time.Second))
	say("  survivor fetch: %d %s", len(ms), errText(err))
}

func listing() {
	nc := connect()
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("listing")
	kv, _ := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "EMPTY", Storage: nats.MemoryStorage})
	_, err := kv.Keys()
	say("  keys of an empty bucket: %s", errText(err))
	_, err = kv.History("k")
	say("  history of an empty bucket: %s", errText(err))
	obs, _ := js.CreateObjectStore(&nats.ObjectStoreConfig{Bucket: "OEMPTY", Storage: nats.MemoryStorage})
	_, err = obs.List()
	say("  list of an empty store: %s", errText(err))
	_, err = obs.GetInfo("nope")
	say("  info of a missing object: %s", errText(err))
	say("  delete a missing object: %s", errText(obs.Delete("nope")))
	js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "SECOND", Storage: nats.MemoryStorage})
	names := []string{}
	for n := range js.KeyValueStoreNames() {
		names = append(names, n)
	}
	sort.Strings(names)
	say("  kv names: %v", names)
	names = []string{}
	for n := range js.ObjectStoreNames() {
		names = append(names, n)
	}
	say("  object store names: %v", names)
	names = []string{}
	for n := range js.StreamNames() {
		names = append(names, n)
	}
	sort.Strings(names)
	say("  stream names: %v", names)
	sname, err := js.StreamNameBySubject("$KV.SECOND.x")
	say("  stream by subject: %s %s", sname, errText(err))
	_, err = js.StreamNameBySubject("nothing.here")
	say("  stream by unknown subject: %s", errText(err))
	js.AddStream(&nats.StreamConfig{Name: "L", Subjects: []string{"l.>"}, Storage: nats.MemoryStorage})
	for i := 0; i < 3; i++ {
		js.AddConsumer("L", &nats.ConsumerConfig{Durable: fmt.Sprintf("c%d", i), AckPolicy: nats.AckExplicitPolicy})
	}
	names = []string{}
	for n := range js.ConsumerNames("L") {
		names = append(names, n)
	}
	sort.Strings(names)
	say("  consumer names: %v", names)
	n := 0
	for ci := range js.ConsumersInfo("L") {
		if ci.Config.AckPolicy == nats.AckExplicitPolicy {
			n++
		}
	}
	say("  consumers info: %d", n)
	for n := range js.ConsumerNames("nope") {
		say("  consumer of a missing stream: %s", n)
	}
	_, err = js.UpdateConsumer("L", &nats.ConsumerConfig{Durable: "c0", AckPolicy: nats.AckExplicitPolicy, Description: "new"})
	say("  update consumer: %s", errText(err))
	_, err = js.UpdateConsumer("L", &nats.ConsumerConfig{Durable: "missing", AckPolicy: nats.AckExplicitPolicy})
	say("  update a missing consumer: %s", errText(err))
	_, err = js.UpdateConsumer("L", &nats.ConsumerConfig{Durable: "c0", AckPolicy: nats.AckAllPolicy})
	say("  update the ack policy: %s", errText(err))
	_, err = js.AddConsumer("L", &nats.ConsumerConfig{Durable: "c0", AckPolicy: nats.AckExplicitPolicy, Description: "other"})
	say("  add an existing consumer with another config: %s", errText(err))
	sub, err := js.SubscribeSync("l.>", nats.Durable("c1"))
	say("  push subscribe on a pull consumer: %s", errText(err))
	if sub != nil {
		sub.Unsubscribe()
	}
	psub, err := js.PullSubscribe("l.>", "c2", nats.Bind("L", "c2"))
	say("  bind to a pull consumer: %s", errText(err))
	if psub != nil {
		ci, _ := psub.ConsumerInfo()
		say("  bound: %s", ci.Name)
	}
	_, err = js.PullSubscribe("l.>", "nope", nats.Bind("L", "nope"))
	say("  bind to a missing consumer: %s", errText(err))
}

// restarted asks the test to kill -9 and restart the server, then waits for the reconnect.
func restarted(reconnected chan struct{}) bool {
	say("@restart")
	select {
	case <-reconnected:
		return true
	case <-time.After(15 * time.Second):
		say("  no reconnect")
		return false
	}
}

func restart() {
	reconnected := make(chan struct{}, 4)
	nc, err := nats.Connect(url, nats.ReconnectWait(100*time.Millisecond), nats.MaxReconnects(200), nats.ReconnectJitter(0, 0),
		nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	if err != nil {
		say("connect error: %s", errText(err))
		return
	}
	defer nc.Close()
	js, _ := nc.JetStream(nats.MaxWait(3 * time.Second))
	section("restart-consumer")
	addErr := func() error {
		_, err := js.AddStream(&nats.StreamConfig{Name: "R", Subjects: []string{"r.>"}, Storage: nats.FileStorage})
		return err
	}()
	say("  add stream: %s", errText(addErr))
	publish(js, "r.a", 6, 0)
	sub, _ := js.PullSubscribe("r.>", "durable", nats.AckExplicit(), nats.AckWait(time.Second))
	msgs, err := sub.Fetch(4, nats.MaxWait(time.Second))
	say("  fetch: %d %s", len(msgs), errText(err))
	for _, m := range msgs[:2] {
		say("  ack sync: %s", errText(m.AckSync()))
	}
	info(js, "R", "durable")
	kv, _ := js.CreateKeyValue(&nats.KeyValueConfig{Bucket: "RK", Storage: nats.FileStorage, History: 3})
	kv.Put("k", []byte("1"))
	w, _ := kv.WatchAll()
	for e := range w.Updates() {
		if e == nil {
			break
		}
		say("  watch before: %s=%s rev=%d", e.Key(), string(e.Value()), e.Revision())
	}
	if !restarted(reconnected) {
		return
	}
	// The stream and consumer come back from the store. Go 2.9.10 loses the acks
	// (even answered ones) to a kill -9, tsnats keeps them (the issue asks for
	// that): only the delivered position and what is left are compared.
	time.Sleep(300 * time.Millisecond)
	delivered := func() {
		if ci, err := js.ConsumerInfo("R", "durable"); err == nil {
			say("  delivered=%d/%d pending=%d", ci.Delivered.Consumer, ci.Delivered.Stream, ci.NumPending)
		} else {
			say("  info: %s", errText(err))
		}
	}
	delivered()
	msgs, err = sub.Fetch(6, nats.MaxWait(2500*time.Millisecond))
	say("  fetch after restart: %d %s", len(msgs), errText(err))
	seqs := []string{}
	for _, m := range msgs {
		md, _ := m.Metadata()
		seqs = append(seqs, fmt.Sprintf("%d/%d", md.Sequence.Stream, md.NumDelivered))
		m.AckSync()
	}
	sort.Strings(seqs)
	say("  got: %v", seqs)
	delivered()
	kv.Put("k", []byte("2"))
	select {
	case e := <-w.Updates():
		if e != nil {
			say("  watch after restart: %s=%s rev=%d", e.Key(), string(e.Value()), e.Revision())
		}
	case <-time.After(5 * time.Second):
		say("  watch after restart: nothing")
	}
	w.Stop()
	e, err := kv.Get("k")
	if err == nil {
		say("  get: %s rev=%d", string(e.Value()), e.Revision())
	}
	si, _ := js.StreamInfo("R")
	say("  stream after restart: msgs=%d last=%d consumers=%d", si.State.Msgs, si.State.LastSeq, si.State.Consumers)
}

func main() {
	group := os.Args[1]
	url = os.Args[2]
	switch group {
	case "pull":
		pull()
	case "acks":
		acks()
	case "push":
		push()
	case "kv":
		kv()
	case "objects":
		objects()
	case "churn":
		churn()
	case "listing":
		listing()
	case "restart":
		restart()
	}
	say("== done")
}

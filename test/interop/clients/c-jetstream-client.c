/*
 * Scenario client for clients-c-jetstream.test.js: the C client library
 * (libnats 3.4) drives pull fetches (batch, max_bytes, no_wait, expiry), ack
 * kinds, push and ordered consumers and the key-value store against the
 * server at the given URL, printing a transcript that holds only what must be
 * the same between tsnats and the Go nats-server (no ids, times).
 */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *url;

#define say(...) do { printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

static void section(const char *name) { say("== %s", name); }

static const char *statusText(natsStatus s, jsErrCode jerr) {
    static char buf[512];
    if (s == NATS_OK) return "ok";
    /* A fetch ends in a timeout either by the server's 408 or by the client's own deadline, which
       race at the request's expiry; only the latter leaves an error text (with a source location). */
    if (s == NATS_TIMEOUT) {
        snprintf(buf, sizeof buf, "%s (js %d)", natsStatus_GetText(s), (int) jerr);
        return buf;
    }
    const char *last = nats_GetLastError(NULL);
    snprintf(buf, sizeof buf, "%s (js %d)", (last && *last) ? last : natsStatus_GetText(s), (int) jerr);
    return buf;
}

static void publish(jsCtx *js, const char *subj, int n, int size) {
    char *buf = malloc(size + 64);
    for (int i = 1; i <= n; i++) {
        int len = snprintf(buf, 64, "%s-%d", subj, i);
        if (size > len) {
            memset(buf + len, 'x', size - len);
            len = size;
        }
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        natsStatus s = js_Publish(&pa, js, subj, buf, len, NULL, &jerr);
        if (s != NATS_OK) say("  publish: %s", statusText(s, jerr));
        jsPubAck_Destroy(pa);
    }
    free(buf);
}

static void printMsg(natsMsg *m) {
    jsMsgMetaData *meta = NULL;
    if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
        say("  msg %s \"%.*s\" sseq=%llu cseq=%llu delivered=%llu pending=%llu", natsMsg_GetSubject(m), natsMsg_GetDataLength(m) > 20 ? 20 : natsMsg_GetDataLength(m), natsMsg_GetData(m),
            (unsigned long long) meta->Sequence.Stream, (unsigned long long) meta->Sequence.Consumer, (unsigned long long) meta->NumDelivered, (unsigned long long) meta->NumPending);
        jsMsgMetaData_Destroy(meta);
    } else {
        say("  msg %s \"%.*s\" (no metadata)", natsMsg_GetSubject(m), natsMsg_GetDataLength(m), natsMsg_GetData(m));
    }
}

static void info(jsCtx *js, const char *stream, const char *consumer) {
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_GetConsumerInfo(&ci, js, stream, consumer, NULL, &jerr);
    if (s != NATS_OK) {
        say("  info: %s", statusText(s, jerr));
        return;
    }
    say("  info: delivered=%llu/%llu ack_floor=%llu/%llu pending=%llu ack_pending=%lld redelivered=%lld waiting=%lld", (unsigned long long) ci->Delivered.Consumer, (unsigned long long) ci->Delivered.Stream,
        (unsigned long long) ci->AckFloor.Consumer, (unsigned long long) ci->AckFloor.Stream, (unsigned long long) ci->NumPending, (long long) ci->NumAckPending, (long long) ci->NumRedelivered,
        (long long) ci->NumWaiting);
    jsConsumerInfo_Destroy(ci);
}

static void fetchPrint(natsSubscription *sub, jsFetchRequest *req, const char *what, int ack) {
    natsMsgList list = {0};
    natsStatus s = natsSubscription_FetchRequest(&list, sub, req);
    say("  %s: %d %s", what, list.Count, statusText(s, 0));
    for (int i = 0; i < list.Count; i++) {
        printMsg(list.Msgs[i]);
        if (ack) natsMsg_AckSync(list.Msgs[i], NULL, NULL);
    }
    natsMsgList_Destroy(&list);
}

static jsCtx *jetStream(natsConnection **nc) {
    natsOptions *o = NULL;
    natsOptions_Create(&o);
    natsOptions_SetURL(o, url);
    natsOptions_SetTimeout(o, 3000);
    natsOptions_SetAllowReconnect(o, false);
    natsStatus s = natsConnection_Connect(nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) {
        say("connect error: %s", statusText(s, 0));
        exit(0);
    }
    jsCtx *js = NULL;
    natsConnection_JetStream(&js, *nc, NULL);
    return js;
}

static void addStream(jsCtx *js, const char *name, const char *subject, jsStorageType storage) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name;
    const char *subjects[] = {subject};
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = storage;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_AddStream(&si, js, &cfg, NULL, &jerr);
    if (s != NATS_OK) say("  add stream %s: %s", name, statusText(s, jerr));
    jsStreamInfo_Destroy(si);
}

static void pull(void) {
    natsConnection *nc = NULL;
    jsCtx *js = jetStream(&nc);
    section("pull");
    addStream(js, "P", "p.>", js_FileStorage);
    publish(js, "p.a", 6, 0);
    publish(js, "p.b", 2, 500);
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&sub, js, "p.>", "fetcher", NULL, NULL, &jerr);
    if (s != NATS_OK) {
        say("  pull subscribe: %s", statusText(s, jerr));
        return;
    }
    natsMsgList list = {0};
    s = natsSubscription_Fetch(&list, sub, 3, 1000, &jerr);
    say("  fetch 3: %d %s", list.Count, statusText(s, jerr));
    for (int i = 0; i < list.Count; i++) {
        printMsg(list.Msgs[i]);
        natsMsg_Ack(list.Msgs[i], NULL);
    }
    natsMsgList_Destroy(&list);
    jsFetchRequest req;
    jsFetchRequest_Init(&req);
    req.Batch = 10;
    req.MaxBytes = 200;
    req.Expires = 500 * 1000000LL;
    fetchPrint(sub, &req, "fetch 10 max_bytes=200", 1);
    jsFetchRequest_Init(&req);
    req.Batch = 10;
    req.NoWait = true;
    fetchPrint(sub, &req, "fetch 10 no_wait", 1);
    jsFetchRequest_Init(&req);
    req.Batch = 2;
    req.Expires = 300 * 1000000LL;
    req.Heartbeat = 100 * 1000000LL;
    fetchPrint(sub, &req, "fetch 2 idle with heartbeats", 1);
    jsFetchRequest_Init(&req);
    req.Batch = 1;
    req.MaxBytes = 10;
    req.Expires = 300 * 1000000LL;
    publish(js, "p.c", 1, 100);
    fetchPrint(sub, &req, "fetch over max_bytes", 1);
    s = natsSubscription_Fetch(&list, sub, 2, 500, &jerr);
    say("  fetch the rest: %d %s", list.Count, statusText(s, jerr));
    for (int i = 0; i < list.Count; i++) natsMsg_AckSync(list.Msgs[i], NULL, NULL);
    natsMsgList_Destroy(&list);
    /* The fetch's last request expires about when the client gives up: let it go first. */
    nats_Sleep(700);
    info(js, "P", "fetcher");
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static void acks(void) {
    natsConnection *nc = NULL;
    jsCtx *js = jetStream(&nc);
    section("acks");
    addStream(js, "A", "a.>", js_MemoryStorage);
    publish(js, "a.x", 5, 0);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.AckWait = 700 * 1000000LL;
    so.Config.MaxDeliver = 3;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    js_PullSubscribe(&sub, js, "a.>", "acker", NULL, &so, &jerr);
    natsMsgList list = {0};
    natsStatus s = natsSubscription_Fetch(&list, sub, 5, 1000, &jerr);
    say("  fetch: %d %s", list.Count, statusText(s, jerr));
    if (list.Count == 5) {
        say("  ack sync 1: %s", statusText(natsMsg_AckSync(list.Msgs[0], NULL, &jerr), jerr));
        say("  ack sync 1 again: %s", statusText(natsMsg_AckSync(list.Msgs[0], NULL, &jerr), jerr));
        say("  nak 2: %s", statusText(natsMsg_Nak(list.Msgs[1], NULL), 0));
        say("  nak 3 with delay: %s", statusText(natsMsg_NakWithDelay(list.Msgs[2], 3000, NULL), 0));
        say("  in progress 4: %s", statusText(natsMsg_InProgress(list.Msgs[3], NULL), 0));
        say("  term 5: %s", statusText(natsMsg_Term(list.Msgs[4], NULL), 0));
    }
    natsMsgList_Destroy(&list);
    natsConnection_Flush(nc);
    nats_Sleep(100);
    info(js, "A", "acker");
    s = natsSubscription_Fetch(&list, sub, 5, 500, &jerr);
    say("  refetch: %d %s", list.Count, statusText(s, jerr));
    for (int i = 0; i < list.Count; i++) {
        printMsg(list.Msgs[i]);
        natsMsg_AckSync(list.Msgs[i], NULL, NULL);
    }
    natsMsgList_Destroy(&list);
    s = natsSubscription_Fetch(&list, sub, 5, 1500, &jerr);
    say("  after ack_wait: %d %s", list.Count, statusText(s, jerr));
    for (int i = 0; i < list.Count; i++) {
        printMsg(list.Msgs[i]);
        natsMsg_AckSync(list.Msgs[i], NULL, NULL);
    }
    natsMsgList_Destroy(&list);
    info(js, "A", "acker");
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static void push(void) {
    natsConnection *nc = NULL;
    jsCtx *js = jetStream(&nc);
    section("push");
    addStream(js, "F", "f.>", js_MemoryStorage);
    publish(js, "f.a", 30, 64 * 1024);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.Durable = "pushed";
    so.Config.FlowControl = true;
    so.Config.Heartbeat = 300 * 1000000LL;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_SubscribeSync(&sub, js, "f.>", NULL, &so, &jerr);
    if (s != NATS_OK) {
        say("  subscribe: %s", statusText(s, jerr));
        return;
    }
    int n = 0;
    for (;;) {
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK) break;
        n++;
        natsMsg_Ack(m, NULL);
        natsMsg_Destroy(m);
    }
    say("  received %d", n);
    nats_Sleep(200);
    info(js, "F", "pushed");
    natsSubscription_Destroy(sub);

    section("ordered");
    jsSubOptions_Init(&so);
    so.Ordered = true;
    s = js_SubscribeSync(&sub, js, "f.>", NULL, &so, &jerr);
    if (s != NATS_OK) {
        say("  ordered subscribe: %s", statusText(s, jerr));
        return;
    }
    n = 0;
    natsMsg *last = NULL;
    for (;;) {
        natsMsg *m = NULL;
        if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK) break;
        n++;
        natsMsg_Destroy(last);
        last = m;
    }
    say("  ordered received %d", n);
    if (last) printMsg(last);
    natsMsg_Destroy(last);
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

static const char *opName(kvOperation op) {
    return op == kvOp_Put ? "PUT" : op == kvOp_Delete ? "DEL" : op == kvOp_Purge ? "PURGE" : "?";
}

static void kv(void) {
    natsConnection *nc = NULL;
    jsCtx *js = jetStream(&nc);
    section("kv");
    kvConfig kc;
    kvConfig_Init(&kc);
    kc.Bucket = "B";
    kc.History = 4;
    kc.StorageType = js_FileStorage;
    kvStore *kv = NULL;
    natsStatus s = js_CreateKeyValue(&kv, js, &kc);
    if (s != NATS_OK) {
        say("  create: %s", statusText(s, 0));
        return;
    }
    kvWatcher *w = NULL;
    kvStore_WatchAll(&w, kv, NULL);
    uint64_t rev = 0;
    say("  put a: %s", statusText(kvStore_PutString(&rev, kv, "a", "1"), 0));
    say("  rev=%llu", (unsigned long long) rev);
    kvStore_PutString(&rev, kv, "a", "2");
    kvStore_PutString(&rev, kv, "b", "3");
    say("  create existing: %s", statusText(kvStore_CreateString(&rev, kv, "a", "x"), 0));
    say("  update stale: %s", statusText(kvStore_UpdateString(&rev, kv, "a", "x", 1), 0));
    say("  update: %s", statusText(kvStore_UpdateString(&rev, kv, "a", "4", 2), 0));
    kvEntry *e = NULL;
    s = kvStore_Get(&e, kv, "a");
    if (s == NATS_OK) say("  get a: %s rev=%llu op=%s", kvEntry_ValueString(e), (unsigned long long) kvEntry_Revision(e), opName(kvEntry_Operation(e)));
    else say("  get a: %s", statusText(s, 0));
    kvEntry_Destroy(e);
    say("  delete a: %s", statusText(kvStore_Delete(kv, "a"), 0));
    e = NULL;
    say("  get deleted: %s", statusText(kvStore_Get(&e, kv, "a"), 0));
    kvEntry_Destroy(e);
    e = NULL;
    say("  get missing: %s", statusText(kvStore_Get(&e, kv, "zz"), 0));
    kvEntry_Destroy(e);
    say("  purge b: %s", statusText(kvStore_Purge(kv, "b", NULL), 0));
    kvStore_PutString(&rev, kv, "c", "5");
    kvKeysList keys = {0};
    s = kvStore_Keys(&keys, kv, NULL);
    say("  keys: %d %s", keys.Count, statusText(s, 0));
    for (int i = 0; i < keys.Count; i++) say("  key %s", keys.Keys[i]);
    kvKeysList_Destroy(&keys);
    kvEntryList hist = {0};
    s = kvStore_History(&hist, kv, "a", NULL);
    say("  history a: %d %s", hist.Count, statusText(s, 0));
    for (int i = 0; i < hist.Count; i++) say("  rev=%llu op=%s \"%s\"", (unsigned long long) kvEntry_Revision(hist.Entries[i]), opName(kvEntry_Operation(hist.Entries[i])), kvEntry_ValueString(hist.Entries[i]));
    kvEntryList_Destroy(&hist);
    for (;;) {
        e = NULL;
        if (kvWatcher_Next(&e, w, 500) != NATS_OK) break;
        if (e == NULL) say("  watch: initial done");
        else say("  watch: %s rev=%llu op=%s \"%s\"", kvEntry_Key(e), (unsigned long long) kvEntry_Revision(e), opName(kvEntry_Operation(e)), kvEntry_ValueString(e));
        kvEntry_Destroy(e);
    }
    kvWatcher_Destroy(w);
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    wo.IgnoreDeletes = true;
    s = kvStore_Watch(&w, kv, "c", &wo);
    for (;;) {
        e = NULL;
        if (kvWatcher_Next(&e, w, 500) != NATS_OK) break;
        if (e == NULL) say("  watch c: initial done");
        else say("  watch c: %s rev=%llu op=%s", kvEntry_Key(e), (unsigned long long) kvEntry_Revision(e), opName(kvEntry_Operation(e)));
        kvEntry_Destroy(e);
    }
    kvWatcher_Destroy(w);
    kvStore_Destroy(kv);
    say("  delete bucket: %s", statusText(js_DeleteKeyValue(js, "B"), 0));
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
}

int main(int argc, char **argv) {
    const char *group = argv[1];
    url = argv[2];
    if (!strcmp(group, "pull")) pull();
    else if (!strcmp(group, "acks")) acks();
    else if (!strcmp(group, "push")) push();
    else if (!strcmp(group, "kv")) kv();
    say("== done");
    nats_Close();
    return 0;
}

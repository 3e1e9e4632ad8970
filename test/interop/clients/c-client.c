/*
 * Scenario client for the interop tests in clients-c.test.js: the C client
 * library (libnats 3.4) runs one group of scenarios against the server at
 * the given URL and prints a transcript that holds only what must be the same
 * between tsnats and the Go nats-server (no ids, ports, timings). "@restart"
 * and "@ldm" lines ask the test to restart the server or enter lame duck mode.
 */
#include <nats/nats.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *url;
static const char *seedFile, *pubKey, *caFile, *certFile, *keyFile, *otherCert, *otherKey;

#define say(...) do { printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)

static void section(const char *name) { say("== %s", name); }

/* The status name and, when there is one, the library's last error text. */
static const char *statusText(natsStatus s) {
    static char buf[512];
    if (s == NATS_OK) return "ok";
    const char *last = nats_GetLastError(NULL);
    snprintf(buf, sizeof buf, "%s", (last && *last) ? last : natsStatus_GetText(s));
    return buf;
}

static natsOptions *baseOptions(void) {
    natsOptions *o = NULL;
    natsOptions_Create(&o);
    natsOptions_SetURL(o, url);
    natsOptions_SetTimeout(o, 3000);
    natsOptions_SetAllowReconnect(o, false);
    return o;
}

static natsConnection *connectWith(natsOptions *o) {
    natsConnection *nc = NULL;
    natsStatus s = natsConnection_Connect(&nc, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) {
        say("connect error: %s", statusText(s));
        exit(0);
    }
    return nc;
}

static const char *tryConnect(natsOptions *o) {
    natsConnection *nc = NULL;
    natsStatus s = natsConnection_Connect(&nc, o);
    natsOptions_Destroy(o);
    if (s == NATS_OK) {
        natsConnection_Destroy(nc);
        return "connected";
    }
    return statusText(s);
}

static natsMsg *next(natsSubscription *sub, int64_t ms) {
    natsMsg *m = NULL;
    natsStatus s = natsSubscription_NextMsg(&m, sub, ms);
    if (s != NATS_OK) {
        say("  next: %s", natsStatus_GetText(s));
        return NULL;
    }
    say("  msg %s \"%.*s\" reply=%s", natsMsg_GetSubject(m), natsMsg_GetDataLength(m), natsMsg_GetData(m), natsMsg_GetReply(m) ? "true" : "false");
    return m;
}

static void drainAll(natsSubscription *sub) {
    for (;;) {
        natsMsg *m = NULL;
        natsStatus s = natsSubscription_NextMsg(&m, sub, 300);
        if (s != NATS_OK) {
            say("  end: %s", natsStatus_GetText(s));
            return;
        }
        say("  msg %s \"%.*s\"", natsMsg_GetSubject(m), natsMsg_GetDataLength(m), natsMsg_GetData(m));
        natsMsg_Destroy(m);
    }
}

static int cmpStr(const void *a, const void *b) { return strcmp(*(const char **)a, *(const char **)b); }

static void printHeaders(natsMsg *m) {
    const char **keys = NULL;
    int n = 0;
    char line[1024] = "";
    if (natsMsgHeader_Keys(m, &keys, &n) != NATS_OK) {
        say("  header: none");
        return;
    }
    qsort(keys, n, sizeof *keys, cmpStr);
    for (int i = 0; i < n; i++) {
        const char **vals = NULL;
        int vn = 0;
        natsMsgHeader_Values(m, keys[i], &vals, &vn);
        if (i) strcat(line, " ");
        strcat(line, keys[i]);
        strcat(line, "=");
        for (int j = 0; j < vn; j++) {
            if (j) strcat(line, ",");
            strcat(line, vals[j]);
        }
        free((void *)vals);
    }
    free((void *)keys);
    say("  header: %s", line);
}

static void onRequest(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    char out[256];
    snprintf(out, sizeof out, "re:%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
    natsConnection_PublishString(nc, natsMsg_GetReply(m), out);
    natsMsg_Destroy(m);
}

static void onHeaderRequest(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    natsMsg *out = NULL;
    const char *ask = NULL;
    natsMsgHeader_Get(m, "Ask", &ask);
    natsMsg_Create(&out, natsMsg_GetReply(m), NULL, natsMsg_GetData(m), natsMsg_GetDataLength(m));
    natsMsgHeader_Set(out, "Echo", ask ? ask : "");
    natsConnection_PublishMsg(nc, out);
    natsMsg_Destroy(out);
    natsMsg_Destroy(m);
}

static volatile int handled = 0;
static void onDrainMsg(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    nats_Sleep(5);
    handled++;
    natsMsg_Destroy(m);
}
static void onNothing(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) { natsMsg_Destroy(m); }

static volatile int closedFlag = 0;
static void onClosed(natsConnection *nc, void *closure) { closedFlag = 1; }

static void printReply(const char *what, natsStatus s, natsMsg *r) {
    if (s != NATS_OK) say("  %s: %s", what, statusText(s));
    else {
        say("  %s: %.*s", what, natsMsg_GetDataLength(r), natsMsg_GetData(r));
        natsMsg_Destroy(r);
    }
}

static void core(void) {
    natsConnection *nc = connectWith(baseOptions());
    natsSubscription *sub = NULL, *other = NULL;
    natsStatus s;
    section("info");
    say("  max_payload=%lld headers=%s", (long long)natsConnection_GetMaxPayload(nc), natsConnection_HasHeaderSupport(nc) == NATS_OK ? "true" : "false");
    uint64_t cid = 0;
    char *ip = NULL;
    natsConnection_GetClientID(nc, &cid);
    natsConnection_GetClientIP(nc, &ip);
    say("  client_id=%llu client_ip=%s", (unsigned long long)cid, ip ? ip : "");
    free(ip);

    section("pubsub");
    natsConnection_SubscribeSync(&sub, nc, "foo");
    natsConnection_PublishString(nc, "foo", "hello");
    natsMsg_Destroy(next(sub, 1000));
    say("  unsubscribe: %s", statusText(natsSubscription_Unsubscribe(sub)));
    natsConnection_SubscribeSync(&other, nc, "foo");
    natsConnection_PublishString(nc, "foo", "after");
    natsMsg_Destroy(next(other, 1000));
    say("  old sub valid: %s", natsSubscription_IsValid(sub) ? "true" : "false");
    natsSubscription_Destroy(sub);
    natsSubscription_Destroy(other);

    section("wildcards");
    natsSubscription *star = NULL, *full = NULL;
    natsConnection_SubscribeSync(&star, nc, "a.*");
    natsConnection_SubscribeSync(&full, nc, "a.>");
    const char *subjects[] = {"a", "a.b", "a.b.c", "b.c"};
    for (int i = 0; i < 4; i++) natsConnection_PublishString(nc, subjects[i], subjects[i]);
    natsConnection_Flush(nc);
    say(" a.*");
    drainAll(star);
    say(" a.>");
    drainAll(full);
    natsSubscription_Destroy(star);
    natsSubscription_Destroy(full);

    section("queue");
    natsSubscription *q1 = NULL, *q2 = NULL, *plain = NULL;
    natsConnection_QueueSubscribeSync(&q1, nc, "q", "g");
    natsConnection_QueueSubscribeSync(&q2, nc, "q", "g");
    natsConnection_SubscribeSync(&plain, nc, "q");
    for (int i = 0; i < 20; i++) natsConnection_PublishString(nc, "q", "x");
    natsConnection_Flush(nc);
    nats_Sleep(100);
    int n1 = 0, n2 = 0, np = 0;
    natsSubscription_GetPending(q1, &n1, NULL);
    natsSubscription_GetPending(q2, &n2, NULL);
    natsSubscription_GetPending(plain, &np, NULL);
    say("  queue total=%d plain=%d", n1 + n2, np);
    natsSubscription_Destroy(q1);
    natsSubscription_Destroy(q2);
    natsSubscription_Destroy(plain);

    section("request");
    natsSubscription *responder = NULL;
    natsConnection_Subscribe(&responder, nc, "svc", onRequest, NULL);
    natsConnection_Flush(nc);
    natsMsg *r = NULL;
    s = natsConnection_RequestString(&r, nc, "svc", "new", 2000);
    printReply("new-style", s, r);
    natsOptions *oo = baseOptions();
    natsOptions_UseOldRequestStyle(oo, true);
    natsConnection *old = connectWith(oo);
    r = NULL;
    s = natsConnection_RequestString(&r, old, "svc", "old", 2000);
    printReply("old-style", s, r);
    natsConnection_Destroy(old);
    natsSubscription_Unsubscribe(responder);
    natsSubscription_Destroy(responder);

    section("headers");
    natsSubscription *hs = NULL;
    natsConnection_SubscribeSync(&hs, nc, "h");
    natsMsg *msg = NULL;
    natsMsg_Create(&msg, "h", NULL, "with headers", 12);
    natsMsgHeader_Add(msg, "X-One", "1");
    natsMsgHeader_Add(msg, "X-One", "2");
    natsMsgHeader_Set(msg, "Trace", "abc def");
    say("  publish: %s", statusText(natsConnection_PublishMsg(nc, msg)));
    natsMsg_Destroy(msg);
    natsMsg *m = next(hs, 1000);
    if (m) { printHeaders(m); natsMsg_Destroy(m); }
    natsMsg_Create(&msg, "h", NULL, NULL, 0);
    natsMsgHeader_Set(msg, "Only", "header");
    natsConnection_PublishMsg(nc, msg);
    natsMsg_Destroy(msg);
    m = next(hs, 1000);
    if (m) { printHeaders(m); natsMsg_Destroy(m); }
    natsSubscription_Destroy(hs);
    natsSubscription *hr = NULL;
    natsConnection_Subscribe(&hr, nc, "hsvc", onHeaderRequest, NULL);
    natsConnection_Flush(nc);
    natsMsg_Create(&msg, "hsvc", NULL, "body", 4);
    natsMsgHeader_Set(msg, "Ask", "q1");
    r = NULL;
    s = natsConnection_RequestMsg(&r, nc, msg, 2000);
    natsMsg_Destroy(msg);
    if (s != NATS_OK) say("  request with headers: %s", statusText(s));
    else {
        say("  request with headers: %.*s", natsMsg_GetDataLength(r), natsMsg_GetData(r));
        printHeaders(r);
        natsMsg_Destroy(r);
    }
    natsSubscription_Unsubscribe(hr);
    natsSubscription_Destroy(hr);

    section("no-responders");
    r = NULL;
    s = natsConnection_RequestString(&r, nc, "nobody.home", "?", 2000);
    say("  request: %s (%s)", natsStatus_GetText(s), s == NATS_NO_RESPONDERS ? "NATS_NO_RESPONDERS" : "other");
    if (r) natsMsg_Destroy(r);
    natsSubscription *nrs = NULL;
    natsConnection_SubscribeSync(&nrs, nc, "my.inbox");
    natsConnection_PublishRequestString(nc, "nobody.home", "my.inbox", "?");
    m = next(nrs, 1000);
    if (m) {
        say("  plain sub sees no-responders: %s", natsMsg_IsNoResponders(m) ? "true" : "false");
        natsMsg_Destroy(m);
    }
    natsSubscription_Destroy(nrs);

    section("auto-unsubscribe");
    natsSubscription *au = NULL;
    natsConnection_SubscribeSync(&au, nc, "au");
    natsSubscription_AutoUnsubscribe(au, 3);
    for (int i = 0; i < 5; i++) {
        char d[8];
        snprintf(d, sizeof d, "%d", i);
        natsConnection_PublishString(nc, "au", d);
    }
    natsConnection_Flush(nc);
    drainAll(au);
    natsSubscription_Destroy(au);

    section("drain");
    natsSubscription *ds = NULL;
    natsConnection_Subscribe(&ds, nc, "d", onDrainMsg, NULL);
    for (int i = 0; i < 10; i++) natsConnection_PublishString(nc, "d", "x");
    natsConnection_Flush(nc);
    say("  drain sub: %s", statusText(natsSubscription_Drain(ds)));
    say("  wait: %s", statusText(natsSubscription_WaitForDrainCompletion(ds, 5000)));
    say("  handled=%d", handled);
    natsSubscription_Destroy(ds);
    natsOptions *dco = baseOptions();
    natsOptions_SetClosedCB(dco, onClosed, NULL);
    natsConnection *dc = connectWith(dco);
    natsSubscription *dcs = NULL;
    natsConnection_Subscribe(&dcs, dc, "dc", onNothing, NULL);
    say("  drain conn: %s", statusText(natsConnection_Drain(dc)));
    for (int i = 0; i < 250 && !closedFlag; i++) nats_Sleep(20);
    say("  closed after drain: %s", closedFlag ? "true" : "false");
    natsSubscription_Destroy(dcs);
    natsConnection_Destroy(dc);

    section("flush-rtt");
    say("  flush: %s", statusText(natsConnection_FlushTimeout(nc, 2000)));
    int64_t rtt = 0;
    say("  rtt: %s", statusText(natsConnection_GetRTT(nc, &rtt)));

    section("max-payload");
    int64_t max = natsConnection_GetMaxPayload(nc);
    char *big = calloc(1, max + 1);
    memset(big, 'x', max + 1);
    s = natsConnection_Publish(nc, "big", big, (int)max + 1);
    say("  publish too big: %s (%s)", natsStatus_GetText(s), s == NATS_MAX_PAYLOAD ? "NATS_MAX_PAYLOAD" : "other");
    natsSubscription *bs = NULL;
    natsConnection_SubscribeSync(&bs, nc, "big");
    say("  publish at limit: %s", statusText(natsConnection_Publish(nc, "big", big, (int)max)));
    m = NULL;
    if (natsSubscription_NextMsg(&m, bs, 1000) == NATS_OK) {
        say("  got %d bytes", natsMsg_GetDataLength(m));
        natsMsg_Destroy(m);
    } else say("  nothing received");
    free(big);
    natsSubscription_Destroy(bs);
    natsConnection_Destroy(nc);
}

static volatile int disconnected = 0, reconnected = 0, ldm = 0;
static void onDisconnected(natsConnection *nc, void *c) { disconnected++; }
static void onReconnected(natsConnection *nc, void *c) { reconnected++; }
static void onLameDuck(natsConnection *nc, void *c) { ldm = 1; }

static void restart(void) {
    section("reconnect");
    natsOptions *o = baseOptions();
    natsOptions_SetAllowReconnect(o, true);
    natsOptions_SetMaxReconnect(o, 100);
    natsOptions_SetReconnectWait(o, 100);
    natsOptions_SetReconnectJitter(o, 0, 0);
    natsOptions_SetDisconnectedCB(o, onDisconnected, NULL);
    natsOptions_SetReconnectedCB(o, onReconnected, NULL);
    natsConnection *nc = connectWith(o);
    natsSubscription *sub = NULL;
    natsConnection_SubscribeSync(&sub, nc, "rc");
    natsConnection_Flush(nc);
    say("@restart");
    for (int i = 0; i < 750 && !reconnected; i++) nats_Sleep(20);
    if (!reconnected) say("  no reconnect");
    else {
        natsConnection_PublishString(nc, "rc", "after restart");
        natsMsg_Destroy(next(sub, 2000));
        say("  disconnected=%d reconnected=%d", disconnected, reconnected);
    }
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);

    section("lame-duck");
    o = baseOptions();
    natsOptions_SetLameDuckModeCB(o, onLameDuck, NULL);
    nc = connectWith(o);
    natsConnection_Flush(nc);
    say("@ldm");
    for (int i = 0; i < 500 && !ldm; i++) nats_Sleep(20);
    say("  %s", ldm ? "lame duck mode notified" : "no lame duck notification");
    if (ldm) {
        say("  new connection: %s", tryConnect(baseOptions()));
        say("  still connected: %s", natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED ? "true" : "false");
        for (int i = 0; i < 500 && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED; i++) nats_Sleep(20);
        say("  closed by the server: %s", natsConnection_Status(nc) == NATS_CONN_STATUS_CLOSED ? "true" : "false");
    }
    natsConnection_Destroy(nc);
}

static char asyncErr[512];
static volatile int asyncErrs = 0;
static void onAsyncError(natsConnection *nc, natsSubscription *sub, natsStatus err, void *c) {
    const char *text = NULL;
    natsConnection_GetLastError(nc, &text);
    snprintf(asyncErr, sizeof asyncErr, "%s: %s", natsStatus_GetText(err), text ? text : "");
    asyncErrs++;
}
static const char *nextAsyncError(int before) {
    for (int i = 0; i < 50 && asyncErrs == before; i++) nats_Sleep(20);
    return asyncErrs == before ? "none" : asyncErr;
}

static natsStatus signWithOther(char **errTxt, unsigned char **sig, int *sigLen, const char *nonce, void *closure) {
    return nats_Sign((const char *)closure, nonce, sig, sigLen);
}

static char *readSeed(const char *file) {
    static char seed[256];
    FILE *f = fopen(file, "r");
    if (!f || !fgets(seed, sizeof seed, f)) return NULL;
    fclose(f);
    seed[strcspn(seed, "\r\n")] = 0;
    return seed;
}

static void auth(void) {
    natsOptions *o;
    section("user-password");
    o = baseOptions();
    natsOptions_SetUserInfo(o, "alice", "secret");
    natsConnection *nc = connectWith(o);
    say("  connected; flush: %s", statusText(natsConnection_Flush(nc)));
    natsConnection_Destroy(nc);
    o = baseOptions();
    natsOptions_SetUserInfo(o, "alice", "wrong");
    say("  wrong password: %s", tryConnect(o));
    say("  no credentials: %s", tryConnect(baseOptions()));
    o = baseOptions();
    natsOptions_SetToken(o, "nope");
    say("  token instead: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetUserInfo(o, "hashed", "pw2");
    say("  bcrypt password: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetUserInfo(o, "hashed", "pw3");
    say("  wrong bcrypt password: %s", tryConnect(o));

    section("nkey");
    o = baseOptions();
    natsOptions_SetNKeyFromSeed(o, pubKey, seedFile);
    say("  seed file: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetNKey(o, pubKey, signWithOther, readSeed(seedFile));
    say("  callback: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetNKey(o, pubKey, signWithOther, "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU");
    say("  bad signature: %s", tryConnect(o));

    section("permissions");
    o = baseOptions();
    natsOptions_SetUserInfo(o, "limited", "pw");
    natsOptions_SetErrorHandler(o, onAsyncError, NULL);
    nc = connectWith(o);
    int before = asyncErrs;
    natsConnection_PublishString(nc, "forbidden.x", "no");
    natsConnection_Flush(nc);
    say("  publish denied: %s", nextAsyncError(before));
    before = asyncErrs;
    natsSubscription *s1 = NULL;
    natsConnection_SubscribeSync(&s1, nc, "secret.x");
    natsConnection_Flush(nc);
    say("  subscribe denied: %s", nextAsyncError(before));
    natsSubscription *allowed = NULL;
    natsConnection_SubscribeSync(&allowed, nc, "open.x");
    natsConnection_PublishString(nc, "open.x", "fine");
    natsMsg_Destroy(next(allowed, 1000));
    say("  still connected: %s", natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED ? "true" : "false");
    natsSubscription_Destroy(s1);
    natsSubscription_Destroy(allowed);
    natsConnection_Destroy(nc);
}

static void token(void) {
    section("token");
    natsOptions *o = baseOptions();
    natsOptions_SetToken(o, "s3cr3t");
    say("  token: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetToken(o, "wrong");
    say("  wrong token: %s", tryConnect(o));
    o = baseOptions();
    natsOptions_SetUserInfo(o, "user", "pass");
    say("  user instead: %s", tryConnect(o));
}

static natsConnection *connectUser(const char *user) {
    natsOptions *o = baseOptions();
    natsOptions_SetUserInfo(o, user, user);
    return connectWith(o);
}

static char seen[256];
static void onEcho(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    snprintf(seen, sizeof seen, "%s reply_prefix=%s", natsMsg_GetSubject(m), strncmp(natsMsg_GetReply(m), "_R_.", 4) == 0 ? "true" : "false");
    char out[256];
    snprintf(out, sizeof out, "echo:%.*s", natsMsg_GetDataLength(m), natsMsg_GetData(m));
    natsConnection_PublishString(nc, natsMsg_GetReply(m), out);
    natsMsg_Destroy(m);
}

/* Whether the JSON text holds `"key":` (a shape check without a JSON parser). */
static const char *hasKey(const char *json, const char *key) {
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    return strstr(json, pat) ? "yes" : "no";
}

static void accounts(void) {
    section("service-import");
    natsConnection *a = connectUser("a"), *b = connectUser("b");
    natsSubscription *svc = NULL;
    natsConnection_Subscribe(&svc, a, "svc.echo", onEcho, NULL);
    natsConnection_Flush(a);
    natsMsg *r = NULL;
    natsStatus s = natsConnection_RequestString(&r, b, "echo", "hi", 2000);
    printReply("request", s, r);
    say("  responder saw: %s", seen);
    natsOptions *o = baseOptions();
    natsOptions_SetUserInfo(o, "b", "b");
    natsOptions_UseOldRequestStyle(o, true);
    natsConnection *old = connectWith(o);
    r = NULL;
    s = natsConnection_RequestString(&r, old, "echo", "old", 2000);
    printReply("old-style request", s, r);
    natsConnection_Destroy(old);
    r = NULL;
    s = natsConnection_RequestString(&r, b, "svc.echo", "direct", 1000);
    say("  not imported subject: %s", natsStatus_GetText(s));

    section("stream-import");
    natsSubscription *news = NULL;
    natsConnection_SubscribeSync(&news, b, "imp.news.>");
    natsConnection_Flush(b);
    natsConnection_PublishString(a, "news.today", "headline");
    natsConnection_Flush(a);
    natsMsg_Destroy(next(news, 1000));
    natsSubscription_Destroy(news);

    section("utf8-imports");
    natsSubscription *dienst = NULL, *us = NULL;
    natsConnection_Subscribe(&dienst, a, "dienst.ä", onEcho, NULL);
    natsConnection_Flush(a);
    r = NULL;
    s = natsConnection_RequestString(&r, b, "grüß", "frage", 2000);
    printReply("service", s, r);
    natsConnection_SubscribeSync(&us, b, "ü.nachrichten.ö");
    natsConnection_Flush(b);
    natsConnection_PublishString(a, "nachrichten.ö", "neu");
    natsConnection_Flush(a);
    natsMsg_Destroy(next(us, 1000));
    natsSubscription_Destroy(dienst);
    natsSubscription_Destroy(us);

    section("no-auth-user");
    natsConnection *anon = connectWith(baseOptions());
    r = NULL;
    s = natsConnection_RequestString(&r, anon, "echo", "anon", 2000);
    printReply("request as the no_auth_user", s, r);
    natsConnection_Destroy(anon);

    section("system-account");
    natsConnection *sys = connectUser("sys");
    r = NULL;
    s = natsConnection_RequestString(&r, sys, "$SYS.REQ.SERVER.PING", "", 2000);
    if (s != NATS_OK) say("  ping: %s", statusText(s));
    else {
        const char *j = natsMsg_GetData(r);
        say("  ping: server=%s statsz=%s connections=%s name_srv=%s", hasKey(j, "server"), hasKey(j, "statsz"), hasKey(j, "connections"), strstr(j, "\"name\":\"srv\"") ? "yes" : "no");
        natsMsg_Destroy(r);
    }
    natsSubscription *events = NULL;
    natsConnection_SubscribeSync(&events, sys, "$SYS.ACCOUNT.*.CONNECT");
    natsConnection_Flush(sys);
    natsOptions *wo = baseOptions();
    natsOptions_SetUserInfo(wo, "a", "a");
    natsOptions_SetName(wo, "watched");
    natsConnection_Destroy(connectWith(wo));
    natsMsg *m = NULL;
    if (natsSubscription_NextMsg(&m, events, 2000) != NATS_OK) say("  no connect event");
    else {
        const char *j = natsMsg_GetData(m);
        say("  connect event subject: %s", natsMsg_GetSubject(m));
        say("  connect event: client_connect=%s acc_A=%s name=%s lang_c=%s", strstr(j, "io.nats.server.advisory.v1.client_connect") ? "yes" : "no",
            strstr(j, "\"acc\":\"A\"") ? "yes" : "no", strstr(j, "\"name\":\"watched\"") ? "yes" : "no", strstr(j, "\"lang\":\"C\"") ? "yes" : "no");
        natsMsg_Destroy(m);
    }
    r = NULL;
    s = natsConnection_RequestString(&r, a, "$SYS.REQ.SERVER.PING", "", 500);
    say("  ping from account A: %s", natsStatus_GetText(s));
    natsSubscription_Destroy(events);
    natsSubscription_Destroy(svc);
    natsConnection_Destroy(sys);
    natsConnection_Destroy(a);
    natsConnection_Destroy(b);
}

static natsOptions *tlsOptions(const char *cert, const char *key) {
    natsOptions *o = baseOptions();
    natsOptions_SetSecure(o, true);
    natsOptions_LoadCATrustedCertificates(o, caFile);
    if (cert) natsOptions_LoadCertificatesChain(o, cert, key);
    return o;
}

static void tlsScenario(void) {
    section("tls");
    natsOptions *to = tlsOptions(certFile, keyFile);
    natsOptions_SetErrorHandler(to, onAsyncError, NULL);
    natsConnection *nc = connectWith(to);
    natsSubscription *sub = NULL;
    natsConnection_SubscribeSync(&sub, nc, "t");
    natsConnection_PublishString(nc, "t", "secure");
    natsMsg_Destroy(next(sub, 1000));
    int before = asyncErrs;
    natsConnection_PublishString(nc, "t.denied", "no");
    natsConnection_Flush(nc);
    say("  mapped user's permissions: %s", nextAsyncError(before));
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);
    say("  without client cert rejected: %s", strcmp(tryConnect(tlsOptions(NULL, NULL)), "connected") ? "true" : "false");
    say("  cert from another CA rejected: %s", strcmp(tryConnect(tlsOptions(otherCert, otherKey)), "connected") ? "true" : "false");
    natsOptions *o = baseOptions();
    natsOptions_SetURL(o, url + 6);
    /* Rejected either way; the texts differ since Go sends only the leaf
     * certificate and OpenSSL completes the chain from the CA file. */
    say("  client without the CA rejected: %s", strcmp(tryConnect(o), "connected") ? "true" : "false");
}

static natsConnection *connectPlain(natsOptions *o) {
    natsOptions_SetUserInfo(o, "plain", "p");
    natsOptions_SetErrorHandler(o, onAsyncError, NULL);
    return connectWith(o);
}

static void printState(natsConnection *nc) {
    const char *text = NULL;
    natsStatus s = natsConnection_GetLastError(nc, &text);
    say("  connected: %s; last error: %s %s", natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED ? "true" : "false", natsStatus_GetText(s), text ? text : "");
}

static void onSvc(natsConnection *nc, natsSubscription *sub, natsMsg *m, void *closure) {
    say("  responder respond: %s", statusText(natsConnection_PublishString(nc, natsMsg_GetReply(m), "answer")));
    say("  responder second respond: %s", statusText(natsConnection_PublishString(nc, natsMsg_GetReply(m), "again")));
    natsMsg_Destroy(m);
}

static void edge(void) {
    natsSubscription *sub = NULL;
    natsStatus s;
    int before;
    section("bad-subjects");
    natsConnection *nc = connectPlain(baseOptions());
    before = asyncErrs;
    s = natsConnection_SubscribeSync(&sub, nc, "foo..bar");
    say("  subscribe foo..bar: %s", natsStatus_GetText(s));
    natsSubscription_Destroy(sub);
    sub = NULL;
    s = natsConnection_SubscribeSync(&sub, nc, "foo.>.bar");
    say("  subscribe foo.>.bar: %s", natsStatus_GetText(s));
    say("  flush: %s", natsStatus_GetText(natsConnection_Flush(nc)));
    say("    async: %s", nextAsyncError(before));
    printState(nc);
    natsSubscription_Destroy(sub);
    natsConnection_Destroy(nc);

    section("wildcard-publish");
    nc = connectPlain(baseOptions());
    natsSubscription *ws = NULL;
    natsConnection_SubscribeSync(&ws, nc, "wp.*");
    say("  publish wp.*: %s", natsStatus_GetText(natsConnection_PublishString(nc, "wp.*", "star")));
    natsMsg_Destroy(next(ws, 300));
    natsSubscription_Destroy(ws);
    natsConnection_Destroy(nc);

    section("max-subscriptions");
    nc = connectPlain(baseOptions());
    before = asyncErrs;
    natsSubscription *subs[6] = {0};
    for (int i = 0; i < 6; i++) {
        char subj[16];
        snprintf(subj, sizeof subj, "ms.%d", i);
        s = natsConnection_SubscribeSync(&subs[i], nc, subj);
        if (s != NATS_OK) say("  sub %d: %s", i, natsStatus_GetText(s));
    }
    natsConnection_Flush(nc);
    say("  async: %s", nextAsyncError(before));
    printState(nc);
    for (int i = 0; i < 6; i++) natsSubscription_Destroy(subs[i]);
    natsConnection_Destroy(nc);

    section("max-control-line");
    nc = connectPlain(baseOptions());
    char subj[700] = "long.";
    memset(subj + 5, 'x', 600);
    subj[605] = 0;
    natsConnection_PublishString(nc, subj, "x");
    say("  flush: %s", natsStatus_GetText(natsConnection_FlushTimeout(nc, 2000)));
    for (int i = 0; i < 100 && natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED; i++) nats_Sleep(20);
    printState(nc);
    natsConnection_Destroy(nc);

    section("no-echo");
    natsOptions *o = baseOptions();
    natsOptions_SetNoEcho(o, true);
    natsConnection *ne = connectPlain(o);
    natsConnection *other = connectPlain(baseOptions());
    natsSubscription *self = NULL, *peer = NULL;
    natsConnection_SubscribeSync(&self, ne, "echo");
    natsConnection_SubscribeSync(&peer, other, "echo");
    natsConnection_Flush(ne);
    natsConnection_Flush(other);
    natsConnection_PublishString(ne, "echo", "from no-echo");
    natsConnection_Flush(ne);
    natsMsg_Destroy(next(peer, 1000));
    natsMsg_Destroy(next(self, 300));
    natsSubscription_Destroy(self);
    natsSubscription_Destroy(peer);
    natsConnection_Destroy(ne);

    section("allow-responses");
    o = baseOptions();
    natsOptions_SetUserInfo(o, "svc", "svc");
    natsOptions_SetErrorHandler(o, onAsyncError, NULL);
    natsConnection *svc = connectWith(o);
    natsSubscription *svcSub = NULL;
    natsConnection_Subscribe(&svcSub, svc, "req.x", onSvc, NULL);
    natsConnection_Flush(svc);
    before = asyncErrs;
    natsMsg *r = NULL;
    s = natsConnection_RequestString(&r, other, "req.x", "q", 2000);
    printReply("request", s, r);
    natsConnection_Flush(svc);
    say("  async: %s", strstr(nextAsyncError(before), "Permissions Violation for Publish to \"_INBOX.") ? "violation on the inbox" : asyncErr);
    before = asyncErrs;
    natsConnection_PublishString(svc, "elsewhere", "x");
    natsConnection_Flush(svc);
    say("  publish elsewhere: %s", nextAsyncError(before));
    natsSubscription_Destroy(svcSub);
    natsConnection_Destroy(svc);

    section("deny-under-wildcard");
    o = baseOptions();
    natsOptions_SetUserInfo(o, "watcher", "w");
    natsOptions_SetErrorHandler(o, onAsyncError, NULL);
    natsConnection *w = connectWith(o);
    natsSubscription *all = NULL, *qs = NULL;
    natsConnection_SubscribeSync(&all, w, ">");
    natsConnection_Flush(w);
    natsConnection_PublishString(other, "secret.x", "hidden");
    natsConnection_PublishString(other, "open.x", "seen");
    natsConnection_Flush(other);
    natsMsg_Destroy(next(all, 1000));
    natsMsg_Destroy(next(all, 300));
    before = asyncErrs;
    natsConnection_QueueSubscribeSync(&qs, w, "secret.q", "workers");
    natsConnection_Flush(w);
    say("  queue subscribe denied: %s", nextAsyncError(before));
    natsSubscription_Destroy(all);
    natsSubscription_Destroy(qs);
    natsConnection_Destroy(w);

    section("verbose-pedantic");
    o = baseOptions();
    natsOptions_SetVerbose(o, true);
    natsOptions_SetPedantic(o, true);
    natsConnection *vp = connectPlain(o);
    natsSubscription *vs = NULL;
    natsConnection_SubscribeSync(&vs, vp, "vp.>");
    natsConnection_PublishString(vp, "vp.a", "verbose");
    say("  flush: %s", natsStatus_GetText(natsConnection_Flush(vp)));
    natsMsg_Destroy(next(vs, 1000));
    before = asyncErrs;
    natsConnection_PublishString(vp, "vp.*", "wild");
    say("  flush after wildcard publish: %s", natsStatus_GetText(natsConnection_FlushTimeout(vp, 2000)));
    for (int i = 0; i < 100 && natsConnection_Status(vp) == NATS_CONN_STATUS_CONNECTED; i++) nats_Sleep(20);
    printState(vp);
    natsSubscription_Destroy(vs);
    natsConnection_Destroy(vp);

    section("utf8-subjects");
    o = baseOptions();
    natsOptions_SetUserInfo(o, "intl", "i");
    natsOptions_SetErrorHandler(o, onAsyncError, NULL);
    natsConnection *intl = connectWith(o);
    natsSubscription *gs = NULL, *denied = NULL, *mapped = NULL;
    natsConnection_SubscribeSync(&gs, intl, "grüße.>");
    natsConnection_PublishString(intl, "grüße.welt", "hallo");
    natsMsg_Destroy(next(gs, 1000));
    before = asyncErrs;
    natsConnection_PublishString(intl, "tschüss.x", "no");
    natsConnection_Flush(intl);
    say("  publish denied: %s", nextAsyncError(before));
    before = asyncErrs;
    natsConnection_SubscribeSync(&denied, intl, "verboten.ß");
    natsConnection_Flush(intl);
    say("  subscribe denied: %s", nextAsyncError(before));
    natsConnection_SubscribeSync(&mapped, intl, "birnen.>");
    natsConnection_PublishString(intl, "äpfel.rot", "mapped");
    natsMsg_Destroy(next(mapped, 1000));
    natsSubscription_Destroy(gs);
    natsSubscription_Destroy(denied);
    natsSubscription_Destroy(mapped);
    natsConnection_Destroy(intl);

    section("large-payloads");
    int64_t max = natsConnection_GetMaxPayload(other);
    char *big = malloc(max);
    for (int64_t i = 0; i < max; i++) big[i] = 'a' + i % 26;
    natsSubscription *ls = NULL, *burst = NULL;
    natsConnection_SubscribeSync(&ls, other, "large");
    natsConnection_Publish(other, "large", big, (int)max);
    natsMsg *m = NULL;
    if (natsSubscription_NextMsg(&m, ls, 2000) == NATS_OK) {
        say("  got %d bytes, intact=%s", natsMsg_GetDataLength(m), natsMsg_GetDataLength(m) == max && !memcmp(natsMsg_GetData(m), big, max) ? "true" : "false");
        natsMsg_Destroy(m);
    } else say("  nothing received");
    natsConnection_SubscribeSync(&burst, other, "burst");
    natsSubscription_SetPendingLimits(burst, -1, -1);
    for (int i = 0; i < 5000; i++) natsConnection_Publish(other, "burst", big, 1000);
    natsConnection_Flush(other);
    nats_Sleep(200);
    int n = 0;
    natsSubscription_GetPending(burst, &n, NULL);
    say("  burst received=%d", n);
    free(big);
    natsSubscription_Destroy(ls);
    natsSubscription_Destroy(burst);
    natsConnection_Destroy(other);
}

int main(int argc, char **argv) {
    const char *group = argv[1];
    url = argv[2];
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) continue;
        *eq = 0;
        const char *k = argv[i], *v = eq + 1;
        if (!strcmp(k, "seed")) seedFile = v;
        else if (!strcmp(k, "pub")) pubKey = v;
        else if (!strcmp(k, "ca")) caFile = v;
        else if (!strcmp(k, "cert")) certFile = v;
        else if (!strcmp(k, "key")) keyFile = v;
        else if (!strcmp(k, "other-cert")) otherCert = v;
        else if (!strcmp(k, "other-key")) otherKey = v;
    }
    if (!strcmp(group, "core")) core();
    else if (!strcmp(group, "restart")) restart();
    else if (!strcmp(group, "auth")) auth();
    else if (!strcmp(group, "token")) token();
    else if (!strcmp(group, "accounts")) accounts();
    else if (!strcmp(group, "tls")) tlsScenario();
    else if (!strcmp(group, "edge")) edge();
    say("== done");
    nats_Close();
    return 0;
}

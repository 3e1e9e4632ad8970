#!/usr/bin/env node
// Drop-in alias: tools that launch `nats-server` from PATH start tsnats. The
// ports file and messages use this name, taken from the invoked script.
import "./tsnats.js";

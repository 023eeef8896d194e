#!/usr/bin/env node
// The adapter: protocol v1 on stdin/stdout, one JSON object per line each way
// (handshake, init, step, reset). Written from spec/ (see README.md).

import { createInterface } from "node:readline";
import { parse, stringify } from "./json.js";
import { readAction } from "./actions.js";
import { readParams } from "./params.js";
import { initialState } from "./state.js";
import { observe } from "./observe.js";
import { CHAPTERS, step } from "./step.js";

/** @typedef {import("./json.js").JsonValue} JsonValue */

const NAME = "intermargin-ts-build";

/**
 * The chapters declared in the handshake: all that are implemented, or the subset named
 * by `--chapters a,b,c` (to run the build as a smaller one, e.g. hub,messaging,governance).
 * @param {string[]} argv @returns {string[]}
 */
function declaredChapters(argv) {
  const i = argv.indexOf("--chapters");
  if (i < 0) return CHAPTERS;
  const wanted = (argv[i + 1] ?? "").split(",").filter((c) => c !== "");
  const unknown = wanted.filter((c) => !CHAPTERS.includes(c));
  if (unknown.length > 0 || wanted.length === 0) {
    process.stderr.write(`usage: main.js [--chapters ${CHAPTERS.join(",")}] (not implemented: ${unknown.join(",")})\n`);
    process.exit(2);
  }
  return wanted;
}

const DECLARED = declaredChapters(process.argv.slice(2));

/** @type {{ params: import("./params.js").Params, state: import("./state.js").State } | null} */
let run = null;

/**
 * Answer one request.
 * @param {JsonValue} req @returns {Record<string, unknown>}
 */
function answer(req) {
  if (req === null || typeof req !== "object" || Array.isArray(req)) return { ok: false, error: "a request is a JSON object" };
  switch (req.op) {
    case "handshake":
      if (req.protocol !== 1n) return { ok: false, unsupported: `protocol ${stringify(req.protocol)}` };
      return { ok: true, protocol: 1n, name: NAME, chapters: DECLARED };
    case "init": {
      if (req.params === undefined) return { ok: false, error: "init: missing params" };
      const params = readParams(req.params);
      run = { params, state: initialState(params) };
      return { ok: true, observation: observe(run.state) };
    }
    case "step": {
      if (run === null) return { ok: false, error: "step before init" };
      if (req.action === undefined) return { ok: false, error: "step: missing action" };
      const done = step(run.params, run.state, readAction(req.action));
      run.state = done.state;
      return { ok: true, outcome: done.outcome, observation: observe(run.state) };
    }
    case "reset":
      run = null;
      return { ok: true };
    default:
      return { ok: false, unsupported: `op ${stringify(req.op ?? null)}` };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  /** @type {Record<string, unknown>} */
  let reply;
  try {
    reply = answer(parse(line));
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  process.stdout.write(stringify(reply) + "\n");
});

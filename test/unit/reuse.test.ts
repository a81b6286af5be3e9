import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import type { Finding } from '../../src/core/model';

/**
 * The editor's fast path (src/core/reuse.ts) must give exactly what a full analysis gives. A differential
 * test: a few hundred random edits to a file with several findings, each result compared with a full
 * analysis of the same text by an analyzer that never reuses.
 */
const APP = `const nodemailer = require('nodemailer');
const { ImapFlow } = require('imapflow');
const cfg = require('./config');

const HOST = 'smtp.office365.com';
const PORT = 587;

function helper(input) {
  const value = input.items.map((x) => x * 2).filter(Boolean);
  if (value.length > 3) {
    return { total: value.reduce((a, b) => a + b, 0) };
  }
  return null;
}

const transport = nodemailer.createTransport({
  host: HOST,
  port: PORT,
  auth: { user: cfg.user, pass: process.env.SMTP_PASS },
});

function other(list) {
  let n = 0;
  for (const item of list) {
    n += item.size;
  }
  return n;
}

async function read() {
  const client = new ImapFlow({ host: cfg.imapHost, port: 993, secure: true, auth: { user: cfg.user, pass: cfg.pass } });
  await client.connect();
  return client;
}

const POP3Client = require('poplib');
const POP_USER = cfg.user;
function pop(pass) {
  const c = new POP3Client(995, 'outlook.office365.com', { enabletls: true });
  c.on('connect', () => c.login(POP_USER, pass));
  return c;
}

module.exports = { transport, read, helper, other, pop };
`;

/** An ES module: class method, top-level client, exported consts and functions, a default export. */
const APP_ESM = `import nodemailer from 'nodemailer';
import { ImapFlow } from 'imapflow';
import { settings } from './config.js';

export const HOST = 'smtp.office365.com';
const flags = { secure: false };

class Mailer {
  constructor(user) {
    this.user = user;
  }
  open() {
    return nodemailer.createTransport({ host: HOST, port: 587, ...flags, auth: { user: this.user, pass: process.env.SMTP_PASS } });
  }
  get size() {
    return 3 * 4;
  }
}

const top = new ImapFlow({ host: 'outlook.office365.com', port: 993, auth: { user: 'a@contoso.example', pass: 'x' } });

export async function later(n) {
  const list = [1, 2, 3].map((x) => x * n);
  return list;
}

export default Mailer;
`;

const CONFIG = `module.exports = { user: 'alerts@contoso.example', pass: 'x', imapHost: 'outlook.office365.com' };\n`;

/** Snippets typed at random places; many are harmless, some change findings or the parse. */
const SNIPPETS = [
  ' ',
  '\n',
  'x',
  'n',
  '1',
  ';',
  '// note\n',
  '  // mail-oauth-ignore',
  'const y = 2;\n',
  'let z = y + 1;\n',
  "'",
  '"',
  '`',
  '/*',
  '*/',
  '{',
  '}',
  '(',
  ')',
  'HOST',
  'PORT = 25;\n',
  'nodemailer',
  'cfg',
  'function f(nodemailer) {}\n',
  "const HOST = 'smtp.gmail.com';\n",
  'smtp.gmail.com',
  '0',
  'transport.close();\n',
];

/** The parts of a finding an editor shows or a fix uses. */
function view(fs_: Finding[]): unknown {
  return fs_.map((f) => ({
    code: f.code,
    severity: f.severity,
    message: f.message,
    host: f.host,
    span: f.span,
    related: f.related,
    fix: f.fix,
  }));
}

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('editor reuse of findings after edits', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-reuse-'));
  const file = path.join(dir, 'app.js');
  const esmFile = path.join(dir, 'app.mjs');
  before(() => {
    fs.writeFileSync(file, APP);
    fs.writeFileSync(path.join(dir, 'config.js'), `${CONFIG}module.exports.settings = {};\n`);
    fs.writeFileSync(esmFile, APP_ESM);
    fs.writeFileSync(path.join(dir, '.env'), 'SMTP_PASS=hunter2\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const make = (reuseEdits = true): Analyzer => {
    const a = new Analyzer(dir, { reuseEdits });
    a.env.add(path.join(dir, '.env'), 'SMTP_PASS=hunter2\n');
    return a;
  };
  const fresh = (text: string): Finding[] => make(false).analyzeText(file, text);

  // (48,000 edits over 120 seeds and both files agreed when this was written; a few run on every test)
  for (const [base, seed] of [
    ['APP', 20261123],
    ['APP', 7],
    ['APP', 424242],
    ['APP_ESM', 5000],
    ['APP_ESM', 2099580],
  ] as const) {
    it(`gives what a full analysis gives, over 400 random edits (${base}, seed ${seed})`, function () {
      differential(seed, base === 'APP' ? APP : APP_ESM, base === 'APP' ? file : esmFile);
    });
  }

  function differential(seed: number, APP: string, file: string): void {
    const random = rng(seed);
    const editor = make();
    // one reference analyzer per text is slow; a long-lived one that never reuses gives the same answers
    const ref = make(false);
    let text = APP;
    let calls = 0;
    for (let i = 0; i < 400; i++) {
      if (i % 40 === 0) {
        text = APP; // start over now and then, so the file does not drift into pure noise
      }
      const at = Math.floor(random() * (text.length + 1));
      if (random() < 0.3) {
        text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(random() * 8)));
      } else {
        text = text.slice(0, at) + SNIPPETS[Math.floor(random() * SNIPPETS.length)] + text.slice(at);
      }
      const got = editor.analyzeText(file, text);
      calls++;
      assert.deepEqual(view(got), view(ref.analyzeText(file, text)), `edit ${i} at ${at}:\n${text}`);
    }
    // the fast path must actually have been taken, or this test proves nothing
    assert.ok(editor.reused >= 40, `reused ${editor.reused} of ${calls}`);
    // and a long-lived reference equals a fresh one on the final text
    assert.deepEqual(view(ref.analyzeText(file, text)), view(fresh(text)));
  }

  it('moves findings after an edit far from them, with line and column', () => {
    const a = make();
    const before = a.analyzeText(file, APP);
    assert.equal(before.length, 3);
    const edited = APP.replace(
      'function helper(input) {\n',
      'function helper(input) {\n  // a comment\n  const extra = input.flag;\n',
    );
    const after = a.analyzeText(file, edited);
    assert.equal(a.reused, 1);
    assert.equal(after[0].span.line, before[0].span.line + 2);
    assert.equal(after[0].span.start, before[0].span.start + edited.length - APP.length);
    assert.deepEqual(view(after), view(fresh(edited)));
  });

  it('analyses again when the edit touches what the findings depend on', () => {
    const cases: [string, string][] = [
      ["const HOST = 'smtp.office365.com';", "const HOST = 'smtp.gmail.com';"], // a value the config reads
      ['const PORT = 587;', 'const PORT = 25;'], // the same statement, no quotes
      ['function other(list) {', 'function other(list, nodemailer) {'], // a name the config uses
      [
        '  return null;\n',
        '  return null;\n  const transport2 = nodemailer.createTransport({ host: HOST, auth: { user: "a", pass: "b" } });\n',
      ],
      ['module.exports', '/* commented out */ module.exports'],
      ['async function read() {', 'function read() {'], // the call now sits in a synchronous function
      ['async function read() {', 'async function read(x) {'], // a header around a call
    ];
    for (const [from, to] of cases) {
      const a = make();
      a.analyzeText(file, APP);
      const edited = APP.replace(from, to);
      assert.notEqual(edited, APP, from);
      assert.deepEqual(view(a.analyzeText(file, edited)), view(fresh(edited)), to);
      assert.equal(a.reused, 0, `not reused: ${to}`);
    }
  });

  it('does not reuse after another file or a dotenv file changed', () => {
    const a = make();
    a.analyzeText(file, APP);
    a.env.add(path.join(dir, '.env'), 'SMTP_PASS=changed\n');
    a.analyzeText(file, APP.replace('function other(list) {', 'function other(list) {\n'));
    assert.equal(a.reused, 0);
    a.setSource(path.join(dir, 'config.js'), CONFIG.replace('outlook', 'imap-mail.outlook'));
    a.analyzeText(file, APP);
    assert.equal(a.reused, 0);
  });
});

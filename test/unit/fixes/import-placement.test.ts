/**
 * Where the provider import goes in a fixed file: after the imports / requires, else after the directives, else
 * after the shebang, the licence or header comments and the file-level pragmas — never above them, and never
 * between a comment and the code it documents.
 */
import * as assert from 'node:assert/strict';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';
import { resultTexts } from '../../../src/core/fixes/apply';

const ROOT = '/virtual/import-placement';
const CONFIG = `module.exports = {\n  host: 'smtp.office365.com',\n  port: 587,\n  auth: { user: 'a@contoso.com', pass: process.env.P },\n};\n`;
const IMPORT = "const { nodemailerProvisionCallback } = require('./mail-oauth-token.js');\n";

/** The fixed text of a config module that starts with `head` and has no require of its own. */
function fixedConfig(head: string): string {
  const cfg = `${ROOT}/config.js`;
  const main = `${ROOT}/send.js`;
  const files = new Map([
    [cfg, head + CONFIG],
    [main, "const nodemailer = require('nodemailer');\nconst cfg = require('./config');\nmodule.exports = nodemailer.createTransport(cfg);\n"],
    [`${ROOT}/package.json`, '{ "name": "x" }\n'],
  ]);
  const analyzer = new Analyzer(ROOT, { now: () => new Date('2026-11-22T12:00:00Z') });
  analyzer.setSource(cfg, files.get(cfg)!);
  analyzer.setSource(main, files.get(main)!);
  const plan = planFixes(analyzer.analyzeFile(main), { readFile: (f) => files.get(f) });
  assert.deepEqual(plan.notFixed.map((n) => n.reason), []);
  return resultTexts(plan.edits, (f) => files.get(f)).get(cfg)!.after;
}

const fixedBody = CONFIG.replace("pass: process.env.P", "type: 'OAuth2', provisionCallback: nodemailerProvisionCallback");

describe('provider import placement', () => {
  it('after a shebang and a header comment separated by a blank line', () => {
    const head = '#!/usr/bin/env node\n// Mail settings.\n// (c) Contoso\n\n';
    assert.equal(fixedConfig(head), head + IMPORT + '\n' + fixedBody);
  });

  it("after a JSDoc header and 'use strict'", () => {
    assert.equal(fixedConfig("/**\n * Mail settings.\n */\n'use strict';\n\n"), "/**\n * Mail settings.\n */\n'use strict';\n" + IMPORT + '\n' + fixedBody);
  });

  it('after file-level pragmas, before a comment that documents the code', () => {
    assert.equal(fixedConfig('/* eslint-disable */\n// the SMTP settings\n'), '/* eslint-disable */\n' + IMPORT + '\n// the SMTP settings\n' + fixedBody);
  });

  it("after a 'use server' directive", () => {
    assert.equal(fixedConfig("'use server';\n"), "'use server';\n" + IMPORT + fixedBody);
  });

  it('at the top when the file starts with code', () => {
    assert.equal(fixedConfig(''), IMPORT + '\n' + fixedBody);
  });
});

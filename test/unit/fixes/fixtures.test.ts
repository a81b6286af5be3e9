/**
 * Before/after fixtures for every library × module style (CommonJS, ES module, TypeScript):
 * test/fixtures/fixes/<library>/<style>/input.* → output.* (absent output = no automatic fix offered).
 * UPDATE_FIXTURES=1 rewrites the outputs; review those diffs like code.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from 'ts-morph';
import { Analyzer } from '../../../src/core/analyzer';
import { planFixes } from '../../../src/core/fixes';
import { resultTexts } from '../../../src/core/fixes/apply';

const DIR = path.resolve(__dirname, '../../fixtures/fixes');
const NOW = () => new Date('2026-11-22T12:00:00Z');

function syntaxErrors(file: string, text: string): string[] {
  const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('fix fixtures (library × module style)', () => {
  for (const lib of fs.readdirSync(DIR).sort()) {
    for (const style of fs.readdirSync(path.join(DIR, lib)).sort()) {
      const caseDir = path.join(DIR, lib, style);
      const inputName = fs.readdirSync(caseDir).find((f) => f.startsWith('input.'))!;
      const ext = path.extname(inputName);
      const expectedFile = path.join(caseDir, `output${ext}`);
      it(`${lib} / ${style}`, () => {
        const root = `/virtual/${lib}/${style}`;
        const main = `${root}/src/mail${ext}`;
        const input = fs.readFileSync(path.join(caseDir, inputName), 'utf8');
        const files = new Map<string, string>([
          [main, input],
          [`${root}/package.json`, '{\n  "name": "fixture",\n  "version": "1.0.0"\n}\n'],
        ]);
        const analyzer = new Analyzer(root, { now: NOW });
        analyzer.setSource(main, input);
        const findings = analyzer.analyzeFile(main);
        assert.equal(findings.length, 1, 'one finding in the input');
        const plan = planFixes(findings, { readFile: (f) => files.get(f) });
        if (!findings[0].fixable) {
          assert.ok(!fs.existsSync(expectedFile) || process.env.UPDATE_FIXTURES, 'no output fixture for a finding without a fix');
          assert.equal(plan.edits.length, 0);
          assert.equal(plan.notFixed.length, 1);
          assert.match(findings[0].message + (findings[0].fix.manual ?? ''), /node-pop3|imapflow/);
          return;
        }
        assert.deepEqual(plan.notFixed.map((n) => n.reason), []);
        const out = resultTexts(plan.edits, (f) => files.get(f));
        const after = out.get(main)!.after;
        if (process.env.UPDATE_FIXTURES) {
          fs.writeFileSync(expectedFile, after);
        }
        assert.equal(after, fs.readFileSync(expectedFile, 'utf8'));
        assert.deepEqual(syntaxErrors(main, after), []);
        // the password is gone, the provider module is created once, package.json gains msal-node
        assert.doesNotMatch(after, /_PASSWORD/);
        const provider = [...out.keys()].filter((f) => /mail-oauth-token\.(ts|js|cjs)$/.test(f));
        assert.equal(provider.length, 1);
        assert.deepEqual(syntaxErrors(provider[0], out.get(provider[0])!.after), []);
        assert.match(out.get(`${root}/package.json`)!.after, /"@azure\/msal-node": "\^7\.2\.1"/);
        // re-analysis of the output is clean, and planning again changes nothing
        const again = new Analyzer(root, { now: NOW });
        again.setSource(main, after);
        assert.deepEqual(again.analyzeFile(main), []);
      });
    }
  }
});

describe('fixed TypeScript type-checks against the libraries’ real typings', function () {
  this.timeout(120_000);
  // Libraries that ship (or have installed) type definitions; the others would only test `any`.
  const TYPED = ['nodemailer', 'emailjs', 'imapflow', 'imap', 'node-pop3'];

  it(`tsc --strict accepts the rewritten ${TYPED.join(', ')} code and the generated provider`, () => {
    const REPO = path.resolve(__dirname, '../../..');
    fs.mkdirSync(path.join(REPO, '.test-tmp'), { recursive: true });
    const work = fs.mkdtempSync(path.join(REPO, '.test-tmp', 'tscheck-'));
    for (const lib of TYPED) {
      const input = fs.readFileSync(path.join(DIR, lib, 'ts', 'input.ts'), 'utf8');
      const root = path.join(work, lib);
      const main = path.join(root, 'src', 'mail.ts');
      const files = new Map<string, string>([
        [main, input],
        [path.join(root, 'package.json'), '{ "name": "x", "version": "1.0.0" }\n'],
      ]);
      const analyzer = new Analyzer(root, { now: NOW });
      analyzer.setSource(main, input);
      const plan = planFixes(analyzer.analyzeFile(main), { readFile: (f) => files.get(f) });
      for (const [file, { after }] of resultTexts(plan.edits, (f) => files.get(f))) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, after);
      }
    }
    fs.writeFileSync(
      path.join(work, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(REPO, 'node_modules/@types')] },
        include: ['**/*.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', work], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    fs.rmSync(work, { recursive: true, force: true });
  });
});

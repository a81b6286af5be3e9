/**
 * The GitHub Action (action.yml): parsed as GitHub would, and its steps' shell commands run here with the
 * runner's environment (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP) on fixture repositories. The
 * `uses:` step (github/codeql-action/upload-sarif) is not run; its condition is evaluated.
 * Needs dist/cli.js (npm test builds it first), which the action then uses instead of building.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SMTP_BASIC_AUTH_OFF } from '../../src/core/hosts';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const REPO = path.resolve(__dirname, '../..');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = yaml.load(fs.readFileSync(path.join(REPO, 'action.yml'), 'utf8')) as Action;

/** A small evaluator for the `${{ }}` expressions action.yml uses. */
function evaluate(
  expr: string,
  ctx: { inputs: Record<string, string>; steps: Record<string, Record<string, string>> },
): string | boolean {
  const value = (term: string): string | boolean => {
    const t = term.trim();
    let m = /^'(.*)'$/.exec(t);
    if (m) {
      return m[1];
    }
    m = /^inputs\.([\w-]+)$/.exec(t);
    if (m) {
      return ctx.inputs[m[1]] ?? '';
    }
    m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(t);
    if (m) {
      return ctx.steps[m[1]]?.[m[2]] ?? '';
    }
    if (t === 'github.action_path') {
      return REPO;
    }
    throw new Error(`expression not understood by the test: ${t}`);
  };
  const compare = (c: string): boolean => {
    const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(c.trim());
    if (!m) {
      return Boolean(value(c));
    }
    const eq = value(m[1]) === value(m[3]);
    return m[2] === '==' ? eq : !eq;
  };
  return expr.includes('==') || expr.includes('!=') || expr.includes('&&')
    ? expr.split('&&').every(compare)
    : value(expr);
}

const substitute = (s: string, ctx: Parameters<typeof evaluate>[1]): string =>
  s.replace(/\$\{\{(.*?)\}\}/g, (_m, e: string) => String(evaluate(e, ctx)));

interface Run {
  failedStep?: string;
  code: number;
  outputs: Record<string, Record<string, string>>;
  stdout: string;
  summary: string;
  uploadRan: boolean;
  uploadWith?: Record<string, string>;
}

/** Runs the action's steps in `workspace` with `inputs`, stopping at the first failing step as a runner does. */
function runAction(workspace: string, inputs: Record<string, string>): Run {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) {
    all[k] = inputs[k] ?? v.default ?? '';
  }
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-action-'));
  const summaryFile = path.join(temp, 'summary.md');
  const ctx = { inputs: all, steps: {} as Record<string, Record<string, string>> };
  const run: Run = { code: 0, outputs: ctx.steps, stdout: '', summary: '', uploadRan: false };
  action.runs.steps.forEach((step, i) => {
    if (run.failedStep) {
      return;
    }
    const cond = step.if ? evaluate(step.if.replace(/^\$\{\{|\}\}$/g, ''), ctx) : true;
    if (!cond) {
      return;
    }
    if (step.uses) {
      run.uploadRan = true;
      run.uploadWith = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [k, substitute(v, ctx)]),
      );
      return;
    }
    const outFile = path.join(temp, `output-${i}`);
    fs.writeFileSync(outFile, '');
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: outFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(v, ctx)])),
    };
    assert.equal(step.shell, 'bash');
    const r = spawnSync('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', step.run ?? ''], {
      cwd: workspace,
      env,
      encoding: 'utf8',
    });
    run.stdout += r.stdout;
    if (step.id) {
      ctx.steps[step.id] = Object.fromEntries(
        fs
          .readFileSync(outFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    }
    if (r.status !== 0) {
      run.failedStep = step.name ?? step.id;
      run.code = r.status ?? 1;
      run.stdout += r.stderr;
    }
  });
  run.summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : '';
  return run;
}

function repoWith(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-action-ws-')));
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

const SMTP = `const nodemailer = require('nodemailer');
module.exports = nodemailer.createTransport({ host: 'smtp.office365.com', port: 587, auth: { user: 'ops@contoso.com', pass: process.env.SMTP_PASS } });
`;
const IMAP = `import { ImapFlow } from 'imapflow';
export const client = new ImapFlow({ host: 'outlook.office365.com', port: 993, secure: true, auth: { user: 'inbox@contoso.com', pass: 'x' } });
`;
const CNAME = `const nodemailer = require('nodemailer');
nodemailer.createTransport({ host: 'mail.contoso.com', auth: { user: 'a@contoso.com', pass: 'p' } });
`;

describe('GitHub Action (action.yml)', function () {
  this.timeout(120000);
  before(function () {
    if (!fs.existsSync(path.join(REPO, 'dist/cli.js'))) {
      throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it)');
    }
  });

  it('declares the inputs and outputs, as a composite action that uploads SARIF with codeql-action', () => {
    assert.equal(action.runs.using, 'composite');
    for (const k of ['paths', 'extra-hosts', 'exclude', 'fail-on', 'upload-sarif', 'version']) {
      assert.ok(action.inputs[k]?.description, `input ${k}`);
    }
    assert.equal(action.inputs['fail-on'].default, 'any');
    assert.deepEqual(Object.keys(action.outputs).sort(), ['errors', 'findings', 'sarif-file']);
    assert.ok(action.runs.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@')));
    // inputs go through env, never into the script text (script injection)
    for (const s of action.runs.steps) {
      assert.ok(!/\$\{\{/.test(s.run ?? ''), `step ${s.name ?? s.id} splices an expression into its script`);
    }
  });

  it('fails on any finding by default, with annotations, a job summary and the outputs', () => {
    const ws = repoWith({ 'src/mail.js': SMTP, 'src/inbox.mjs': IMAP });
    const r = runAction(ws, {});
    assert.equal(r.failedStep, 'Apply fail-on', r.stdout);
    assert.equal(r.code, 1);
    assert.equal(r.outputs.scan.findings, '2');
    assert.equal(r.outputs.scan.errors, SMTP_BASIC_AUTH_OFF <= new Date() ? '2' : '1');
    assert.match(r.stdout, /::error file=src\/inbox\.mjs,line=2,col=\d+,title=imapflow-password-auth::/);
    assert.match(r.stdout, /::(warning|error) file=src\/mail\.js,line=2,/);
    assert.match(r.summary, /2 password mail login\(s\)/);
    assert.match(r.summary, /`src\/mail\.js:2`/);
    assert.ok(fs.existsSync(r.outputs.scan['sarif-file']));
    assert.equal(r.uploadRan, false, 'no upload unless asked');
  });

  it('fail-on: errors ignores SMTP AUTH warnings (until Exchange disables SMTP AUTH), never always passes', () => {
    const smtpOnly = repoWith({ 'mail.js': SMTP });
    const errorsOnly = runAction(smtpOnly, { 'fail-on': 'errors' });
    assert.equal(errorsOnly.outputs.scan.findings, '1');
    assert.equal(errorsOnly.code, SMTP_BASIC_AUTH_OFF <= new Date() ? 1 : 0, errorsOnly.stdout);
    const imap = repoWith({ 'inbox.mjs': IMAP });
    assert.equal(runAction(imap, { 'fail-on': 'errors' }).code, 1);
    const never = runAction(imap, { 'fail-on': 'never' });
    assert.equal(never.code, 0);
    assert.equal(never.outputs.scan.findings, '1');
    assert.equal(runAction(imap, { 'fail-on': 'sometimes' }).code, 2);
  });

  it('passes paths, extra hosts and excludes to the scan, and uploads SARIF when asked', () => {
    const ws = repoWith({ 'app/mail.js': CNAME, 'app/legacy/old.js': SMTP, 'other/x.js': SMTP });
    const none = runAction(ws, { paths: 'app', exclude: 'legacy/' });
    assert.equal(none.code, 0, none.stdout);
    assert.equal(none.outputs.scan.findings, '0');
    assert.match(none.summary, /no password mail logins/);
    const cname = runAction(ws, {
      paths: 'app\nother',
      'extra-hosts': 'mail.contoso.com, relay.contoso.com',
      exclude: 'legacy/',
      'fail-on': 'never',
      'upload-sarif': 'true',
    });
    assert.equal(cname.outputs.scan.findings, '2', cname.stdout);
    assert.match(cname.stdout, /file=app\/mail\.js/);
    assert.match(cname.stdout, /file=other\/x\.js/);
    assert.equal(cname.uploadRan, true);
    assert.equal(cname.uploadWith?.sarif_file, cname.outputs.scan['sarif-file']);
    assert.equal(cname.uploadWith?.category, 'mail-oauth-migrator');
  });

  it('fails with the scan error when a path does not exist', () => {
    const r = runAction(repoWith({ 'a.js': '' }), { paths: 'missing' });
    assert.equal(r.failedStep, 'Scan for password mail logins');
    assert.equal(r.code, 2);
  });
});

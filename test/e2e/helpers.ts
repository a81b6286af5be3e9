/**
 * Shared by the e2e suites: the local test bed (test/lab), a fixture copied and fixed through the core, and runs of
 * the fixed code with the bed's hosts, ports and app registration in its environment.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../../src/core/analyzer';
import { planFixes } from '../../src/core/fixes';
import { applyEdits } from '../../src/core/fixes/apply';

export const REPO = path.resolve(__dirname, '../..');
const WORK = path.join(REPO, '.test-tmp/e2e');
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

export interface Lab {
  env: Record<string, string>;
  ports: Record<string, number>;
  outboxDir: string;
  logsDir: string;
  setFaults(f: Record<string, unknown>): Promise<unknown>;
  resetFaults(): Promise<unknown>;
  kick(user: string): number;
  stop(): Promise<void>;
  /** The lab app with a certificate credential (test/lab/lab.d.mts). */
  certificate(): { clientId: string; keyPath: string; privateKey: string; thumbprint: string };
}

let lab: Lab | undefined;

/** Starts (or reuses) the test bed; skips the suite when it cannot run here, unless LAB_REQUIRED=1. */
export async function startLabOrSkip(ctx: Mocha.Context, suite: string): Promise<Lab> {
  const labMod = (await import('../lab/lab.mjs')) as {
    labUnavailableReason(): string | null;
    startLab(): Promise<Lab>;
  };
  const why = labMod.labUnavailableReason();
  if (why) {
    if (process.env.LAB_REQUIRED === '1') {
      throw new Error(`mail test bed required but unavailable: ${why}`);
    }
    console.log(`SKIPPING ${suite}: ${why} (run: sudo bash .ci/install-lab.sh)`);
    ctx.skip();
  }
  lab = await labMod.startLab();
  fs.mkdirSync(WORK, { recursive: true });
  return lab;
}

export async function stopLab(): Promise<void> {
  await lab?.resetFaults();
  await lab?.stop();
}

/**
 * Copies a fixture, applies every fix through the core, and checks the result statically. A fixture with an
 * e2e-install.json gets those packages (a framework) installed once into .test-tmp/e2e-packages and linked as its
 * node_modules before the checks.
 */
export async function fixed(fixtures: string, name: string, opts: { to?: 'xoauth2' | 'graph'; typecheckBefore?: boolean } = {}): Promise<string> {
  const { typecheckBefore, ...fixOpts } = opts;
  const dir = path.join(WORK, `${name}-${process.pid}-${Date.now()}`);
  fs.cpSync(path.join(fixtures, name), dir, { recursive: true });
  const install = path.join(dir, 'e2e-install.json');
  if (fs.existsSync(install)) {
    fs.symlinkSync(installedPackages(name, JSON.parse(fs.readFileSync(install, 'utf8')) as { packages: string[] }), path.join(dir, 'node_modules'));
    fs.rmSync(install);
  }
  if (typecheckBefore) {
    // the fixture itself is valid code against the library's real typings
    const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc before the fix: ${r.stdout}${r.stderr}`);
  }
  const scan = await new Analyzer(dir).scan();
  assert.equal(scan.findings.length, 1, `one finding in ${name}`);
  assert.ok(scan.findings[0].fixable, `fixable: ${scan.findings[0].fix.manual}`);
  const read = (f: string): string | undefined => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined);
  const plan = planFixes(scan.findings, { readFile: read, ...fixOpts });
  assert.deepEqual(plan.notFixed.map((n) => n.reason), []);
  const applied = applyEdits(plan.edits);
  assert.deepEqual(applied.refused, []);
  // a re-scan is clean, and a second plan changes nothing (idempotent)
  const again = await new Analyzer(dir).scan();
  assert.deepEqual(again.findings.map((f) => f.code), []);
  assert.deepEqual(planFixes(again.findings, { readFile: read, ...fixOpts }).edits, []);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.dependencies['@azure/msal-node'], '^7.2.1');
  assert.match(fs.readFileSync(path.join(dir, '.env.example'), 'utf8'), /^MAIL_OAUTH_CLIENT_SECRET=$/m);
  // JavaScript output passes node --check; TypeScript output type-checks against the real typings
  for (const f of applied.written.filter((w) => /\.(c|m)?js$/.test(w))) {
    const r = spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' });
    assert.equal(r.status, 0, `node --check ${f}: ${r.stderr}`);
  }
  if (fs.existsSync(path.join(dir, 'tsconfig.json'))) {
    const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc: ${r.stdout}${r.stderr}`);
  }
  return dir;
}

/** node_modules with the given packages, installed once per list (npm registry) and reused. */
function installedPackages(name: string, spec: { packages: string[] }): string {
  const key = createHash('sha256').update(spec.packages.join(' ')).digest('hex').slice(0, 12);
  const root = path.join(REPO, '.test-tmp', 'e2e-packages', `${name}-${key}`);
  if (!fs.existsSync(path.join(root, '.installed'))) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{ "name": "e2e-packages", "private": true }\n');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--legacy-peer-deps', ...spec.packages], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, `npm install ${spec.packages.join(' ')}: ${r.stderr}`);
    fs.writeFileSync(path.join(root, '.installed'), spec.packages.join('\n'));
  }
  return path.join(root, 'node_modules');
}

/** The environment of the fixed code: the bed's registration, hosts and ports. */
function labEnv(extraEnv: Record<string, string>): Record<string, string> {
  const l = lab!;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...l.env,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(l.ports.smtp),
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: String(l.ports.imaps),
    POP3_HOST: '127.0.0.1',
    POP3_PORT: String(l.ports.pop3s),
    TLS_SERVERNAME: 'localhost',
    MAIL_USER: 'shared@lab.test',
    ...extraEnv,
  };
}

export function run(dir: string, file: string, args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const argv = file.endsWith('.ts') ? ['--import', 'tsx', file, ...args] : [file, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: dir, env: labEnv(extraEnv), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A long-running fixed program: its output so far, a wait for a line, and a stop. */
export interface Running {
  out(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function start(dir: string, file: string, extraEnv: Record<string, string> = {}): Running {
  const argv = file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
  const child = spawn(process.execPath, argv, { cwd: dir, env: labEnv(extraEnv) });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    out: () => out,
    async waitFor(re, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > until || child.exitCode !== null) {
          throw new Error(`waited for ${re} (exit ${child.exitCode}); output:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      child.kill();
      await exited;
    },
  };
}

/** Like run(), but answers the device-code prompt the way a user would (sign in as `username`). */
export async function runSigningIn(dir: string, file: string, args: string[], username: string, extraEnv: Record<string, string>): Promise<{ code: number | null; err: string; prompted: boolean }> {
  const child = spawn(process.execPath, [file, ...args], { cwd: dir, env: labEnv(extraEnv) });
  let err = '';
  let prompted = false;
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    const m = /open the page (\S+) and enter the code (\w+)/.exec(err);
    if (m && !prompted) {
      prompted = true;
      void fetch(m[1], { method: 'POST', body: new URLSearchParams({ user_code: m[2], username }) });
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, err, prompted };
}

export function delivered(subject: string): boolean {
  return fs.readdirSync(lab!.outboxDir).some((f) => f.endsWith('.eml') && fs.readFileSync(path.join(lab!.outboxDir, f), 'utf8').includes(subject));
}

/** App-only tokens the bed's authority has issued so far. */
export function tokensIssued(): number {
  const log = path.join(lab!.logsDir, 'authority.log');
  return fs.existsSync(log) ? (fs.readFileSync(log, 'utf8').match(/issued app token/g) ?? []).length : 0;
}

/** No output may carry the client secret or anything that looks like a JWT. */
export function assertNoSecrets(...texts: string[]): void {
  for (const t of texts) {
    assert.doesNotMatch(t, /lab-client-secret|wrong-secret-value|eyJ[A-Za-z0-9_-]{10,}\./);
  }
}

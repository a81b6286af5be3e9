/** `mail-oauth-migrate fix --to graph` (bundled dist/cli.js, as users run it). */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLI = path.join(REPO, 'dist/cli.js');

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('CLI fix --to graph', () => {
  it('rewrites a send-only transport to Microsoft Graph and leaves an IMAP reader with the reason', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mom-graph-')));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "x", "version": "1.0.0" }\n');
    fs.writeFileSync(
      path.join(dir, 'send.js'),
      "const nodemailer = require('nodemailer');\nmodule.exports = nodemailer.createTransport({ host: 'smtp.office365.com', auth: { user: 'a@contoso.com', pass: process.env.PASS } });\n",
    );
    fs.writeFileSync(path.join(dir, 'read.js'), "const { ImapFlow } = require('imapflow');\nmodule.exports = new ImapFlow({ host: 'outlook.office365.com', auth: { user: 'a@contoso.com', pass: process.env.PASS } });\n");
    const r = cli(['fix', dir, '--to', 'graph', '--no-progress']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(fs.readFileSync(path.join(dir, 'send.js'), 'utf8'), /createTransport\(graphTransport\(\{ host: 'smtp\.office365\.com', user: 'a@contoso\.com' \}\)\)/);
    assert.match(r.stderr, /read\.js:2 \(imapflow\): Microsoft Graph sendMail replaces sending only/);
    assert.match(r.stderr, /"Application Mail\.Send"/);
  });

  it('rejects an unknown target', () => {
    const r = cli(['fix', '.', '--to', 'smtp']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--to must be xoauth2 or graph \(got "smtp"\)/);
  });
});

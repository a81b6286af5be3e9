import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  mentionsWatchedPackage,
  moduleBaseName,
  readCandidate,
  readClaimed,
  relativeSpecifiers,
  relativeSpecifiersIn,
} from '../../src/core/scanner';

describe('scanner pre-filter', () => {
  it('finds relative specifiers on the bytes exactly as on the text', () => {
    const text = [
      "import a from './a';",
      'const b = require("../b/c.js");',
      "const notAnImport = './x';",
      "export * from './d';",
      "await import('./e');",
      "require( './f' );",
      "const url = 'https://example.com/./g';",
    ].join('\n');
    assert.deepEqual(relativeSpecifiersIn(Buffer.from(text)), ['./a', '../b/c.js', './d', './e', './f']);
    assert.deepEqual(relativeSpecifiersIn(Buffer.from(text)), relativeSpecifiers(text));
  });

  it('counts a package only in an import position', () => {
    assert.ok(mentionsWatchedPackage("const nm = require('nodemailer');"));
    assert.ok(mentionsWatchedPackage('import { ImapFlow } from "imapflow";'));
    assert.ok(mentionsWatchedPackage("const { default: P } = await import('node-pop3');"));
    assert.ok(!mentionsWatchedPackage("const protocol = 'imap'; list.pop();"));
    assert.ok(!mentionsWatchedPackage("// uses nodemailer, see require('nodemailerx')"));
  });
});

describe('scanner reads', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-scanner-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };

  it('reads a file larger than its read buffer in full, and skips one over the limit with its size', () => {
    const padding = `// ${'x'.repeat(70)}\n`.repeat(5000); // ~370 KB, more than the 256 KB first buffer
    const big = write('big.js', `${padding}const nm = require('nodemailer');\n`);
    const read = (max: number): { text?: string; skip?: string } => {
      const r = readCandidate(big, max);
      return typeof r === 'object' && ('text' in r || 'skip' in r) ? r : {};
    };
    assert.ok(read(1024 * 1024).text?.endsWith("require('nodemailer');\n"));
    const limit = fs.statSync(big).size;
    assert.ok(read(limit).text, 'a file exactly at the limit is read');
    const over = read(limit - 1);
    assert.match(over.skip ?? '', /^larger than .* \(\d+ KB\)$/);
  });

  it('reads framework configs as candidates, and only those (byte needles, then the text test)', () => {
    const isCandidate = (name: string, text: string): boolean => {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      const r = readCandidate(write(name, text), 1e6);
      return typeof r === 'object' && 'text' in r;
    };
    const yes: [string, string][] = [
      ['auth-v3.js', "import Providers from 'next-auth/providers';\nProviders.Email({ server });"],
      ['auth-v4.ts', "import EmailProvider from 'next-auth/providers/email';"],
      ['auth-v5.ts', "import Nodemailer from 'next-auth/providers/nodemailer';"],
      ['mail.module.ts', "import { MailerModule } from '@nestjs-modules/mailer';"],
      ['server.ts', "import payload from 'payload';\npayload.init({ email: { transportOptions } });"],
      ['payload.config.ts', "import { nodemailerAdapter } from '@payloadcms/email-nodemailer';"],
      ['main.js', "process.env.MAIL_URL = 'smtp://u:p@smtp.office365.com:587';"],
      ['send.js', "const o = require('nodejs-nodemailer-outlook');"],
      ['cms/config/plugins.js', "module.exports = ({ env }) => ({ email: { config: { provider: env('P') } } });"],
      ['cms/config/env/production/plugins.ts', 'export default { email: {} };'],
      // packages whose names say neither mail nor imap
      ['ews.js', "const { ExchangeService } = require('ews-javascript-api');"],
      ['soap.mjs', "import EWS from 'node-ews';"],
      ['token.ts', "import { PublicClientApplication } from '@azure/msal-node';"],
    ];
    const no: [string, string][] = [
      ['session.ts', "import { getServerSession } from 'next-auth';"],
      ['github.ts', "import GitHub from 'next-auth/providers/github';"],
      ['users.ts', "import type { CollectionConfig } from 'payload';\nexport const Users: CollectionConfig = { slug: 'users', fields: [{ name: 'email' }] };"],
      ['cms/config/server.js', "module.exports = ({ env }) => ({ host: env('HOST') });"],
      ['cms/config/plugins-list.js', "module.exports = { email: {} };"],
      ['read.js', "if (process.env.MAIL_URL) { console.log('MAIL_URL set'); }"],
    ];
    for (const [name, text] of yes) {
      assert.ok(isCandidate(name, text), name);
    }
    for (const [name, text] of no) {
      assert.ok(!isCandidate(name, text), name);
    }
  });

  it('lets two readers share one list through the counter, each file read once', async () => {
    const files = Array.from({ length: 500 }, (_, i) =>
      write(`f${i}.js`, i % 50 === 0 ? `require('imapflow'); // ${i}\n` : `require('./f${i + 1}');\n`),
    );
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
    const [a, b] = await Promise.all([
      readClaimed(files, counter, 1e6, undefined, tick),
      readClaimed(files, counter, 1e6, undefined, tick),
    ]);
    assert.ok(a.importers.length > 0 && b.importers.length > 0, 'both readers got work');
    const seen = [...a.candidates, ...b.candidates, ...a.importers, ...b.importers].map(([f]) => f).sort();
    assert.deepEqual(seen, [...files].sort());
    assert.equal(a.candidates.length + b.candidates.length, 10);
  });

  it('names modules as the wrapper hop expects', () => {
    const cases: [string, string][] = [
      ['./lib/mailer.js', 'mailer'],
      ['./lib/mailer', 'mailer'],
      ['../mail/index.ts', 'mail'],
      ['/a/b/index.mjs', 'b'],
      ['./x.config.json', 'x.config.json'],
      ['./mailer/', 'mailer'],
      ['./index', '.'],
    ];
    for (const [spec, base] of cases) {
      assert.equal(moduleBaseName(spec), base, spec);
    }
  });
});

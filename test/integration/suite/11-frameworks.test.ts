import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, codeOf, mailDiagnostics, open, waitForDiagnostics, wsUri } from './helpers';

/**
 * Runs in its own VS Code session on test/fixtures/monorepo (web/ NextAuth, api/ NestJS, cms/ Strapi, each
 * with its own package.json and .env; `npm run test:integration` starts it with MOCHA_FILES=11-frameworks);
 * skipped in the other sessions. Framework configs get the same squiggles as plain nodemailer code.
 */
suite('framework configs (monorepo)', () => {
  suiteSetup(function () {
    const f = vscode.workspace.workspaceFolders?.[0];
    if (!f || !fs.existsSync(wsUri('cms/config/plugins.js').fsPath)) {
      this.skip();
    }
  });

  const related = (d: vscode.Diagnostic): string[] =>
    (d.relatedInformation ?? []).map(
      (r) => `${vscode.workspace.asRelativePath(r.location.uri)}:${r.location.range.start.line + 1}`,
    );

  const cases: { file: string; line: number; framework: string; env: string }[] = [
    { file: 'web/pages/api/auth/[...nextauth].ts', line: 7, framework: 'NextAuth EmailProvider', env: 'web/.env.local:2' },
    { file: 'api/src/mail/mail.module.ts', line: 8, framework: '@nestjs-modules/mailer', env: 'api/.env:2' },
    { file: 'cms/config/plugins.js', line: 8, framework: 'Strapi email plugin', env: 'cms/.env:3' },
  ];
  for (const c of cases) {
    test(`${c.framework}: ${c.file}`, async () => {
      const doc = await open(c.file);
      const [d] = await waitForDiagnostics(doc.uri, (ds) => ds.length === 1, `the ${c.framework} diagnostic`);
      assert.equal(codeOf(d), 'nodemailer-password-auth');
      assert.equal(d.source, 'mail-oauth');
      assert.match(d.message, /smtp\.office365\.com/);
      assert.ok(d.message.includes(c.framework), d.message);
      assert.equal(d.range.start.line + 1, c.line);
      const rel = related(d);
      assert.ok(rel.includes(c.env), `value from the package's own .env: ${rel.join(', ')}`);
      assert.ok(!(d.relatedInformation ?? []).some((r) => r.message.includes('not-a-real-password')));
      // the framework's nodemailer options are fixed like nodemailer's: the migration quick fix is offered
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        d.range,
      );
      assert.ok(actions.some((a) => /Migrate/.test(a.title)), actions.map((a) => a.title).join(', '));
    });
  }

  test('framework files configured for other providers stay clean', async () => {
    const a = await api();
    for (const file of ['api/src/marketing/marketing.module.ts', 'cms/config/env/production/plugins.js', 'web/app/api/contact/route.ts']) {
      const doc = await open(file);
      await a.analyzeDocument(doc);
      await a.whenIdle();
      assert.deepEqual(mailDiagnostics(doc.uri), [], file);
    }
  });
});

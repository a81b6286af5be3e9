import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanSummary } from '../../../src/vscode/controller';
import { api, codeOf, mailDiagnostics, waitFor, waitForDiagnostics, wsUri } from './helpers';

suite('workspace scan', () => {
  const unopenedImap = wsUri('jobs/unopened-imap.js');
  const unopenedSmtp = wsUri('jobs/unopened-smtp.cjs');

  test('a cancelled scan stops early and publishes nothing for unopened files', async () => {
    const a = await api();
    const cts = new vscode.CancellationTokenSource();
    const phases: string[] = [];
    const summary = await a.scanWorkspace({
      token: cts.token,
      silent: true,
      onProgress: (p) => {
        phases.push(p.phase);
        cts.cancel(); // cancel as soon as the scan reports anything
      },
    });
    assert.equal(summary.cancelled, true);
    assert.ok(
      phases.length >= 1 && !phases.includes('analyze'),
      `stopped before the analysis: ${phases.join(',')}`,
    );
    assert.equal(mailDiagnostics(unopenedImap).length, 0);
    assert.equal(mailDiagnostics(unopenedSmtp).length, 0);
    cts.dispose();
  });

  test('mailOAuth.scanWorkspace fills diagnostics for files that are not open', async () => {
    const a = await api();
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.toString() === unopenedImap.toString()));
    const summary = await vscode.commands.executeCommand<ScanSummary>('mailOAuth.scanWorkspace');
    assert.equal(summary.cancelled, false);
    assert.ok(summary.scannedFiles >= 9, `scanned ${summary.scannedFiles} files`);
    const [imap] = mailDiagnostics(unopenedImap);
    assert.equal(codeOf(imap), 'imap-password-auth');
    assert.equal(imap.severity, vscode.DiagnosticSeverity.Error);
    assert.ok(
      (imap.relatedInformation ?? []).some((r) => vscode.workspace.asRelativePath(r.location.uri) === '.env'),
      'related: .env',
    );
    const [smtp] = mailDiagnostics(unopenedSmtp);
    assert.equal(codeOf(smtp), 'nodemailer-password-auth');
    assert.ok(
      !vscode.workspace.textDocuments.some((d) => d.uri.toString() === unopenedImap.toString()),
      'the scan does not open documents',
    );
    // every file of the sample workspace with a finding (corp.js needs extraHosts; closing.js was removed)
    const files = new Set(a.findings().map((f) => vscode.workspace.asRelativePath(f.span.file)));
    for (const f of [
      'src/smtp.js',
      'src/imap.mts',
      'src/pop3.mjs',
      'src/fixme.js',
      'src/ignore-me.js',
      'jobs/unopened-imap.js',
      'jobs/unopened-smtp.cjs',
    ]) {
      assert.ok(files.has(f), `${f} in the results: ${[...files].join(', ')}`);
    }
    assert.equal(summary.files, files.size);
    assert.match(a.statusText() ?? '', new RegExp(`\\b${summary.findings}\\b`), 'status bar shows the count');
  });

  test('after a scan, a changed .env re-scans the workspace (file watcher)', async () => {
    const env = wsUri('.env');
    const original = fs.readFileSync(env.fsPath, 'utf8');
    try {
      fs.writeFileSync(
        env.fsPath,
        original.replace('IMAP_HOST=outlook.office365.com', 'IMAP_HOST=imap.example.org'),
      );
      await waitForDiagnostics(
        unopenedImap,
        (ds) => ds.length === 0,
        'no IMAP finding once the host is not Microsoft',
      );
    } finally {
      fs.writeFileSync(env.fsPath, original);
    }
    await waitForDiagnostics(unopenedImap, (ds) => ds.length === 1, 'the IMAP finding back');
  });

  test('after a scan, a changed source file on disk is re-scanned', async () => {
    const file = wsUri('jobs/unopened-smtp.cjs');
    const original = fs.readFileSync(file.fsPath, 'utf8');
    try {
      fs.writeFileSync(file.fsPath, original.replace('smtp.office365.com', 'smtp.example.org'));
      await waitForDiagnostics(file, (ds) => ds.length === 0, 'finding gone after the change on disk');
    } finally {
      fs.writeFileSync(file.fsPath, original);
    }
    await waitForDiagnostics(file, (ds) => ds.length === 1, 'finding back');
    await (await api()).whenIdle();
  });

  test('the findings view lists protocol → file → finding', async () => {
    const a = await api();
    await a.whenIdle();
    await vscode.commands.executeCommand('mailOAuth.showFindings');
    const tree = a.treeSnapshot();
    const top = tree.filter((l) => !l.startsWith(' '));
    assert.deepEqual(
      top.map((l) => l.split(' · ')[0]),
      ['SMTP AUTH', 'IMAP', 'POP3'],
      tree.join('\n'),
    );
    const imap = tree.slice(tree.indexOf(top[1]) + 1, tree.indexOf(top[2]));
    assert.ok(
      imap.some((l) => /^ {2}unopened-imap\.js · jobs/.test(l)),
      tree.join('\n'),
    );
    assert.ok(
      imap.some((l) => /^ {4}imap → outlook\.office365\.com · line 4/.test(l)),
      tree.join('\n'),
    );
    const count = a.findings().length;
    assert.equal(
      top.reduce((n, l) => n + Number(l.split(' · ')[1]), 0),
      count,
    );
    await waitFor(() => a.statusText()?.includes(String(count)), 'status bar count');
  });

  test('imported mailbox reports group the findings by mailbox and show on hover (issue 13)', async () => {
    const a = await api();
    await a.whenIdle();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mom-reports-'));
    const report = path.join(dir, 'smtp-auth-clients.csv');
    fs.writeFileSync(
      report,
      '\uFEFFSender address,Messages sent,Authentication protocol\nREPORTS@contoso.example,42,Basic\nprinter@contoso.example,7,Basic\n',
    );
    const bad = path.join(dir, 'other.csv');
    fs.writeFileSync(bad, 'Name,Phone\nx,1\n');
    try {
      const result = await vscode.commands.executeCommand<{ file: string; kind?: string; error?: string }[]>(
        'mailOAuth.importReports',
        [report, bad],
      );
      assert.equal(result[0].kind, 'smtp-auth-clients');
      assert.match(result[1].error ?? '', /Headers found: "Name", "Phone"/);
      const tree = a.treeSnapshot();
      assert.ok(
        tree.some((l) => /^reports@contoso\.example · 1 · basic · smtp$/.test(l)),
        tree.join('\n'),
      );
      assert.ok(
        tree.some((l) => /^ {2}nodemailer → smtp\.office365\.com · src\/fixme\.js:4$/.test(l)),
        tree.join('\n'),
      );
      const uri = wsUri('src/fixme.js');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        uri,
        new vscode.Position(3, 30),
      );
      const text = hovers
        .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
        .join('\n')
        .replace(/&nbsp;/g, ' ')
        .replace(/\\/g, '');
      assert.match(text, /42 message\(s\) sent/);
    } finally {
      await vscode.commands.executeCommand('mailOAuth.groupByProtocol');
    }
    assert.equal(a.treeSnapshot()[0].split(' · ')[0], 'SMTP AUTH');
  });
});

/**
 * `mail-oauth-migrate setup [paths...]`: prints (or writes) the Entra checklist and the Exchange
 * Online PowerShell as Markdown. With paths, a scan picks the protocols; without, all three.
 * Exit codes: 0 written, 2 usage error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Analyzer } from '../analyzer';
import type { Protocol } from '../model';
import { loadEnv, type CommandIo } from '../verify/cli';
import { setupMarkdown, setupScript, type SetupFinding } from './index';

export const SETUP_USAGE = `Usage: mail-oauth-migrate setup [paths...] [options]

Prints the Entra ID checklist and the Exchange Online PowerShell (service principal, mailbox
permission, Send As, SMTP AUTH, optional RBAC for Applications) as Markdown. With paths, a scan
picks the protocols the code uses; without, SMTP, IMAP and POP3 are all covered.

Options:
  --tenant ID            Directory (tenant) ID (default: MAIL_OAUTH_TENANT_ID)
  --client-id ID         Application (client) ID (default: MAIL_OAUTH_CLIENT_ID)
  --mailbox ADDRESS      Mailbox the app uses (default: MAIL_OAUTH_USER)
  --send-as ADDRESS      Address the app sends as (repeatable)
  --protocol P           Cover this protocol too: smtp, imap or pop3 (repeatable)
  --rbac                 SMTP through Exchange RBAC for Applications instead of SMTP.SendAsApp
  --graph                The code sends through Microsoft Graph (fix --to graph): Application Mail.Send
                         scoped with RBAC for Applications
  --output FILE          Write the Markdown to FILE instead of stdout

Exit codes: 0 done, 2 usage or scan error.
`;

class UsageError extends Error {}

/** `setup` command: returns the exit code (0 done, 2 usage error). */
export async function setupCommand(argv: string[], io: CommandIo = {}): Promise<number> {
  const out = io.stdout ?? ((s: string): void => void process.stdout.write(s));
  const err = io.stderr ?? ((s: string): void => void process.stderr.write(s));
  const cwd = io.cwd ?? process.cwd();
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        tenant: { type: 'string' },
        'client-id': { type: 'string' },
        mailbox: { type: 'string' },
        'send-as': { type: 'string', multiple: true },
        protocol: { type: 'string', multiple: true },
        rbac: { type: 'boolean', default: false },
        graph: { type: 'boolean', default: false },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      out(SETUP_USAGE);
      return 0;
    }
    const protocols = (values.protocol ?? []).map((p) => {
      if (!['smtp', 'imap', 'pop3'].includes(p)) {
        throw new UsageError(`--protocol must be smtp, imap or pop3 (got "${p}")`);
      }
      return p as Protocol;
    });
    const env = loadEnv(io.env ?? process.env, cwd);
    let findings: SetupFinding[] | undefined;
    let ews = false;
    if (positionals.length) {
      const paths = positionals.map((p) => path.resolve(cwd, p));
      for (const p of paths) {
        if (!fs.existsSync(p)) {
          throw new UsageError(`no such file or folder: ${p}`);
        }
      }
      const root = paths.length === 1 && fs.statSync(paths[0]).isDirectory() ? paths[0] : cwd;
      const scan = await new Analyzer(root).scan(paths);
      // EWS findings move to Microsoft Graph (fix rewrites their send path): Graph setup, no mail-protocol setup
      findings = scan.findings.flatMap((f) => (f.protocol === 'ews' ? [] : [{ protocol: f.protocol, host: f.host, hostKind: f.hostKind }]));
      ews = scan.findings.some((f) => f.protocol === 'ews');
      err(
        findings.length
          ? `Scan: ${findings.length} finding(s) using ${[...new Set(findings.map((f) => f.protocol))].join(', ')}.\n`
          : 'Scan: no password logins found; covering all protocols.\n',
      );
    }
    const md = setupMarkdown(
      setupScript({
        findings,
        protocols,
        tenantId: values.tenant ?? env.MAIL_OAUTH_TENANT_ID,
        clientId: values['client-id'] ?? env.MAIL_OAUTH_CLIENT_ID,
        mailbox: values.mailbox ?? env.MAIL_OAUTH_USER,
        sendAs: values['send-as'],
        rbac: values.rbac,
        graph: values.graph || ews,
      }),
    );
    if (values.output) {
      const file = path.resolve(cwd, values.output);
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
      fs.writeFileSync(tmp, md);
      fs.renameSync(tmp, file);
      err(`Setup checklist and script written to ${values.output}\n`);
    } else {
      out(md);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`mail-oauth-migrate setup: ${(e as Error).message}\n\n${SETUP_USAGE}`);
      return 2;
    }
    throw e;
  }
}

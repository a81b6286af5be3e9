/**
 * `mail-oauth-migrate inventory [paths...] --report FILE...`: which mailboxes still log in with a password
 * (from admins' reports), and which code does it. Bundled on its own (dist/cli-inventory.js, with
 * csv-parse); the scan is the CLI's own (passed in by src/cli.ts), so it runs in its worker as `scan` does.
 * Exit codes: 0 every mailbox on OAuth and no finding, 1 otherwise, 2 usage error or unreadable report.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ScanResult } from '../model';
import { buildInventory, formatInventory, parseAliasMap, type AliasMap } from './index';
import { parseReport, ReportError, type ParsedReport } from './reports';

// The extension requires this bundle at run time for "Import Mailbox Reports" (src/vscode/reports.ts).
export { buildInventory, parseAliasMap, parseReport, ReportError };

export const INVENTORY_USAGE = `Usage: mail-oauth-migrate inventory [paths...] --report FILE [--report FILE...] [options]

Links the mailboxes that admins' reports show logging in with a password (Basic auth) or a legacy
protocol to the code that logs in to them. Reports (recognised by their headers):
  - Exchange admin center → Reports → Mail flow → SMTP AUTH clients (Export, CSV)
  - Entra sign-in logs: the portal's Download → CSV, or Graph auditLogs/signIns JSON
  - Graph getEmailAppUsageUserDetail (CSV)

Options:
  --report FILE              A report to read (repeatable, at least one)
  --alias-map FILE           UPN ↔ primary SMTP address CSV, e.g. from
                             Get-EXOMailbox -ResultSize Unlimited | Select-Object UserPrincipalName,
                             PrimarySmtpAddress,EmailAddresses | Export-Csv aliases.csv -NoTypeInformation
  --format text|json|markdown  Output format (default: text)
  --output FILE              Write the inventory to FILE instead of stdout
  plus the scan options: --extra-host, --exclude, --max-file-size, --report-unresolved, --no-progress

Nothing from a report but mailbox, protocol, auth type, date and count is kept (no IP address, no user agent).
Exit codes: 0 every mailbox on OAuth and no finding, 1 otherwise, 2 usage error or unreadable report.
`;

/** What src/cli.ts lends the command: its scan (worker, progress, cancellation) and its atomic write. */
export interface InventoryDeps {
  scanOptions: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; default?: unknown; short?: string }
  >;
  scan(paths: string[], values: Record<string, unknown>): Promise<ScanResult>;
  writeAtomic(file: string, text: string): void;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
}

export async function inventoryCommand(argv: string[], deps: InventoryDeps): Promise<number> {
  const out = deps.stdout ?? ((s: string): void => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string): void => void process.stderr.write(s));
  const usage = (m: string): number => {
    err(`mail-oauth-migrate inventory: ${m}\n\n${INVENTORY_USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...(deps.scanOptions as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>),
        report: { type: 'string', multiple: true },
        'alias-map': { type: 'string' },
        format: { type: 'string', default: 'text' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(INVENTORY_USAGE);
    return 0;
  }
  const format = values.format;
  if (!['text', 'json', 'markdown'].includes(format)) {
    return usage(`--format must be text, json or markdown (got "${format}")`);
  }
  const files = values.report ?? [];
  if (!files.length) {
    return usage('give at least one --report FILE');
  }
  const reports: ParsedReport[] = [];
  let aliases: AliasMap | undefined;
  try {
    for (const f of files) {
      reports.push(parseReport(f, readFile(f)));
    }
    const aliasFile = values['alias-map'];
    if (aliasFile) {
      aliases = parseAliasMap(aliasFile, readFile(aliasFile).toString('utf8'));
    }
  } catch (e) {
    if (e instanceof ReportError) {
      err(`mail-oauth-migrate inventory: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const scan = await deps.scan(positionals, values);
  const inv = buildInventory(reports, scan.findings, scan.root, aliases);
  const text =
    format === 'json' ? `${JSON.stringify(inv, null, 2)}\n` : formatInventory(inv, format === 'markdown');
  if (values.output) {
    deps.writeAtomic(values.output, text);
    err(
      `${inv.mailboxes.length} mailbox(es), ${scan.findings.length} finding(s); inventory written to ${values.output}\n`,
    );
  } else {
    out(text);
  }
  return inv.mailboxes.some((m) => m.auth !== 'oauth') || scan.findings.length ? 1 : 0;
}

function readFile(f: string): Buffer {
  try {
    return fs.readFileSync(f);
  } catch (e) {
    throw new ReportError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

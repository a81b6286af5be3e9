/**
 * `mail-oauth-migrate explain <text>`: explains a pasted SMTP/IMAP/POP reply, AADSTS error, Graph error
 * body or access token offline. Bundled on its own (dist/cli-explain.js): no analyzer, no network.
 * Exit codes: 0 explained, 1 not recognised, 2 usage error.
 */
import * as fs from 'node:fs';
import { explainText, type PastedExplanation } from './index';

// The extension requires this bundle at run time for its "Explain" command (src/vscode/explain-text.ts).
export { explainText };

export const EXPLAIN_USAGE = `Usage: mail-oauth-migrate explain [text...] [--format text|json]

Explains, offline, a pasted error message or token: an SMTP/IMAP/POP server reply (535 5.7.139, NO LOGIN
failed, -ERR ...), an AADSTS error, a Microsoft Graph error body, a socket/TLS error code, or an access
token (decoded locally; never printed back, never sent anywhere). Without text, or with "-", the text
is read from standard input.

Exit codes: 0 explained, 1 not recognised, 2 usage error.
`;

export interface ExplainIo {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Standard input, when no text is given (default: read fd 0). */
  stdin?: () => string;
  now?: Date;
}

const TITLE: Record<PastedExplanation['kind'], string> = {
  smtp: 'SMTP server reply',
  imap: 'IMAP server reply',
  pop3: 'POP3 server reply',
  aadsts: 'Entra ID (AADSTS) error',
  graph: 'Microsoft Graph error',
  network: 'connection error',
  token: 'access token',
};

/** The explanation as the text the command prints. */
export function formatExplanation(x: PastedExplanation): string {
  return [
    `${TITLE[x.kind]}${x.explained ? '' : ' (no entry in the table)'}`,
    ...x.facts.map((f) => `  ${f}`),
    '',
    `Cause:  ${x.detail}`,
    `Remedy: ${x.remedy}`,
    '',
  ].join('\n');
}

export function explainCommand(argv: string[], io: ExplainIo = {}): number {
  const out = io.stdout ?? ((s: string): void => void process.stdout.write(s));
  const err = io.stderr ?? ((s: string): void => void process.stderr.write(s));
  // Hand-parsed: a pasted POP reply starts with "-ERR", which parseArgs would take for an option.
  const values: { format: string; help?: boolean } = { format: 'text' };
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      values.help = true;
    } else if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (v === undefined) {
        err(`mail-oauth-migrate explain: --format needs a value\n\n${EXPLAIN_USAGE}`);
        return 2;
      }
      values.format = v;
    } else if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    } else {
      positionals.push(a);
    }
  }
  if (values.help) {
    out(EXPLAIN_USAGE);
    return 0;
  }
  if (values.format !== 'text' && values.format !== 'json') {
    err(`mail-oauth-migrate explain: --format must be text or json (got "${values.format}")\n`);
    return 2;
  }
  const text =
    positionals.length && !(positionals.length === 1 && positionals[0] === '-')
      ? positionals.join(' ')
      : (io.stdin ?? ((): string => fs.readFileSync(0, 'utf8')))();
  if (!text.trim()) {
    err(`mail-oauth-migrate explain: nothing to explain\n\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const x = explainText(text, io.now);
  if (values.format === 'json') {
    out(
      `${JSON.stringify(x ? { recognised: true, ...x } : { recognised: false, explained: false }, null, 2)}\n`,
    );
  } else if (x) {
    out(formatExplanation(x));
  } else {
    out(
      'Not recognised: paste an SMTP/IMAP/POP reply (e.g. "535 5.7.139 ..."), an AADSTS error, a Graph error body ({"error":{"code":...}}), a connection error code, or an access token.\n',
    );
  }
  return x?.explained ? 0 : 1;
}

/**
 * `mail-oauth-migrate` — the CLI over the core.
 *   scan [paths...]   find password logins to Exchange Online / Outlook.com (exit 0 none, 1 findings, 2 error)
 * Exit code 2 is for usage and internal errors; messages go to stderr, reports to stdout or --output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Analyzer } from './core/analyzer';
import { toJson, toSarif, toText } from './core/report';

const VERSION = '0.1.0';

const USAGE = `Usage: mail-oauth-migrate <command> [options]

Commands:
  scan [paths...]        Find mail code that logs in to Exchange Online / Outlook.com with a password.

scan options:
  --format text|json|sarif   Output format (default: text)
  --output FILE              Write the report to FILE instead of stdout (written atomically)
  --max-file-size SIZE       Skip files larger than SIZE (bytes, or e.g. 2MB; default 1MB)
  --extra-host HOST          Treat HOST as a Microsoft mail endpoint (repeatable)
  --exclude GLOB             Skip paths matching a gitignore-style pattern (repeatable)
  --report-unresolved        Also report password logins whose host cannot be resolved (info)
  --no-progress              No progress line on stderr

Exit codes: 0 no findings, 1 findings, 2 usage or internal error.
`;

class UsageError extends Error {}

function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m)?$/i.exec(s.trim());
  if (!m) {
    throw new UsageError(`--max-file-size: cannot read "${s}" (use bytes or e.g. 512KB, 2MB)`);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Math.round(unit.startsWith('k') ? n * 1024 : unit.startsWith('m') ? n * 1024 * 1024 : n);
}

/** Writes via a temp file + rename so a reader never sees a half-written report. */
export function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function scanCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      output: { type: 'string', short: 'o' },
      'max-file-size': { type: 'string' },
      'extra-host': { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'report-unresolved': { type: 'boolean', default: false },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const format = values.format;
  if (!['text', 'json', 'sarif'].includes(format)) {
    throw new UsageError(`--format must be text, json or sarif (got "${format}")`);
  }
  const paths = positionals.length ? positionals : ['.'];
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      throw new UsageError(`no such file or folder: ${p}`);
    }
  }
  const root = paths.length === 1 && fs.statSync(paths[0]).isDirectory() ? paths[0] : process.cwd();
  const analyzer = new Analyzer(root, {
    maxFileSize: values['max-file-size'] ? parseSize(values['max-file-size']) : undefined,
    extraHosts: values['extra-host'],
    exclude: values.exclude,
    reportUnresolved: values['report-unresolved'],
  });
  const tty = process.stderr.isTTY && !values['no-progress'];
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let lastDraw = 0;
  const result = await analyzer
    .scan(paths, {
      signal: controller.signal,
      onProgress: tty
        ? (p) => {
            const now = Date.now();
            if (now - lastDraw > 80 || p.done === p.total) {
              lastDraw = now;
              const msg = p.phase === 'walk' ? 'Listing files…' : `${p.phase === 'read' ? 'Reading' : 'Analysing'} ${p.done}/${p.total}`;
              process.stderr.write(`\r\x1b[K${msg}`);
            }
          }
        : undefined,
    })
    .finally(() => {
      process.off('SIGINT', onSigint);
      if (tty) {
        process.stderr.write('\r\x1b[K');
      }
    });
  const out =
    format === 'json'
      ? JSON.stringify(toJson(result), null, 2) + '\n'
      : format === 'sarif'
        ? JSON.stringify(toSarif(result, VERSION), null, 2) + '\n'
        : toText(result, !values.output && process.stdout.isTTY) + '\n';
  if (values.output) {
    writeAtomic(values.output, out);
    process.stderr.write(`${result.findings.length} finding(s); report written to ${values.output}\n`);
  } else {
    process.stdout.write(out);
  }
  return result.findings.length ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'scan':
        return await scanCommand(rest);
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`mail-oauth-migrate: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if ((e as Error).name === 'AbortError') {
      process.stderr.write('mail-oauth-migrate: scan cancelled\n');
      return 2;
    }
    process.stderr.write(`mail-oauth-migrate: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mail-oauth-migrate: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}

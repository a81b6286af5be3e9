/** Output formats of a scan: the JSON contract (version 1), SARIF 2.1.0 and human-readable text. */
import * as path from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, ScanResult } from '../model';
import { allRules, ruleInfo } from './rules';

export function relPath(root: string, file: string): string {
  const rel = path.relative(root, file);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? file : rel).split(path.sep).join('/');
}

/** The JSON contract CI consumers depend on. Do not rename fields; bump `version` on breaking change. */
export interface JsonReport {
  version: 1;
  root: string;
  findings: {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    code: string;
    protocol: string;
    library: string;
    host: string | null;
    severity: string;
    message: string;
    related: { file: string; line: number; message: string }[];
    fixable: boolean;
    /** The login user (mailbox) when the scan resolved it; absent otherwise. */
    mailbox?: string;
  }[];
  skipped: { file: string; reason: string }[];
  stats: { files: number; parsed: number; durationMs: number };
}

export function toJson(r: ScanResult): JsonReport {
  return {
    version: 1,
    root: r.root,
    findings: r.findings.map((f) => jsonFinding(r.root, f)),
    skipped: r.skipped.map((s) => ({ file: relPath(r.root, s.file), reason: s.reason })),
    stats: r.stats,
  };
}

function jsonFinding(root: string, f: Finding): JsonReport['findings'][number] {
  return {
    file: relPath(root, f.span.file),
    line: f.span.line,
    column: f.span.column,
    endLine: f.span.endLine,
    endColumn: f.span.endColumn,
    code: f.code,
    protocol: f.protocol,
    library: f.library,
    host: f.host ?? null,
    severity: f.severity,
    message: f.message,
    related: f.related.map((x) => ({ file: relPath(root, x.file), line: x.line, message: x.message })),
    fixable: f.fixable,
    ...(f.mailbox ? { mailbox: f.mailbox } : {}),
    // framework whose config holds the login (added with the framework adapters; absent otherwise)
    ...(f.fix.framework ? { framework: f.fix.framework } : {}),
  };
}

/**
 * The JSON report, `JSON.stringify(toJson(r), null, 2) + '\n'`, in pieces: a finding at a time, so a
 * scan with tens of thousands of findings never holds the whole report (objects and text) at once.
 */
export function* jsonReportChunks(r: ScanResult): Generator<string> {
  const list = function* <T>(key: string, items: readonly T[], toItem: (x: T) => unknown, last = false) {
    if (!items.length) {
      yield `  ${JSON.stringify(key)}: []${last ? '' : ','}\n`;
      return;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (let i = 0; i < items.length; i++) {
      const item = JSON.stringify(toItem(items[i]), null, 2).replace(/\n/g, '\n    ');
      yield `    ${item}${i < items.length - 1 ? ',' : ''}\n`;
    }
    yield `  ]${last ? '' : ','}\n`;
  };
  yield `{\n  "version": 1,\n  "root": ${JSON.stringify(r.root)},\n`;
  yield* list('findings', r.findings, (f) => jsonFinding(r.root, f));
  yield* list('skipped', r.skipped, (s) => ({ file: relPath(r.root, s.file), reason: s.reason }));
  yield `  "stats": ${JSON.stringify(r.stats, null, 2).replace(/\n/g, '\n  ')}\n}\n`;
}

const LEVEL: Record<Finding['severity'], Result.level> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(r: ScanResult, toolVersion: string): Log {
  const rules: ReportingDescriptor[] = allRules().map((x) => ({
    id: x.id,
    name: x.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: x.title },
    fullDescription: { text: x.help },
    help: { text: x.help, markdown: `${x.help}\n\n[Rule documentation](${x.helpUri})` },
    helpUri: x.helpUri,
    defaultConfiguration: { level: x.id === 'unresolved-mail-host' ? 'note' : 'error' },
    properties: { tags: ['security', 'authentication', 'exchange-online'] },
  }));
  const index = new Map(rules.map((x, i) => [x.id, i]));
  const loc = (file: string, line: number, column: number, endLine: number, endColumn: number) => ({
    physicalLocation: {
      artifactLocation: { uri: encodeURI(relPath(r.root, file)), uriBaseId: '%SRCROOT%' },
      region: { startLine: line, startColumn: column, endLine, endColumn },
    },
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mail-oauth-migrate',
            informationUri: 'https://github.com/mail-oauth-migrator/mail-oauth-migrator',
            version: toolVersion,
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': { uri: `file://${encodeURI(r.root.split(path.sep).join('/'))}/` },
        },
        results: r.findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: index.get(f.code),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [loc(f.span.file, f.span.line, f.span.column, f.span.endLine, f.span.endColumn)],
          relatedLocations: f.related.map((x, i) => ({
            id: i + 1,
            message: { text: x.message },
            ...loc(x.file, x.line, x.column, x.endLine, x.endColumn),
          })),
          partialFingerprints: {
            primaryLocationLineHash: `${f.code}:${relPath(r.root, f.span.file)}:${f.host ?? ''}`,
          },
        })),
      },
    ],
  };
}

export function toText(r: ScanResult, color = false): string {
  const c = (code: string, s: string): string => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = { error: c('31', 'error'), warning: c('33', 'warning'), info: c('36', 'info') };
  const lines: string[] = [];
  for (const f of r.findings) {
    lines.push(
      `${c('1', `${relPath(r.root, f.span.file)}:${f.span.line}:${f.span.column}`)}  ${sev[f.severity]}  ${f.message}  ${c('2', `[${f.code}]`)}`,
    );
    for (const x of f.related) {
      lines.push(`    ${c('2', `${relPath(r.root, x.file)}:${x.line}`)}  ${x.message}`);
    }
    if (f.fix.framework && f.fix.manual) {
      lines.push(`    ${c('2', `change: ${f.fix.manual}`)}`);
    }
    lines.push(
      `    ${c('2', f.fixable ? 'fix: mail-oauth-migrate fix (rewrites to OAuth2 with @azure/msal-node)' : `docs: ${ruleInfo(f.code).helpUri}`)}`,
    );
  }
  if (r.skipped.length) {
    lines.push('', `Skipped ${r.skipped.length} path(s):`);
    for (const s of r.skipped) {
      lines.push(`    ${relPath(r.root, s.file)}  (${s.reason})`);
    }
  }
  const counts = ['error', 'warning', 'info']
    .map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  lines.push(
    '',
    `${r.findings.length} finding(s)${counts.length ? ` (${counts.join(', ')})` : ''} in ${r.stats.files} file(s), ${r.stats.parsed} parsed, ${r.stats.durationMs} ms.`,
  );
  return lines.join('\n');
}

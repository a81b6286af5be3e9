/** The `mailOAuth.*` settings of one workspace folder (all resource-scoped). */
import * as vscode from 'vscode';

export type SeverityOverride = 'error' | 'warning' | 'info' | 'hint' | 'off';
export type AuthFlow = 'auto' | 'app-only' | 'delegated';

export interface FolderSettings {
  extraHosts: string[];
  include: string[];
  exclude: string[];
  severity: Record<string, SeverityOverride>;
  authFlow: AuthFlow;
  envFiles: string[];
  scanOnStartup: boolean;
  reportUnresolvedHosts: boolean;
  maxFileSize: number;
  /** Minutes an unused analyzer worker is kept before it is ended (its memory freed); 0 keeps it. */
  analyzerIdleMinutes: number;
}

export const SECTION = 'mailOAuth';
export const DEFAULT_ENV_FILES = ['.env.local', '.env.*', '.env', '.env.example', '.env.sample'];
const SEVERITIES = new Set<SeverityOverride>(['error', 'warning', 'info', 'hint', 'off']);

function strings(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim())
    : [];
}

export function readSettings(scope: vscode.ConfigurationScope | undefined): FolderSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const severity: Record<string, SeverityOverride> = {};
  const raw = c.get<unknown>('severity');
  if (raw && typeof raw === 'object') {
    for (const [code, s] of Object.entries(raw as Record<string, unknown>)) {
      const v = typeof s === 'string' ? (s.toLowerCase() as SeverityOverride) : undefined;
      if (v && SEVERITIES.has(v)) {
        severity[code] = v;
      }
    }
  }
  const flow = c.get<string>('authFlow');
  const envFiles = strings(c.get('envFiles'));
  const maxFileSize = Number(c.get('maxFileSize'));
  const idle = Number(c.get('analyzerIdleMinutes') ?? 10);
  return {
    extraHosts: strings(c.get('extraHosts')),
    include: strings(c.get('include')),
    exclude: strings(c.get('exclude')),
    severity,
    authFlow: flow === 'app-only' || flow === 'delegated' ? flow : 'auto',
    envFiles: envFiles.length ? envFiles : DEFAULT_ENV_FILES,
    scanOnStartup: c.get<boolean>('scanOnStartup') === true,
    reportUnresolvedHosts: c.get<boolean>('reportUnresolvedHosts') === true,
    maxFileSize: Number.isFinite(maxFileSize) && maxFileSize > 0 ? maxFileSize : 1024 * 1024,
    analyzerIdleMinutes: Number.isFinite(idle) && idle >= 0 ? idle : 10,
  };
}

/** The part of the settings an Analyzer is built from; a change means a new Analyzer. */
export function analyzerKey(s: FolderSettings): string {
  return JSON.stringify([s.extraHosts, s.exclude, s.envFiles, s.reportUnresolvedHosts, s.maxFileSize]);
}

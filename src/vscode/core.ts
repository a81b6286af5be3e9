/**
 * Lazy access to the analyzer core. The core (ts-morph + TypeScript, a few MB) is never bundled into
 * dist/extension.js: esbuild.js marks './analyzer' external, so `require('./analyzer')` stays a runtime
 * require of dist/analyzer.js, done on first use only. Everything else imports core *types* only.
 *
 * From sources (tsx, ts-node, tsc output under out/src/vscode/) './analyzer' does not exist next to this file,
 * and the core is loaded from ../core instead.
 */
import * as path from 'node:path';
import type * as Core from '../core/index';
import type { FileEdit, Finding, Protocol } from '../core/model';
import { DOCS_BASE } from './prefilter';

export type CoreModule = typeof Core;

/** What the extension needs from the core's fix planner, whatever its exact shape. */
export interface PlannerOptions {
  authFlow: 'auto' | 'app-only' | 'delegated';
  /** Current text of a file: the editor buffer when open, else the disk content; undefined when missing. */
  readFile: (file: string) => string | undefined;
}
export interface PlannedFixes {
  edits: FileEdit[];
  fixed: Finding[];
  notFixed: { finding: Finding; reason: string }[];
  manualSteps: string[];
  unusedEnvVars: string[];
}
export type Planner = (findings: readonly Finding[], options: PlannerOptions) => PlannedFixes;

/** src/core/fixes: `planFixes(findings, { readFile, flow })` → FixPlan. */
type PlanFixes = (
  findings: readonly Finding[],
  ctx: { readFile(file: string): string | undefined; flow?: 'auto' | 'app' | 'delegated' },
) => Partial<PlannedFixes> & { edits: FileEdit[] };
/** Older single-finding shape: `planFix(finding, options)` → FileEdit[]. */
type PlanFix = (
  finding: Finding,
  options: { authFlow: string; readFile: (file: string) => string | undefined },
) => FileEdit[];
type CoreWithFixes = CoreModule & {
  planFixes?: PlanFixes;
  planFix?: PlanFix;
  FIXABLE_LIBRARIES?: ReadonlySet<string>;
};

let core: CoreModule | undefined;
let loadMs = 0;

/** What a worker (src/vscode/analyzer-worker.ts) said about the core it loaded, off this thread. */
export interface WorkerCoreInfo {
  ms: number;
  hasPlanner: boolean;
  fixable: string[];
}
let workerCore: WorkerCoreInfo | undefined;
let workerFixable: ReadonlySet<string> = new Set();

/** Called by the analyzer client when a worker has loaded the core (the first report wins for the load time). */
export function noteWorkerCore(info: WorkerCoreInfo): void {
  if (!workerCore) {
    workerCore = info;
    workerFixable = new Set(info.fixable);
  }
}

/** Whether the core has a fix planner, as far as known without loading it here (false while unknown). */
export function plannerAvailable(): boolean {
  if (workerCore) {
    return workerCore.hasPlanner;
  }
  return core !== undefined && getFixPlanner() !== undefined;
}

function requireCore(): CoreModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./analyzer') as CoreModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'MODULE_NOT_FOUND' || !/['"]\.\/analyzer['"]/.test(err.message)) {
      throw e;
    }
  }
  // Running from sources: src/vscode/core.ts → src/core/index.ts. A computed path keeps esbuild from bundling it.
  const fromSources = path.join(__dirname, '..', 'core', 'index');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(fromSources) as CoreModule;
}

/**
 * Loads the core on this thread, on first call (synchronously; 0.7-2.4 s the first time). The packaged
 * extension never does this: analysis, fixes, Show Setup and Verify Setup run in analyzer workers (see
 * analyzer-client.ts). Only the in-process fallback used from sources does.
 */
export function loadCore(): CoreModule {
  if (!core) {
    const t0 = performance.now();
    core = requireCore();
    loadMs = performance.now() - t0;
  }
  return core;
}

/** The core if loaded, seen through a wider type (optional exports the core may or may not have yet). */
function loadedCore<T>(): T | undefined {
  return core as unknown as T | undefined;
}

/** Whether the core has been loaded on the extension host thread itself (only ever from sources). */
export function isCoreLoadedOnHost(): boolean {
  return core !== undefined;
}

/** Whether the core has been loaded, in a worker (the packaged extension) or on this thread (sources). */
export function isCoreLoaded(): boolean {
  return core !== undefined || workerCore !== undefined;
}

/** Time the first core load took (in the worker when there is one), ms. */
export function coreLoadMs(): number {
  return workerCore?.ms ?? loadMs;
}

/**
 * The fix planner of the loaded core (`planFixes`, or a single-finding `planFix`, exported from
 * src/core/index.ts), normalised. Undefined when the core has none yet: the migration quick fix is then a
 * placeholder that points to the rule docs.
 */
export function getFixPlanner(): Planner | undefined {
  loadCore();
  const c = loadedCore<CoreWithFixes>()!;
  const planFixes = c.planFixes;
  if (typeof planFixes === 'function') {
    return (findings, o) => {
      const plan = planFixes(findings, {
        readFile: o.readFile,
        flow: o.authFlow === 'app-only' ? 'app' : o.authFlow,
      });
      return {
        edits: plan.edits,
        fixed: plan.fixed ?? [...findings],
        notFixed: plan.notFixed ?? [],
        manualSteps: plan.manualSteps ?? [],
        unusedEnvVars: plan.unusedEnvVars ?? [],
      };
    };
  }
  const planFix = c.planFix;
  if (typeof planFix === 'function') {
    return (findings, o) => {
      const out: PlannedFixes = { edits: [], fixed: [], notFixed: [], manualSteps: [], unusedEnvVars: [] };
      for (const finding of findings) {
        try {
          const edits = planFix(finding, o);
          if (edits.length) {
            out.edits.push(...edits);
            out.fixed.push(finding);
          } else {
            out.notFixed.push({ finding, reason: finding.fix.manual ?? 'no automatic fix' });
          }
        } catch (e) {
          out.notFixed.push({ finding, reason: e instanceof Error ? e.message : String(e) });
        }
      }
      return out;
    };
  }
  return undefined;
}

/** Whether a finding has an automatic fix (the finding says so, or the core lists its library as fixable). */
export function isFixable(f: Finding): boolean {
  // Framework configs without an automatic fix and the unknown-service info (src/core/fix-guard.ts).
  if ((f.fix.framework && !f.fixable) || f.code === 'nodemailer-unknown-service') {
    return false;
  }
  if (f.fixable || workerFixable.has(f.library)) {
    return true;
  }
  const libs = loadedCore<CoreWithFixes>()?.FIXABLE_LIBRARIES;
  return !!libs && typeof libs.has === 'function' && libs.has(f.library);
}

/** Rule docs URL: `ruleInfo(code).helpUri` when the core exports it, else the same URL built here. */
export function helpUri(code: string): string {
  const c = loadedCore<CoreModule & { ruleInfo?: (code: string) => { helpUri: string } }>();
  if (c && typeof c.ruleInfo === 'function') {
    try {
      return c.ruleInfo(code).helpUri;
    } catch {
      /* fall through */
    }
  }
  return `${DOCS_BASE}#${code}`;
}

/** src/core/setup: the Entra / Exchange checklist and PowerShell script for the findings. */
export interface SetupApi {
  setupScript(input: {
    findings?: { protocol: Finding['protocol']; host: string | undefined; hostKind: Finding['hostKind'] }[];
    tenantId?: string;
    clientId?: string;
    mailbox?: string;
    /** Microsoft Graph sendMail (`setup --graph`). */
    graph?: boolean;
  }): { checklist: string; powershell: string };
  setupMarkdown(s: { checklist: string; powershell: string }): string;
}

export interface VerifyStepResult {
  name: string;
  ok: boolean;
  detail: string;
  remedy?: string;
}
export interface VerifyReportResult {
  ok: boolean;
  steps: VerifyStepResult[];
}
/** src/core/verify: token → claims → TLS → XOAUTH2 login, each step explained. Signs in and connects. */
export interface VerifyApi {
  verify(
    input: Record<string, unknown> & { protocol: Protocol },
    deps: {
      signal?: AbortSignal;
      onProgress?: (step: string) => void;
      deviceCodeCallback?: (info: {
        message: string;
        userCode: string;
        verificationUri: string;
      }) => void | Promise<void>;
    },
  ): Promise<VerifyReportResult>;
  /** `verify --protocol graph`: Microsoft Graph sendMail (input.graph set), same input and report. */
  verifyGraph?: VerifyApi['verify'];
  formatReportText?(report: VerifyReportResult, opts?: { color?: boolean }): string;
  STEP_TITLES?: Record<string, string>;
}

/** The setup-script generator, when the loaded core exports it (`setupScript`, `setupMarkdown`). */
export function getSetupApi(): SetupApi | undefined {
  loadCore();
  const c = loadedCore<Partial<SetupApi>>()!;
  return typeof c.setupScript === 'function' && typeof c.setupMarkdown === 'function'
    ? (c as SetupApi)
    : undefined;
}

/** The setup verifier, when the loaded core exports it (`verify`). */
export function getVerifyApi(): VerifyApi | undefined {
  loadCore();
  const c = loadedCore<Partial<VerifyApi>>()!;
  return typeof c.verify === 'function' ? (c as VerifyApi) : undefined;
}

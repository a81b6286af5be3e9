import type { ts } from '../ts';
import type { Finding, FindingProtocol, LibraryId } from '../model';
import type { Evaluator, Val } from '../resolve';

/** A `call(...)` or `new X(...)` whose callee resolved to a reference into an npm package. */
export interface CallSite {
  node: ts.CallExpression | ts.NewExpression;
  isNew: boolean;
  pkg: string;
  /** Export path inside the package: `[]` is the module itself, `['createTransport']` a named export. */
  path: string[];
  args: readonly ts.Expression[];
}

export interface DetectorOptions {
  /** Extra host names to treat as Microsoft endpoints. */
  extraHosts: readonly string[];
  /** Report mail clients with password auth whose host cannot be resolved (`unresolved-mail-host`). */
  reportUnresolved: boolean;
  /** "Today", for date-driven severity. */
  now: Date;
}

export interface DetectorContext {
  ev: Evaluator;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
  options: DetectorOptions;
  report(finding: Finding): void;
}

/**
 * One detector per library. `matches` says which package references it inspects; `detect` reads the
 * resolved configuration and reports findings. Detectors never mutate the tree.
 */
export interface Detector {
  /** Stable id, equal to the finding code, the file name and the fixture folder. */
  id: string;
  library: LibraryId;
  protocol: FindingProtocol;
  /** npm package names this detector binds to (used by the text pre-filter too). */
  packages: readonly string[];
  matches(site: CallSite): boolean;
  detect(site: CallSite, ctx: DetectorContext): void;
  /** Manual migration guide when the library cannot do XOAUTH2. */
  manual?: string;
}

export type { Val };

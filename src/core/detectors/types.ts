import type { ts } from '../ts';
import type { Finding, FindingProtocol, LibraryId } from '../model';
import type { Evaluator, Intrinsic, Val } from '../resolve';

/** A `call(...)` or `new X(...)` whose callee resolved to a reference into an npm package. */
export interface CallSite {
  node: ts.CallExpression | ts.NewExpression;
  isNew: boolean;
  pkg: string;
  /** Export path inside the package: `[]` is the module itself, `['createTransport']` a named export. */
  path: string[];
  /** Subpath of the module specifier (`providers/email` for `next-auth/providers/email`). */
  sub?: string;
  args: readonly ts.Expression[];
}

/** Where a finding is anchored when it is not a call into a package (a config file, an assignment). */
export interface Site {
  node: ts.Node;
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
  /**
   * Framework adapters (NextAuth, NestJS, Strapi, ...) map a framework's config onto nodemailer's
   * options and report under the nodemailer rule: `reportAs` is that rule's code, `framework` is named
   * in the message, and `frameworkFix` says what to change by hand (no automatic fix yet).
   */
  framework?: string;
  reportAs?: string;
  frameworkFix?: string;
  /** The framework's config is nodemailer options in code, which the nodemailer fix rewrites (frameworkFix is then only documentation). */
  autoFix?: boolean;
  /** Package functions with a statically known result (see EvalContext.intrinsics). */
  intrinsics?: Readonly<Record<string, Intrinsic>>;
  /**
   * File-level detection for configs that are not calls into a package (Strapi's config/plugins.js, a
   * Meteor `process.env.MAIL_URL = ...`): `appliesTo` is a cheap test on the file name and text.
   */
  appliesTo?(sf: ts.SourceFile): boolean;
  detectFile?(sf: ts.SourceFile, ctx: DetectorContext): void;
}

export type { Val };

/**
 * Plain-data model shared by the analyzer, the CLI, the fix planners and the VS Code glue.
 * Everything here is serialisable: offsets and 1-based line/column pairs, never editor types.
 */

export type Protocol = 'smtp' | 'imap' | 'pop3';
/** What a finding logs in to: a mail protocol, or Exchange Web Services (no XOAUTH2 rewrite, no verify). */
export type FindingProtocol = Protocol | 'ews';
export type Severity = 'error' | 'warning' | 'info';

/** The npm package whose API a finding was made on. */
export type LibraryId =
  | 'nodemailer'
  | 'nodemailer-smtp-transport'
  | 'emailjs'
  | 'imapflow'
  | 'imap'
  | 'imap-simple'
  | 'mail-listener'
  | 'mail-notifier'
  | 'emailjs-imap-client'
  | 'node-pop3'
  | 'poplib'
  | 'yapople'
  | 'msal-node'
  | 'ews-javascript-api'
  | 'node-ews';

/** What kind of Microsoft endpoint a host is. */
export type HostKind = 'exchange-online' | 'outlook-consumer' | 'sovereign' | 'configured';

/** A span of a file: absolute path plus offsets and 1-based line/column (end is exclusive). */
export interface SourceSpan {
  file: string;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Where a value used by a finding comes from (a const in another module, a .env line, ...). */
export interface RelatedLocation extends SourceSpan {
  message: string;
  /** What the location explains; lets the editor pick, e.g., the password property for the Deprecated tag. */
  role: 'host' | 'user' | 'password' | 'auth' | 'config';
}

/**
 * What a fix planner needs, captured while the detector still has the resolved values at hand.
 * Ranges are offsets in `Finding.span.file` unless a span says otherwise.
 */
export interface FixHints {
  /** The options object literal that holds the credentials, when it is written inline. */
  configSpan?: SourceSpan;
  /** The `auth` property (or the flat user/password properties' container). */
  authSpan?: SourceSpan;
  /** The password property or argument as written in the config. */
  passwordSpan?: SourceSpan;
  /** Source text of the expression that yields the user name (may live in another file). */
  userText?: string;
  /** True when the connection is configured by a URL string (`smtps://user:pass@host`). */
  viaUrl?: boolean;
  /** nodemailer well-known service name, as written. */
  service?: string;
  /** Module system of the file: ESM (`import`) or CommonJS (`require`). */
  moduleStyle: 'esm' | 'cjs';
  /** Environment variables that carry the password (reported as unused after a fix). */
  passwordEnvVars: string[];
  /** Free-form manual guidance when no automatic fix exists. */
  manual?: string;
  /** MSAL password grant: which token the generated provider gives instead (`getMailAccessToken(tokenProtocol)`). */
  tokenProtocol?: 'smtp' | 'imap' | 'pop3' | 'graph';
  /**
   * The framework whose config holds the login (NextAuth, NestJS mailer, Strapi, ...). Such findings
   * have no automatic fix yet; `configSpan`/`passwordSpan` still locate the nodemailer options.
   */
  framework?: string;
}

/** One password login to a Microsoft mail endpoint (or, when enabled, a mail client whose host is unknown). */
export interface Finding {
  /** Stable rule code, e.g. `nodemailer-password-auth`; used as diagnostic code and SARIF ruleId. */
  code: string;
  library: LibraryId;
  protocol: FindingProtocol;
  /** Resolved host name, lower-cased; `undefined` for `unresolved-mail-host`. */
  host: string | undefined;
  hostKind: HostKind | undefined;
  severity: Severity;
  /** States the consequence and the date. Never contains a credential. */
  message: string;
  /** The call or `new` expression that opens the connection. */
  span: SourceSpan;
  related: RelatedLocation[];
  /** Whether an automatic fix exists for this finding. */
  fixable: boolean;
  fix: FixHints;
  /**
   * The login user name (the mailbox), when the scan resolved it statically: a literal, a const, a config
   * object, a connection URL or a .env value (not a .env.example placeholder).
   */
  mailbox?: string;
}

/** A file the scan did not analyse, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface ScanStats {
  /** JS/TS files seen by the walk. */
  files: number;
  /** Files parsed and analysed (after the text pre-filter). */
  parsed: number;
  durationMs: number;
}

export interface ScanResult {
  root: string;
  findings: Finding[];
  skipped: SkippedFile[];
  stats: ScanStats;
}

/** A single text edit by offset. */
export interface TextChange {
  start: number;
  end: number;
  newText: string;
}

/** Edits for one file; `create` marks a new file (its content is `changes[0].newText`). */
export interface FileEdit {
  file: string;
  create?: boolean;
  /** The content the edits were computed against; a fix is refused when the file changed since. */
  expectedText?: string;
  changes: TextChange[];
}

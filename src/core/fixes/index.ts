/**
 * Fix planners: finding + current file texts → text edits across files (the rewritten config, the
 * import of the token provider, the provider module itself, package.json and .env.example).
 *
 * Rewrites run on an in-memory ts-morph copy of each file; the edit is the changed span between the
 * old and the new text, so comments, indentation, quotes and semicolons outside it stay as they were.
 */
import * as path from 'node:path';
import { IndentationText, Node, Project, SyntaxKind, ts, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import type { FileEdit, Finding, TextChange } from '../model';
import { FIXABLE_LIBRARIES } from './libraries';
import { ENV_VARS } from './provider/env-vars';
import {
  PROVIDER_BASENAME,
  PROVIDER_MARKER,
  PROVIDER_PARTS,
  providerParts,
  providerSettings,
  providerSource,
  type CodeStyle,
  type ProviderOptions,
  type ProviderPart,
} from './provider/render';

export interface FixContext {
  /** Current text of a file, or undefined when it does not exist / cannot be read. */
  readFile(file: string): string | undefined;
  /** Which flow the generated provider defaults to (MAIL_OAUTH_FLOW overrides at run time). */
  flow?: 'auto' | 'app' | 'delegated';
}

export interface FixPlan {
  edits: FileEdit[];
  fixed: Finding[];
  notFixed: { finding: Finding; reason: string }[];
  /** Environment variables that only the removed password code used. */
  unusedEnvVars: string[];
  manualSteps: string[];
}

export { FIXABLE_LIBRARIES };

const MSAL_RANGE = '^7.2.1';

class NotFixable extends Error {}

interface FileState {
  file: string;
  original: string;
  sf: SourceFile;
  quote: string;
  semi: string;
  /** The provider hooks this file's rewritten code uses (their functions are imported). */
  parts: Set<ProviderPart>;
  /** `await` is allowed at the top level (an ES module that Node runs as such). */
  topLevelAwait: boolean;
}

interface Provider {
  pkg: Pkg;
  language: 'ts' | 'esm' | 'cjs';
  file: string;
  /** The hooks the fixed code imports. */
  parts: Set<ProviderPart>;
  smtpHost?: string;
  style: CodeStyle;
  /** The module's current text, when it exists. */
  existing: string | undefined;
}

interface Pkg {
  root: string;
  type: 'module' | 'commonjs';
  json: string | undefined;
  nodeNextTs: boolean;
}

/** Plans fixes for `findings` (any number of files and packages). Pure: reads through `ctx`, writes nothing. */
export function planFixes(findings: readonly Finding[], ctx: FixContext): FixPlan {
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true, compilerOptions: { allowJs: true } });
  const files = new Map<string, FileState>();
  const plan: FixPlan = { edits: [], fixed: [], notFixed: [], unusedEnvVars: [], manualSteps: [] };
  const providers = new Map<string, Provider>();
  const protocols = new Set<string>();
  const passwordVars = new Set<string>();

  const load = (file: string): FileState => {
    let st = files.get(file);
    if (!st) {
      const text = ctx.readFile(file);
      if (text === undefined) {
        throw new NotFixable(`cannot read ${file}`);
      }
      const sf = project.createSourceFile(file, text, { overwrite: true, scriptKind: scriptKindOf(file) });
      project.manipulationSettings.set({ indentationText: detectIndent(text) });
      const pkg = findPackage(file, ctx);
      const topLevelAwait = /\.mjs$/.test(file) || (/\.js$/.test(file) && pkg.type === 'module');
      st = { file, original: text, sf, quote: detectQuote(text), semi: detectSemi(text), parts: new Set(), topLevelAwait };
      files.set(file, st);
    }
    return st;
  };

  // Locate every node first: ts-morph keeps untouched nodes valid across later edits, while the
  // scanned offsets go stale as soon as an earlier rewrite (or an import) changes the file.
  const located: { finding: Finding; call: Node; main: FileState; passNode?: Node; passState: FileState }[] = [];
  for (const finding of findings) {
    if (!FIXABLE_LIBRARIES.has(finding.library)) {
      plan.notFixed.push({ finding, reason: finding.fix.manual ?? `${finding.library} cannot authenticate with XOAUTH2` });
      continue;
    }
    try {
      const main = load(finding.span.file);
      const call = nodeAt(main.sf, finding.span.start, finding.span.end, (n) => Node.isCallExpression(n) || Node.isNewExpression(n));
      const ps = finding.fix.passwordSpan;
      const passState = ps ? load(ps.file) : main;
      const passNode = ps ? nodeAt(passState.sf, ps.start, ps.end) : undefined;
      if (!call || (ps && !passNode)) {
        throw new NotFixable('the file changed since it was scanned; scan again');
      }
      located.push({ finding, call, main, passNode, passState });
    } catch (e) {
      plan.notFixed.push({ finding, reason: e instanceof NotFixable ? e.message : `rewrite failed: ${(e as Error).message}` });
    }
  }
  const users = new Map<FileState, Finding[]>();
  for (const { finding, call, main, passNode, passState } of located) {
    try {
      // Every check runs before the first change, so a refused finding leaves its files untouched.
      const touched = rewrite(finding, call, main, passNode, passState);
      for (const st of touched) {
        users.set(st, [...(users.get(st) ?? []), finding]);
      }
      protocols.add(finding.protocol);
      finding.fix.passwordEnvVars.forEach((v) => passwordVars.add(v));
      plan.fixed.push(finding);
    } catch (e) {
      plan.notFixed.push({ finding, reason: e instanceof NotFixable ? e.message : `rewrite failed: ${(e as Error).message}` });
    }
  }
  // One provider per package and module language; a provider that cannot be written (a foreign file in its place,
  // an older generated module without the hooks these findings need) takes its findings back out of the plan.
  const providerUsers = new Map<Provider, FileState[]>();
  for (const [st, fs] of users) {
    const pkg = findPackage(st.file, ctx);
    const language = providerLanguage(st.file, pkg);
    const key = `${pkg.root}|${language}`;
    let prov = providers.get(key);
    if (!prov) {
      const file = path.join(providerDir(st.file, pkg), PROVIDER_BASENAME + providerExt(language, pkg));
      prov = { pkg, language, file, parts: new Set(), style: codeStyle(st, pkg, ctx), existing: ctx.readFile(file) };
      providers.set(key, prov);
    }
    for (const f of fs) {
      if (f.host && f.protocol === 'smtp') {
        prov.smtpHost ??= f.host;
      }
    }
    st.parts.forEach((p) => prov.parts.add(p));
    providerUsers.set(prov, [...(providerUsers.get(prov) ?? []), st]);
  }
  const written = new Set<Provider>();
  for (const [prov, sts] of providerUsers) {
    try {
      const edit = providerEdit(prov, ctx.flow ?? 'auto');
      if (edit) {
        plan.edits.push(edit);
      }
      written.add(prov);
      sts.forEach((st) => addProviderImport(st, prov.file, prov.pkg));
    } catch (e) {
      // nothing was written yet: put the files back and report
      for (const st of sts) {
        const fs = users.get(st) ?? [];
        fs.forEach((finding) => plan.notFixed.push({ finding, reason: (e as Error).message }));
        plan.fixed = plan.fixed.filter((f) => !fs.includes(f));
        st.sf.replaceWithText(st.original);
      }
    }
  }

  for (const st of files.values()) {
    const text = st.sf.getFullText();
    if (text !== st.original) {
      plan.edits.push({ file: st.file, expectedText: st.original, changes: [minimalChange(st.original, text)] });
    }
  }
  const pkgs = new Map([...written].map((p) => [p.pkg.root, p.pkg]));
  for (const pkg of pkgs.values()) {
    const dep = packageJsonEdit(pkg);
    if (dep) {
      plan.edits.push(dep);
    }
    const envEdit = envExampleEdit(pkg.root, ctx);
    if (envEdit) {
      plan.edits.push(envEdit);
    }
  }
  // Password variables nothing references any more (in the files we rewrote).
  for (const v of passwordVars) {
    const stillUsed = [...files.values()].some((st) => st.sf.getFullText().includes(v));
    if (!stillUsed) {
      plan.unusedEnvVars.push(v);
    }
  }
  if (plan.fixed.length) {
    plan.manualSteps.push(...manualSteps(protocols, plan.fixed));
  }
  return plan;
}

/** Applies a rewrite for one finding; returns the files whose code now uses the provider. */
function rewrite(finding: Finding, call: Node, main: FileState, passNode: Node | undefined, passState: FileState): FileState[] {
  const q = passState.quote;
  switch (finding.library) {
    case 'nodemailer':
    case 'nodemailer-smtp-transport': {
      if (finding.fix.viaUrl) {
        return [rewriteNodemailerUrl(finding, passNode, passState)];
      }
      const { obj, prop } = passwordProperty(passNode, ['pass', 'auth']);
      // nodemailer asks provisionCallback for a token whenever it logs in, and again when one expired
      if (prop.getName() === 'auth') {
        // `auth: { type: 'login', user, ... }` without a visible pass: rewrite the auth object itself
        const init = Node.isPropertyAssignment(prop) ? prop.getInitializer() : undefined;
        if (!init || !Node.isObjectLiteralExpression(init)) {
          throw new NotFixable('the auth object is not written inline');
        }
        replaceProps(init, ['type', 'pass', 'credentials'], [`type: ${q}OAuth2${q}`, 'provisionCallback: nodemailerProvisionCallback']);
      } else {
        replaceProps(obj, ['type', 'pass'], [`type: ${q}OAuth2${q}`, 'provisionCallback: nodemailerProvisionCallback']);
      }
      passState.parts.add('nodemailer');
      if (finding.library === 'nodemailer-smtp-transport') {
        unwrapSmtpTransport(call);
      }
      return [passState];
    }
    case 'emailjs': {
      // emailjs reads the password at every login: the hook puts a fresh token there (and XOAUTH2 only, or
      // emailjs would send the token as a LOGIN password)
      const { obj } = passwordProperty(passNode, ['password']);
      replaceProps(obj, ['password', 'authentication'], [`authentication: [${q}XOAUTH2${q}]`]);
      return wrapClient(call, main, passState, 'emailjs', finding);
    }
    case 'imapflow': {
      const { obj } = passwordProperty(passNode, ['pass']);
      userExpression(obj, ['user'], finding);
      replaceProps(obj, ['pass', 'loginMethod'], []);
      return wrapClient(call, main, passState, 'imapflow', finding);
    }
    case 'imap':
    case 'mail-listener':
    case 'mail-notifier':
    case 'node-pop3': {
      const { obj } = passwordProperty(passNode, ['password']);
      userExpression(obj, ['user', 'username'], finding);
      replaceProps(obj, ['password'], typedPasswordKey(passState));
      return wrapClient(call, main, passState, finding.library, finding);
    }
    case 'imap-simple': {
      // connect() opens a new connection each time: its options get a fresh token there
      const { obj } = passwordProperty(passNode, ['password']);
      if (!Node.isCallExpression(call) || call.getArguments().length !== 1) {
        throw new NotFixable('imaps.connect() is not called with one options argument');
      }
      userExpression(obj, ['user'], finding);
      const awaitable = canAwaitAt(call, main);
      replaceProps(obj, ['password'], typedPasswordKey(passState));
      const arg = call.getArguments()[0];
      const wrapped = `withImapSimpleOAuth2(${dedentedText(arg)}${hostArgument(finding, main)})`;
      if (awaitable) {
        arg.replaceWithText(`await ${wrapped}`);
      } else {
        const callee = call.getExpression().getText();
        call.replaceWithText(`${wrapped}.then((options) => ${callee}(options))`);
      }
      main.parts.add('imap-simple');
      return [passState, main];
    }
    default:
      throw new NotFixable(`${finding.library}: no automatic fix`);
  }
}

/**
 * Wraps the client's creation in the provider's hook for its library: `withEmailjsOAuth2(new SMTPClient(...), host)`.
 * The hook fetches a token each time the client logs in, so the client can be created anywhere (module level,
 * a synchronous function) and can reconnect after its first token expired.
 */
function wrapClient(call: Node, main: FileState, passState: FileState, part: ProviderPart, finding: Finding): FileState[] {
  const [helper] = PROVIDER_PARTS[part];
  call.replaceWithText(`${helper}(${dedentedText(call)}${hostArgument(finding, main)})`);
  main.parts.add(part);
  return passState === main ? [main] : [passState, main];
}

/** A node's text without its own indentation on continuation lines (ts-morph adds it back when replacing). */
function dedentedText(node: Node): string {
  const indent = node.getIndentationText().length;
  const [first, ...rest] = node.getText().split('\n');
  const strip = new RegExp(`^[ \\t]{0,${indent}}`);
  return [first, ...rest.map((l) => l.replace(strip, ''))].join('\n');
}

function hostArgument(finding: Finding, st: FileState): string {
  return finding.host ? `, ${st.quote}${finding.host}${st.quote}` : '';
}

/**
 * nodemailer-smtp-transport (written for nodemailer 2-4) does not know `type: 'OAuth2'` with a
 * provisioning callback; nodemailer >= 3 takes the options directly, so the wrapper call goes.
 */
function unwrapSmtpTransport(call: Node): void {
  if (!Node.isCallExpression(call)) {
    return;
  }
  const [arg] = call.getArguments();
  const parent = call.getParent();
  if (arg && parent && Node.isCallExpression(parent) && parent.getArguments().includes(call)) {
    // ts-morph re-indents continuation lines by the call's own indentation: take it off first.
    const indent = call.getIndentationText().length;
    const [first, ...rest] = arg.getText().split('\n');
    const strip = new RegExp(`^[ \\t]{0,${indent}}`);
    call.replaceWithText([first, ...rest.map((l) => l.replace(strip, ''))].join('\n'));
  }
}

function rewriteNodemailerUrl(finding: Finding, urlNode: Node | undefined, st: FileState): FileState {
  if (!urlNode || !(Node.isStringLiteral(urlNode) || Node.isNoSubstitutionTemplateLiteral(urlNode) || Node.isTemplateExpression(urlNode))) {
    throw new NotFixable('the connection URL is not written in the code (it comes from a variable or the environment); replace it with host/port options and auth { type: "OAuth2" }');
  }
  const raw = Node.isTemplateExpression(urlNode)
    ? urlNode.getText().slice(1, -1).replace(/\$\{[^}]*\}/g, 'x')
    : (urlNode.getLiteralValue());
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotFixable('cannot parse the connection URL');
  }
  if (url.search || !finding.host) {
    throw new NotFixable('the connection URL has query options; rewrite it by hand');
  }
  const secure = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;
  const q = st.quote;
  const user = decodeURIComponent(url.username);
  const options = `{ host: ${q}${finding.host}${q}, port: ${port}, secure: ${secure}, auth: { type: ${q}OAuth2${q}, user: ${q}${user.replace(new RegExp(q, 'g'), `\\${q}`)}${q}, provisionCallback: nodemailerProvisionCallback } }`;
  const parent = urlNode.getParent();
  if (parent && Node.isPropertyAssignment(parent) && parent.getName() === 'url') {
    const obj = parent.getParentIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);
    replaceProps(obj, ['url'], options.slice(2, -2).split(/, (?=host|port|secure|auth)/));
  } else {
    urlNode.replaceWithText(options);
  }
  st.parts.add('nodemailer');
  return st;
}

/** The property node of the password (or `auth`) and its object literal. */
function passwordProperty(node: Node | undefined, names: string[]): { obj: ObjectLiteralExpression; prop: Node & { getName(): string } } {
  let n = node;
  while (n && !Node.isPropertyAssignment(n) && !Node.isShorthandPropertyAssignment(n)) {
    n = n.getParent();
    if (n && Node.isObjectLiteralExpression(n)) {
      n = undefined;
    }
  }
  if (!n || !(Node.isPropertyAssignment(n) || Node.isShorthandPropertyAssignment(n)) || !names.includes(n.getName())) {
    throw new NotFixable('the password is not set by a property written in the code');
  }
  const obj = n.getParent();
  if (!Node.isObjectLiteralExpression(obj)) {
    throw new NotFixable('the password is not in an object literal');
  }
  return { obj, prop: n };
}

/**
 * In TypeScript the libraries' typings (@types/imap, node-pop3) require a `password` key even for
 * XOAUTH2: keep it, empty. JavaScript drops it.
 */
function typedPasswordKey(st: FileState): string[] {
  return /\.(ts|tsx|mts|cts)$/.test(st.file) ? [`password: ${st.quote}${st.quote}`] : [];
}

/** `await` is allowed here: inside an async function, or at the top level of an ES module. */
function canAwaitAt(node: Node, st: FileState): boolean {
  const fn = node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isArrowFunction(a) || Node.isMethodDeclaration(a));
  return fn ? (fn as unknown as { isAsync(): boolean }).isAsync() : st.topLevelAwait;
}

/** The user expression to put in the SASL string: the sibling user property, or the scanned value. */
function userExpression(obj: ObjectLiteralExpression, names: string[], finding: Finding): string {
  for (const n of names) {
    const p = obj.getProperty(n);
    if (p && Node.isPropertyAssignment(p)) {
      return p.getInitializerOrThrow().getText();
    }
    if (p && Node.isShorthandPropertyAssignment(p)) {
      return p.getName();
    }
  }
  if (finding.fix.userText) {
    return finding.fix.userText;
  }
  throw new NotFixable('the mailbox user name is not set next to the password');
}

/** Replaces the first of `remove` found (in place) by `add`, and deletes the others. */
function replaceProps(obj: ObjectLiteralExpression, remove: string[], add: string[]): void {
  const props = obj.getProperties();
  const idx = props.findIndex((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) && remove.includes(p.getName()));
  if (idx < 0) {
    throw new NotFixable('nothing to replace');
  }
  const doomed = props.filter((p) => (Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) && remove.includes(p.getName()));
  const trailingComma = /,\s*\}$/.test(obj.getText());
  const first = props[idx];
  if (add.length) {
    // ts-morph indents continuation lines to the replaced property's own indentation.
    first.replaceWithText(add.join(obj.getText().includes('\n') ? ',\n' : ', '));
  }
  for (const p of doomed) {
    if ((p !== first || !add.length) && !p.wasForgotten()) {
      p.remove();
    }
  }
  const rest = obj.getProperties();
  if (trailingComma && rest.length && !/,\s*\}$/.test(obj.getText())) {
    // removing the last property took the trailing comma of the one before with it
    rest[rest.length - 1].replaceWithText(`${rest[rest.length - 1].getText()},`);
  }
}

function nodeAt(sf: SourceFile, start: number, end: number, pred: (n: Node) => boolean = () => true): Node | undefined {
  let n: Node | undefined = sf.getDescendantAtPos(start);
  while (n && n.getStart() === start && n.getEnd() <= end) {
    if (n.getEnd() === end && pred(n)) {
      return n;
    }
    n = n.getParent();
  }
  return undefined;
}

function addProviderImport(st: FileState, providerFile: string, pkg: Pkg): void {
  if (!st.parts.size) {
    return;
  }
  const spec = importSpecifier(st.file, providerFile, pkg);
  const names = [...st.parts].flatMap((p) => PROVIDER_PARTS[p]).sort();
  const q = st.quote;
  const esm = isEsmFile(st.file, pkg, st.sf);
  const existingEsm = st.sf.getImportDeclaration((d) => d.getModuleSpecifierValue() === spec);
  if (existingEsm) {
    const have = new Set(existingEsm.getNamedImports().map((n) => n.getName()));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length) {
      existingEsm.addNamedImports(missing);
    }
    return;
  }
  const text = st.sf.getFullText();
  if (!esm && new RegExp(`require\\(['"]${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"]\\)`).test(text)) {
    // already required (a previous run): extend its destructuring
    const decl = st.sf
      .getVariableDeclarations()
      .find((d) => d.getInitializer()?.getText().includes(spec) && Node.isObjectBindingPattern(d.getNameNode()));
    const pattern = decl?.getNameNode();
    if (pattern && Node.isObjectBindingPattern(pattern)) {
      const have = new Set(pattern.getElements().map((e) => e.getName()));
      const all = [...have, ...names.filter((n) => !have.has(n))];
      pattern.replaceWithText(`{ ${all.join(', ')} }`);
    }
    return;
  }
  const line = esm
    ? `import { ${names.join(', ')} } from ${q}${spec}${q}${st.semi}`
    : `const { ${names.join(', ')} } = require(${q}${spec}${q})${st.semi}`;
  // After the last import / top-level require, else after a 'use strict' directive / shebang / header comments.
  const statements = st.sf.getStatements();
  let after: Node | undefined;
  for (const s of statements) {
    if (Node.isImportDeclaration(s) || (Node.isVariableStatement(s) && /\brequire\(/.test(s.getText()) && !s.getText().includes('\n'))) {
      after = s;
    } else if (Node.isExpressionStatement(s) && /^['"]use strict['"]/.test(s.getText()) && !after) {
      after = s;
    }
  }
  st.sf.insertStatements(after ? after.getChildIndex() + 1 : 0, line);
}

function minimalChange(a: string, b: string): TextChange {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    start++;
  }
  let ea = a.length;
  let eb = b.length;
  while (ea > start && eb > start && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  return { start, end: ea, newText: b.slice(start, eb) };
}

function detectQuote(text: string): string {
  const single = (text.match(/'/g) ?? []).length;
  const double = (text.match(/"/g) ?? []).length;
  return double > single ? '"' : "'";
}

/** The file's indentation unit (ts-morph defaults to four spaces). */
function detectIndent(text: string): IndentationText {
  if (/^\t/m.test(text)) {
    return IndentationText.Tab;
  }
  const widths = (text.match(/^( +)\S/gm) ?? []).map((m) => m.length - 1);
  const min = widths.length ? Math.min(...widths) : 2;
  return min === 4 ? IndentationText.FourSpaces : min === 8 ? IndentationText.EightSpaces : IndentationText.TwoSpaces;
}

/** Semicolon style from complete one-line statements (`const x = require('y')`, `import …`). */
function detectSemi(text: string): string {
  const lines = text
    .split('\n')
    .filter((l) => /^\s*(const|let|var|import|return|export)\b/.test(l) && /[;)'"`\w\]]\s*$/.test(l));
  const withSemi = lines.filter((l) => /;\s*$/.test(l)).length;
  return lines.length === 0 || withSemi * 2 >= lines.length ? ';' : '';
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.(ts|mts|cts)$/.test(file)) {
    return ts.ScriptKind.TS;
  }
  if (/\.tsx$/.test(file)) {
    return ts.ScriptKind.TSX;
  }
  if (/\.jsx$/.test(file)) {
    return ts.ScriptKind.JSX;
  }
  return ts.ScriptKind.JS;
}

function findPackage(file: string, ctx: FixContext): Pkg {
  let dir = path.dirname(file);
  for (;;) {
    const json = ctx.readFile(path.join(dir, 'package.json'));
    if (json !== undefined) {
      let type: Pkg['type'] = 'commonjs';
      try {
        type = (JSON.parse(json) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
      } catch {
        /* unparsable package.json: treat as CommonJS, and do not edit it */
      }
      const tsconfig = ctx.readFile(path.join(dir, 'tsconfig.json'));
      let nodeNextTs = type === 'module';
      if (tsconfig) {
        const cfg = ts.parseConfigFileTextToJson('tsconfig.json', tsconfig).config as { compilerOptions?: { module?: string; moduleResolution?: string } } | undefined;
        const mr = `${cfg?.compilerOptions?.moduleResolution ?? ''} ${cfg?.compilerOptions?.module ?? ''}`.toLowerCase();
        nodeNextTs = /node16|nodenext/.test(mr) && !/bundler/.test(mr) ? true : /bundler|commonjs|node10|\bnode\b/.test(mr) ? false : nodeNextTs;
      }
      return { root: dir, type, json, nodeNextTs };
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return { root: path.dirname(file), type: 'commonjs', json: undefined, nodeNextTs: false };
    }
    dir = parent;
  }
}

function isEsmFile(file: string, pkg: Pkg, sf: SourceFile): boolean {
  if (/\.(mjs|mts)$/.test(file)) {
    return true;
  }
  if (/\.(cjs|cts)$/.test(file)) {
    return false;
  }
  if (/\.(ts|tsx)$/.test(file)) {
    return true;
  }
  return pkg.type === 'module' || sf.getImportDeclarations().length > 0;
}

function providerLanguage(file: string, pkg: Pkg): 'ts' | 'esm' | 'cjs' {
  if (/\.(ts|tsx|mts|cts)$/.test(file)) {
    return 'ts';
  }
  if (/\.cjs$/.test(file)) {
    return 'cjs';
  }
  return pkg.type === 'module' ? 'esm' : 'cjs';
}

function providerDir(file: string, pkg: Pkg): string {
  const src = path.join(pkg.root, 'src');
  return file.startsWith(src + path.sep) ? src : pkg.root;
}

function providerExt(language: Provider['language'], pkg: Pkg): string {
  return language === 'ts' ? '.ts' : language === 'cjs' && pkg.type === 'module' ? '.cjs' : '.js';
}

/**
 * The provider module: created with the hooks the fixed code uses, or — when a module generated earlier lacks
 * some — written again with all of them, keeping its settings. Nothing to do when it has them all.
 */
function providerEdit(prov: Provider, flow: ProviderOptions['flow']): FileEdit | undefined {
  const { existing } = prov;
  if (existing === undefined) {
    const text = providerSource({ language: prov.language, flow, parts: prov.parts, smtpHost: prov.smtpHost, style: prov.style });
    return { file: prov.file, create: true, changes: [{ start: 0, end: 0, newText: text }] };
  }
  if (!existing.includes(PROVIDER_MARKER)) {
    throw new NotFixable(`${prov.file} exists and was not generated by Mail OAuth Migrator`);
  }
  const have = providerParts(existing);
  if ([...prov.parts].every((p) => have.parts.has(p))) {
    return undefined;
  }
  if (have.foreign.length) {
    throw new NotFixable(
      `${prov.file} was generated by an earlier version (it exports ${have.foreign.join(', ')}); fix the code that imports those by hand or delete the file, then run the fix again`,
    );
  }
  const settings = providerSettings(existing);
  const text = providerSource({
    language: prov.language,
    flow: settings.flow ?? flow,
    parts: new Set([...have.parts, ...prov.parts]),
    smtpHost: settings.smtpHost ?? prov.smtpHost,
    style: prov.style,
  });
  return { file: prov.file, expectedText: existing, changes: [minimalChange(existing, text)] };
}

/** Quotes, semicolons and indentation for generated code: the package's Prettier settings, else the file's own. */
function codeStyle(st: FileState, pkg: Pkg, ctx: FixContext): CodeStyle {
  const fromFile: CodeStyle = {
    quote: st.quote === '"' ? '"' : "'",
    semi: st.semi === ';',
    indent: { [IndentationText.Tab]: '\t', [IndentationText.FourSpaces]: '    ' }[detectIndent(st.original) as string] ?? '  ',
  };
  const config = prettierConfig(pkg, ctx);
  if (!config) {
    return fromFile;
  }
  const width = typeof config.tabWidth === 'number' ? config.tabWidth : 2;
  return {
    quote: config.singleQuote === true ? "'" : '"',
    semi: config.semi !== false,
    indent: config.useTabs === true ? '\t' : width === 4 ? '    ' : '  ',
  };
}

/** The package's Prettier options when written as JSON (.prettierrc, .prettierrc.json, package.json "prettier"). */
function prettierConfig(pkg: Pkg, ctx: FixContext): Record<string, unknown> | undefined {
  for (const name of ['.prettierrc', '.prettierrc.json']) {
    const text = ctx.readFile(path.join(pkg.root, name));
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as unknown;
        return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      } catch {
        return undefined; // YAML or broken: fall back to the code's own style
      }
    }
  }
  try {
    const field = pkg.json ? (JSON.parse(pkg.json) as { prettier?: unknown }).prettier : undefined;
    return field && typeof field === 'object' ? (field as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function importSpecifier(from: string, providerFile: string, pkg: Pkg): string {
  let rel = path.relative(path.dirname(from), providerFile).split(path.sep).join('/');
  if (!rel.startsWith('.')) {
    rel = `./${rel}`;
  }
  if (providerFile.endsWith('.ts')) {
    return pkg.nodeNextTs ? rel.replace(/\.ts$/, '.js') : rel.replace(/\.ts$/, '');
  }
  return rel;
}

function packageJsonEdit(pkg: Pkg): FileEdit | undefined {
  if (!pkg.json) {
    return undefined;
  }
  let parsed: Record<string, Record<string, string> | undefined>;
  try {
    parsed = JSON.parse(pkg.json) as typeof parsed;
  } catch {
    return undefined;
  }
  for (const k of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    if (parsed[k]?.['@azure/msal-node']) {
      return undefined; // keep the existing range
    }
  }
  const indent = /\n([ \t]+)"/.exec(pkg.json)?.[1] ?? '  ';
  const deps = { ...(parsed.dependencies ?? {}), '@azure/msal-node': MSAL_RANGE };
  const sorted = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  const next = JSON.stringify({ ...parsed, dependencies: sorted }, null, indent) + (pkg.json.endsWith('\n') ? '\n' : '');
  return { file: path.join(pkg.root, 'package.json'), expectedText: pkg.json, changes: [minimalChange(pkg.json, next)] };
}

function envExampleEdit(root: string, ctx: FixContext): FileEdit | undefined {
  const file = path.join(root, '.env.example');
  const existing = ctx.readFile(file);
  const missing = Object.keys(ENV_VARS).filter((k) => !existing || !new RegExp(`^\\s*(export\\s+)?${k}\\s*=`, 'm').test(existing));
  if (!missing.length) {
    return undefined;
  }
  const block = [
    '# Mail OAuth (XOAUTH2) — app registration in Microsoft Entra ID. Values here are placeholders:',
    '# put real values in the deployment environment or an untracked .env, never in git.',
    ...missing.flatMap((k) => [`# ${ENV_VARS[k as keyof typeof ENV_VARS]}`, `${k}=`]),
    '',
  ].join('\n');
  if (existing === undefined) {
    return { file, create: true, changes: [{ start: 0, end: 0, newText: block }] };
  }
  const sep = existing.length && !existing.endsWith('\n') ? '\n\n' : existing.length ? '\n' : '';
  return { file, expectedText: existing, changes: [{ start: existing.length, end: existing.length, newText: sep + block }] };
}

function manualSteps(protocols: Set<string>, fixed: Finding[]): string[] {
  const consumer = fixed.some((f) => f.hostKind === 'outlook-consumer');
  const appPerms = [...protocols].map((p) => ({ smtp: 'SMTP.SendAsApp', imap: 'IMAP.AccessAsApp', pop3: 'POP.AccessAsApp' })[p]).join(', ');
  const steps = [
    'Register an app in Microsoft Entra ID (App registrations → New registration); note the Application (client) ID and Directory (tenant) ID → MAIL_OAUTH_CLIENT_ID, MAIL_OAUTH_TENANT_ID.',
    'Create a client secret (or upload a certificate) → MAIL_OAUTH_CLIENT_SECRET (or MAIL_OAUTH_CERTIFICATE_PATH + MAIL_OAUTH_CERTIFICATE_THUMBPRINT) in the deployment environment, not in git.',
    `API permissions → Add a permission → APIs my organization uses → "Office 365 Exchange Online" → Application permissions: ${appPerms}; then "Grant admin consent".`,
    'In Exchange Online PowerShell, register the service principal with the Enterprise application\'s Object ID (not the App registration\'s): New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>; then Add-MailboxPermission -Identity <mailbox> -User <client id> -AccessRights FullAccess.',
    'Run `npm install` to add @azure/msal-node.',
  ];
  if (protocols.has('smtp')) {
    steps.push('SMTP: keep SMTP AUTH enabled for the mailbox (Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false) — OAuth still goes through SMTP AUTH; grant SendAs (Add-RecipientPermission) if the From address differs from the mailbox.');
  }
  if (consumer) {
    steps.push('Outlook.com accounts: app-only tokens do not work; register the app for personal Microsoft accounts, enable "Allow public client flows", add delegated permissions (SMTP.Send / IMAP.AccessAsUser.All / POP.AccessAsUser.All, offline_access), and sign in once with the device code the app prints.');
  }
  return steps;
}

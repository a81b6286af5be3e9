/**
 * Fix planners: finding + current file texts → text edits across files (the rewritten config, the
 * import of the token provider, the provider module itself, package.json and .env.example).
 *
 * Rewrites run on an in-memory ts-morph copy of each file; the edit is the changed span between the
 * old and the new text, so comments, indentation, quotes and semicolons outside it stay as they were.
 * Each library's rewrite sits beside its detector (src/core/detectors/<library>.fix.ts, registered in
 * planners.ts); this module locates the findings, runs them, and adds the provider and package edits.
 */
import * as path from 'node:path';
import { Node, Project, type SourceFile } from 'ts-morph';
import type { FileEdit, Finding } from '../model';
import { NotFixable, type FileState } from './kit';
import { FIXABLE_LIBRARIES } from './libraries';
import { graphManualSteps, manualSteps } from './manual-steps';
import { envExampleEdit, findPackage, hookDependencies, packageJsonEdit, type Pkg } from './package';
import { graphNotOffered, plannerFor } from './planners';
import { addProviderImport, codeStyle, packageLanguages, providerDir, providerEdit, providerExt, providerLanguage, PROVIDER_BASENAME, type Provider } from './provider/place';
import { detectIndent, detectQuote, detectSemi, minimalChange, scriptKindOf } from './text';

export interface FixContext {
  /** Current text of a file, or undefined when it does not exist / cannot be read. */
  readFile(file: string): string | undefined;
  /** Which flow the generated provider defaults to (MAIL_OAUTH_FLOW overrides at run time). */
  flow?: 'auto' | 'app' | 'delegated';
  /** What the login becomes: XOAUTH2 on the same protocol (default), or, for code that only sends, Microsoft Graph sendMail. */
  to?: 'xoauth2' | 'graph';
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

/** Plans fixes for `findings` (any number of files and packages). Pure: reads through `ctx`, writes nothing. */
export function planFixes(findings: readonly Finding[], ctx: FixContext): FixPlan {
  const project = new Project({ useInMemoryFileSystem: true, skipLoadingLibFiles: true, compilerOptions: { allowJs: true } });
  const files = new Map<string, FileState>();
  const plan: FixPlan = { edits: [], fixed: [], notFixed: [], unusedEnvVars: [], manualSteps: [] };
  const providers = new Map<string, Provider>();
  const protocols = new Set<string>();
  const passwordVars = new Set<string>();

  // the package of a file: looked up once per folder (it reads package.json and tsconfig.json upwards)
  const packages = new Map<string, Pkg>();
  const packageOf = (file: string): Pkg => {
    const dir = path.dirname(file);
    let pkg = packages.get(dir);
    if (!pkg) {
      pkg = findPackage(file, ctx);
      packages.set(dir, pkg);
    }
    return pkg;
  };
  const load = (file: string): FileState => {
    let st = files.get(file);
    if (!st) {
      const text = ctx.readFile(file);
      if (text === undefined) {
        throw new NotFixable(`cannot read ${file}`);
      }
      const sf = project.createSourceFile(file, text, { overwrite: true, scriptKind: scriptKindOf(file) });
      project.manipulationSettings.set({ indentationText: detectIndent(text) });
      const pkg = packageOf(file);
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
      // a framework's finding points at its config (an object, module.exports), not at a call
      const call = nodeAt(main.sf, finding.span.start, finding.span.end, (n) => finding.fix.framework !== undefined || Node.isCallExpression(n) || Node.isNewExpression(n));
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
  const notes = new Set<string>();
  for (const { finding, call, main, passNode, passState } of located) {
    try {
      // Every check runs before the first change, so a refused finding leaves its files untouched.
      const planner = plannerFor(finding, ctx.to);
      if (!planner) {
        throw new NotFixable(ctx.to === 'graph' ? graphNotOffered(finding) : `${finding.library}: no automatic fix`);
      }
      const touched = planner.rewrite({ finding, call, main, passNode, passState, note: (text) => notes.add(text) });
      for (const st of touched) {
        users.set(st, [...(users.get(st) ?? []), finding]);
      }
      if (finding.fix.tokenProtocol !== 'graph') {
        protocols.add(finding.protocol);
      }
      finding.fix.passwordEnvVars.forEach((v) => passwordVars.add(v));
      plan.fixed.push(finding);
    } catch (e) {
      plan.notFixed.push({ finding, reason: e instanceof NotFixable ? e.message : `rewrite failed: ${(e as Error).message}` });
    }
  }
  // One provider per package and module language; a provider that cannot be written (a foreign file in its place,
  // an older generated module without the hooks these findings need) takes its findings back out of the plan.
  const providerUsers = new Map<Provider, FileState[]>();
  const languages = new Map<string, Set<Provider['language']>>();
  for (const st of users.keys()) {
    if (st.parts.size) {
      const pkg = packageOf(st.file);
      languages.set(pkg.root, (languages.get(pkg.root) ?? new Set()).add(providerLanguage(st.file, pkg)));
    }
  }

  for (const [st, fs] of users) {
    if (!st.parts.size) {
      continue; // only a password removed here: the code that uses the provider is elsewhere
    }
    const pkg = packageOf(st.file);
    const choice = packageLanguages(languages.get(pkg.root) ?? new Set(), pkg);
    const language = choice.pick(providerLanguage(st.file, pkg));
    if (choice.why) {
      notes.add(choice.why);
    }
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
    const parts = [...written].filter((p) => p.pkg.root === pkg.root).flatMap((p) => [...p.parts]);
    const dep = packageJsonEdit(pkg, hookDependencies(parts));
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
    const steps = ctx.to === 'graph' ? graphManualSteps(plan.fixed) : manualSteps(protocols, plan.fixed);
    plan.manualSteps.push(...steps, ...notes);
  }
  return plan;
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

/**
 * The syntactic gate of the analysis: one walk of a file collects the names bound to modules (imports,
 * `require()` results and their aliases) and every call, and keeps the calls whose callee may reach a
 * watched package. The checker and the evaluator only ever see the calls this lets through.
 */
import * as path from 'node:path';
import { ts } from './ts';
import { WATCHED_PACKAGES } from './rule-meta';

/** The calls of a file that may reach a watched package, and the names bound to modules. */
export interface Gate {
  gated: (ts.CallExpression | ts.NewExpression)[];
  roots: ReadonlyMap<string, string | null>;
  /**
   * The relative modules gated calls go through (`import m from './mailer'; m.send()` → './mailer'):
   * the evaluation of those calls will want them loaded.
   */
  imports: ReadonlySet<string>;
}

/** The syntactic gate over a file (see moduleBoundNames and mayReachPackage): no checker involved. */
export function gateCalls(
  sf: ts.SourceFile,
  mayWrap?: (fromFile: string, specifier: string) => boolean,
): Gate {
  // One walk of the file collects the bindings and the calls; the calls are then gated by the bindings.
  const { roots, functions, calls } = moduleBoundNames(sf);
  const imports = new Set<string>();
  if (!roots.size && !CALL_ROOTED.test(sf.text)) {
    return { gated: [], roots, imports };
  }
  const wraps = (spec: string): boolean => {
    const may = !mayWrap || mayWrap(sf.fileName, spec);
    if (may) {
      imports.add(spec);
    }
    return may;
  };
  const gated = calls.filter(
    (node) =>
      (node.expression.kind !== SK.ImportKeyword &&
        mayReachPackage(node.expression, roots, functions, wraps)) ||
      isPasswordGrantCall(node),
  );
  return { gated, roots, imports };
}

// The two AST walks below visit every node of every candidate: they compare kinds directly, because
// each `ts.x` in the bundle is two property getters (esbuild's interop object, then TypeScript's own).
const SK = ts.SyntaxKind;
const forEachChild = ts.forEachChild;
/** `require(...)`/`import(...)` somewhere in the text: a call result may then hold a package. */
const CALL_ROOTED = /\b(?:require|import)\s*\(/;

/**
 * A module specifier whose exports may lead to a watched package: the package itself (or a subpath),
 * or a local module (which may wrap one). Other packages are never followed (see resolveModuleNames).
 */
function mayLeadToPackage(spec: string): boolean {
  return isRelative(spec) || WATCHED_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));
}

const REQUIRE_OR_IMPORT = /\b(?:require|import)\b/g;
const LITERAL_LOAD = /\b(?:require|import)\s*\(\s*(['"`])([^'"`]*)\1\s*\)/g;

/**
 * Whether an initializer that mentions require/import may load a watched package or a local module:
 * false only when every mention is a literal `require('x')`/`import('x')` of some other package.
 */
function loadsRelevantModule(init: string): boolean {
  const mentions = init.match(REQUIRE_OR_IMPORT)?.length ?? 0;
  let literal = 0;
  for (const m of init.matchAll(LITERAL_LOAD)) {
    if (mayLeadToPackage(m[2])) {
      return true;
    }
    literal++;
  }
  return literal < mentions;
}

/**
 * Names in a file that can hold a reference into a package: imports (of packages and of local
 * modules, which may re-export one), bindings initialised with `require()`/`import()`, and aliases
 * of those. A callee whose root is none of these (a parameter, `Math`, a local helper) cannot reach
 * a watched package, so the checker is not even asked about it.
 */
function moduleBoundNames(sf: ts.SourceFile): {
  roots: Map<string, string | null>;
  functions: Set<string>;
  calls: (ts.CallExpression | ts.NewExpression)[];
} {
  // Each name → the relative module it was loaded from when that is certain (`import x from './x'`,
  // `const { y } = require('./y')`), else null. A call through a local module that cannot wrap a
  // package is then not evaluated (see mayWrapPackage).
  const names = new Map<string, string | null>();
  // Functions declared in the file: `getMailer().createTransport()` may return a package.
  const functions = new Set<string>();
  // Every call and `new` in the file, in source order (analyzeSourceFile gates them).
  const calls: (ts.CallExpression | ts.NewExpression)[] = [];
  const aliases: [ts.BindingName, ts.Expression][] = [];
  const add = (name: string, from: string | null): void => {
    names.set(name, names.has(name) && names.get(name) !== from ? null : from);
  };
  const bind = (n: ts.BindingName, from: string | null): void => {
    if (n.kind === SK.Identifier) {
      add(n.text, from);
    } else {
      n.elements.forEach((e) => !ts.isOmittedExpression(e) && bind(e.name, from));
    }
  };
  const visit = (node: ts.Node): void => {
    const k = node.kind;
    if (k === SK.CallExpression || k === SK.NewExpression) {
      calls.push(node as ts.CallExpression | ts.NewExpression);
    } else if (k === SK.ImportDeclaration) {
      const { importClause: c, moduleSpecifier } = node as ts.ImportDeclaration;
      const spec = ts.isStringLiteral(moduleSpecifier) ? moduleSpecifier.text : undefined;
      if (!c || (spec !== undefined && !mayLeadToPackage(spec))) {
        return;
      }
      const from = spec && isRelative(spec) ? spec : null;
      if (c.name) {
        add(c.name.text, from);
      }
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) {
        add(nb.name.text, from);
      } else if (nb) {
        nb.elements.forEach((e) => add(e.name.text, from));
      }
      return;
    }
    if (k === SK.ImportEqualsDeclaration) {
      const { name, moduleReference: ref } = node as ts.ImportEqualsDeclaration;
      const spec =
        ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)
          ? ref.expression.text
          : undefined;
      if (spec === undefined || mayLeadToPackage(spec)) {
        add(name.text, spec && isRelative(spec) ? spec : null);
      }
      return;
    }
    if (k === SK.FunctionDeclaration && (node as ts.FunctionDeclaration).name) {
      functions.add((node as ts.FunctionDeclaration).name!.text);
    }
    if (k === SK.VariableDeclaration && (node as ts.VariableDeclaration).initializer) {
      const { name, initializer } = node as ts.VariableDeclaration & { initializer: ts.Expression };
      if (
        name.kind === SK.Identifier &&
        (initializer.kind === SK.ArrowFunction || initializer.kind === SK.FunctionExpression)
      ) {
        functions.add(name.text);
      }
      // A plain text test on the source range: over-approximates, which a gate may. Bindings of
      // other packages (`require('lodash')`) are left out: calls through them cannot reach ours.
      const init = sf.text.slice(initializer.pos, initializer.end);
      if (init.includes('require') || init.includes('import')) {
        if (loadsRelevantModule(init)) {
          const spec = loadedSpecifier(initializer);
          bind(name, spec && isRelative(spec) ? spec : null);
        }
      } else {
        aliases.push([name, initializer]);
      }
    }
    forEachChild(node, visit);
  };
  visit(sf);
  // `const mailer = nodemailer`, `const { createTransport } = lib.mail`: aliases of bound names.
  for (let changed = true, rounds = 0; changed && rounds < 4; rounds++) {
    changed = false;
    for (const [name, init] of aliases) {
      const root = rootIdentifier(init);
      if (root && names.has(root) && !(ts.isIdentifier(name) && names.has(name.text))) {
        bind(name, names.get(root) ?? null);
        changed = true;
      }
    }
  }
  return { roots: names, functions, calls };
}

const isRelative = (spec: string): boolean => spec.startsWith('.') || path.isAbsolute(spec);

/** `require('./x')`, `require('./x').y`, `(await import('./x')).default` → './x'; anything else → undefined. */
function loadedSpecifier(init: ts.Expression): string | undefined {
  let e = init;
  while (PASS_THROUGH.has(e.kind)) {
    e = (e as ts.PropertyAccessExpression).expression;
  }
  if (e.kind !== SK.CallExpression) {
    return undefined;
  }
  const { expression: callee, arguments: args } = e as ts.CallExpression;
  const loads =
    callee.kind === SK.ImportKeyword ||
    (callee.kind === SK.Identifier && (callee as ts.Identifier).text === 'require');
  return loads && args.length === 1 && ts.isStringLiteralLike(args[0]) ? args[0].text : undefined;
}

function rootIdentifier(expr: ts.Expression): string | undefined {
  let e: ts.Expression = expr;
  while (PASS_THROUGH.has(e.kind) || e.kind === SK.CallExpression) {
    e = (e as ts.PropertyAccessExpression | ts.CallExpression).expression;
  }
  return e.kind === SK.Identifier ? (e as ts.Identifier).text : undefined;
}

/** Expressions that pass a value on: `a.b`, `a[b]`, `(a)`, `a!`, `await a`, `a as T`. */
const PASS_THROUGH = new Set<ts.SyntaxKind>([
  SK.PropertyAccessExpression,
  SK.ElementAccessExpression,
  SK.ParenthesizedExpression,
  SK.NonNullExpression,
  SK.AwaitExpression,
  SK.AsExpression,
]);

/**
 * Cheap syntactic gate before any checker work (see moduleBoundNames): the callee's root is a name
 * bound to a module, or the chain starts with a call that may return one (`require('x').y()`,
 * `getMailer().createTransport()`, `this.mailer().connect()`, `(await import('x')).y()`).
 */
function mayReachPackage(
  callee: ts.Expression,
  roots: Map<string, string | null>,
  functions: Set<string>,
  mayWrap: (spec: string) => boolean,
): boolean {
  let e: ts.Expression = callee;
  let called = false;
  for (;;) {
    if (PASS_THROUGH.has(e.kind)) {
      e = (e as ts.PropertyAccessExpression).expression;
    } else if (e.kind === SK.CallExpression) {
      called = true;
      e = (e as ts.CallExpression).expression;
    } else {
      break;
    }
  }
  if (e.kind === SK.Identifier) {
    // A local variable's method chain (`contentType.value.toLowerCase().trim()`) never qualifies.
    const name = (e as ts.Identifier).text;
    const from = roots.get(name);
    if (from !== undefined) {
      return from === null || mayWrap(from);
    }
    return called && (name === 'require' || functions.has(name));
  }
  // `this.mailer().connect()`, `(await import('x')).y()`, `(function () {...})().z()`
  return called && NON_IDENTIFIER_ROOTS.has(e.kind);
}

const NON_IDENTIFIER_ROOTS = new Set<ts.SyntaxKind>([
  SK.ThisKeyword,
  SK.SuperKeyword,
  SK.ImportKeyword,
  SK.FunctionExpression,
  SK.ArrowFunction,
]);

/** Callees that can never reach a package: `this.x()`, `super()`, calls on literals. */
export function cannotBePackage(expr: ts.Expression): boolean {
  let e: ts.Expression = expr;
  while (
    ts.isPropertyAccessExpression(e) ||
    ts.isElementAccessExpression(e) ||
    ts.isParenthesizedExpression(e) ||
    ts.isNonNullExpression(e)
  ) {
    e = e.expression;
  }
  return (
    e.kind === ts.SyntaxKind.ThisKeyword ||
    e.kind === ts.SyntaxKind.SuperKeyword ||
    ts.isStringLiteralLike(e) ||
    ts.isArrayLiteralExpression(e) ||
    ts.isObjectLiteralExpression(e)
  );
}

/** `x.acquireTokenByUsernamePassword(...)`: a method of an MSAL client object, checked by its own detector. */
export function isPasswordGrantCall(node: ts.CallExpression | ts.NewExpression): node is ts.CallExpression {
  const e = node.expression;
  return (
    node.kind === SK.CallExpression &&
    e.kind === SK.PropertyAccessExpression &&
    (e as ts.PropertyAccessExpression).name.text === 'acquireTokenByUsernamePassword'
  );
}

/**
 * Static value resolution through the TypeScript type checker.
 *
 * `evaluate(node)` answers "what value does this expression have, and where does it come from?" for the
 * shapes mail configs are written in: literals, template literals, const bindings (also across files,
 * through imports, re-exports and `module.exports`), property access on const objects, spreads,
 * `Object.freeze`/`Object.assign`, `??`/`||` defaults, JSON modules, small config factory functions and
 * `process.env.X` through dotenv files. It also tracks references into npm packages (`require('imap')`,
 * `import { ImapFlow } from 'imapflow'`, `(await import('x')).y`), which is how detectors know that a
 * callee really is the library's API and not a local function with the same name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ts } from './ts';
import { containerOf, memberAssignments } from './assignments';
import type { EnvHit, EnvIndex } from './env';

/** A property of a resolved object; evaluated lazily so unrelated branches cost nothing. */
export interface Prop {
  /** The node that defines the property (property assignment, shorthand, ...). */
  node: ts.Node;
  get(): Val;
}

interface Base {
  /** The node where the value is written (a literal, an object literal, ...). */
  node: ts.Node;
  /** Set when the value came from a dotenv file (or should have: `hit` is undefined when unset). */
  env?: { name: string; hit?: EnvHit };
}

export type Val =
  | (Base & { kind: 'value'; value: string | number | boolean | null | undefined })
  | (Base & { kind: 'object'; props: Map<string, Prop>; open: boolean })
  | (Base & { kind: 'array'; items: Val[] })
  | (Base & { kind: 'module'; pkg: string; path: string[]; sub?: string })
  | (Base & { kind: 'function'; decl: ts.SignatureDeclaration })
  | (Base & { kind: 'env-object' })
  | (Base & { kind: 'unknown'; alts?: Val[]; partial?: string });

/** Stands in for the unknown parts of a partially known template string (`partial`). */
export const HOLE = '\uFFFF';

export interface EvalContext {
  checker: ts.TypeChecker;
  env: EnvIndex;
  root: string;
  /**
   * Called when a value leads to a local module the program has not loaded yet. The analyzer then
   * loads it and analyses again: other modules are parsed only when a value needs them.
   */
  requestImport?: (fromFile: string, specifier: string) => void;
  /**
   * Calls into packages whose result is known statically, keyed by `pkg` + ':' + export path (see
   * intrinsicKey): `env('X', d)` in a Strapi config, `config.get('X')` on a NestJS ConfigService.
   */
  intrinsics?: ReadonlyMap<string, Intrinsic>;
}

/** A package function the evaluator can "call": it gets the call and the evaluator, and returns a value. */
export type Intrinsic = (call: ts.CallExpression, ev: Evaluator) => Val;

/** `intrinsics` key of a package export path (`prototype` marks an instance method). */
export function intrinsicKey(pkg: string, path: readonly string[]): string {
  return `${pkg}:${path.join('.')}`;
}

/** A reference into a package as imported by `spec` (`sub` keeps the subpath: `next-auth/providers/email`). */
function moduleRef(spec: string, path: string[], node: ts.Node): Val {
  const pkg = packageName(spec);
  const sub = spec.length > pkg.length ? spec.slice(pkg.length + 1) : undefined;
  return sub ? { kind: 'module', pkg, path, node, sub } : { kind: 'module', pkg, path, node };
}

const MAX_DEPTH = 40;

function isBare(spec: string): boolean {
  return !spec.startsWith('.') && !path.isAbsolute(spec);
}

/** `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`; `node:x` stays. */
export function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export class Evaluator {
  private depth = 0;
  private readonly active = new Set<ts.Node>();
  private readonly jsonCache = new Map<string, ts.JsonSourceFile | null>();
  private readonly symbolMemo = new Map<ts.Declaration, Val>();
  /** Values given to function parameters by a detector that knows the caller (see bindParameter). */
  private readonly params = new Map<ts.ParameterDeclaration, Val>();

  constructor(private readonly ctx: EvalContext) {}

  unknown(node: ts.Node, alts?: Val[]): Val {
    return { kind: 'unknown', node, alts };
  }

  /**
   * Gives a parameter the value its (framework) caller passes: Strapi calls a config function with
   * `{ env }`, NestJS calls `useFactory` with the providers listed in `inject`.
   */
  bindParameter(param: ts.ParameterDeclaration, v: Val): void {
    this.params.set(param, v);
    // Values read through the parameter before it was bound are stale now.
    this.symbolMemo.clear();
  }

  /** Evaluates an expression. Never throws for unsupported shapes: they yield `unknown`. */
  evaluate(node: ts.Node): Val {
    if (this.depth > MAX_DEPTH || this.active.has(node)) {
      return this.unknown(node);
    }
    this.depth++;
    this.active.add(node);
    try {
      return this.evalInner(node);
    } finally {
      this.active.delete(node);
      this.depth--;
    }
  }

  private evalInner(node: ts.Node): Val {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      return { kind: 'value', value: node.text, node };
    }
    if (ts.isNumericLiteral(node)) {
      return { kind: 'value', value: Number(node.text), node };
    }
    switch (node.kind) {
      case ts.SyntaxKind.TrueKeyword:
        return { kind: 'value', value: true, node };
      case ts.SyntaxKind.FalseKeyword:
        return { kind: 'value', value: false, node };
      case ts.SyntaxKind.NullKeyword:
        return { kind: 'value', value: null, node };
    }
    if (
      ts.isParenthesizedExpression(node) ||
      ts.isAsExpression(node) ||
      ts.isSatisfiesExpression(node) ||
      ts.isNonNullExpression(node) ||
      ts.isTypeAssertionExpression(node) ||
      ts.isAwaitExpression(node)
    ) {
      return this.evaluate(node.expression);
    }
    if (ts.isTemplateExpression(node)) {
      return this.evalTemplate(node);
    }
    if (ts.isIdentifier(node)) {
      if (node.text === 'undefined') {
        return { kind: 'value', value: undefined, node };
      }
      return this.evalIdentifier(node);
    }
    if (ts.isObjectLiteralExpression(node)) {
      return this.evalObject(node);
    }
    if (ts.isArrayLiteralExpression(node)) {
      return { kind: 'array', items: node.elements.map((e) => this.evaluate(e)), node };
    }
    if (isProcessEnv(node)) {
      return { kind: 'env-object', node };
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ThisKeyword) {
        return this.evalThisMember(node);
      }
      const v = this.member(this.evaluate(node.expression), node.name.text, node);
      if (v.kind === 'unknown' && !v.env && this.isEnumOrClassRef(node.expression)) {
        // Enum members and class statics. Asked only then: the checker type-checks the whole
        // expression to answer, which is far too slow for every property access.
        const sym = this.ctx.checker.getSymbolAtLocation(node);
        const decl = sym?.valueDeclaration;
        if (sym && decl && (ts.isEnumMember(decl) || ts.isPropertyDeclaration(decl))) {
          return ts.isEnumMember(decl) ? this.evalSymbol(sym, node) : decl.initializer ? this.evaluate(decl.initializer) : v;
        }
      }
      return v;
    }
    if (ts.isElementAccessExpression(node)) {
      const key = this.evaluate(node.argumentExpression);
      if (key.kind === 'value' && (typeof key.value === 'string' || typeof key.value === 'number')) {
        return this.member(this.evaluate(node.expression), String(key.value), node);
      }
      return this.unknown(node);
    }
    if (ts.isBinaryExpression(node)) {
      return this.evalBinary(node);
    }
    if (ts.isConditionalExpression(node)) {
      const test = this.evaluate(node.condition);
      if (test.kind === 'value') {
        return this.evaluate(test.value ? node.whenTrue : node.whenFalse);
      }
      return this.unknown(node, [this.evaluate(node.whenTrue), this.evaluate(node.whenFalse)]);
    }
    if (ts.isCallExpression(node)) {
      return this.evalCall(node);
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isFunctionDeclaration(node)) {
      return { kind: 'function', decl: node, node };
    }
    return this.unknown(node);
  }

  /** `this.config` where `config` is a constructor parameter property (`constructor(private config: ConfigService)`). */
  private evalThisMember(node: ts.PropertyAccessExpression): Val {
    const decl = this.ctx.checker.getSymbolAtLocation(node)?.valueDeclaration;
    return decl && ts.isParameter(decl) ? this.evalParameter(decl, node) : this.unknown(node);
  }

  /**
   * A parameter's value: what a detector bound it to, or an instance of the package class its type
   * annotation names (`config: ConfigService` → `@nestjs/config` ConfigService.prototype).
   */
  private evalParameter(param: ts.ParameterDeclaration, at: ts.Node): Val {
    const bound = this.params.get(param);
    if (bound) {
      return bound;
    }
    const type = param.type;
    if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
      const cls = this.evalIdentifier(type.typeName);
      if (cls.kind === 'module') {
        return instanceOf(cls, at);
      }
    }
    return this.unknown(at);
  }

  private isEnumOrClassRef(expr: ts.Expression): boolean {
    if (!ts.isIdentifier(expr)) {
      return false;
    }
    let sym = this.ctx.checker.getSymbolAtLocation(expr);
    if (sym && sym.flags & ts.SymbolFlags.Alias) {
      sym = this.ctx.checker.getAliasedSymbol(sym);
    }
    return sym !== undefined && (sym.flags & (ts.SymbolFlags.Enum | ts.SymbolFlags.Class)) !== 0;
  }

  private evalTemplate(node: ts.TemplateExpression): Val {
    let text = node.head.text;
    let env: Base['env'];
    let complete = true;
    for (const span of node.templateSpans) {
      const v = this.evaluate(span.expression);
      if (v.kind !== 'value') {
        complete = false;
        text += HOLE + span.literal.text;
        continue;
      }
      env = env ?? v.env;
      text += String(v.value) + span.literal.text;
    }
    return complete ? { kind: 'value', value: text, node, env } : { kind: 'unknown', node, partial: text };
  }

  private evalBinary(node: ts.BinaryExpression): Val {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) {
      const left = this.evaluate(node.left);
      if (left.kind === 'value') {
        const keep = op === ts.SyntaxKind.BarBarToken ? Boolean(left.value) : left.value != null;
        return keep ? left : this.evaluate(node.right);
      }
      if (left.kind === 'object' || left.kind === 'array' || left.kind === 'module' || left.kind === 'function') {
        return left;
      }
      // Unknown left side (typically an unset env var): the default is what runs when it is unset.
      const right = this.evaluate(node.right);
      return left.env && right.kind === 'value' ? { ...right, env: right.env ?? left.env } : right;
    }
    if (op === ts.SyntaxKind.PlusToken) {
      const l = this.evaluate(node.left);
      const r = this.evaluate(node.right);
      if (l.kind === 'value' && r.kind === 'value') {
        const value =
          typeof l.value === 'number' && typeof r.value === 'number'
            ? l.value + r.value
            : String(l.value) + String(r.value);
        return { kind: 'value', value, node, env: l.env ?? r.env };
      }
    }
    return this.unknown(node);
  }

  private evalObject(node: ts.ObjectLiteralExpression): Val {
    const props = new Map<string, Prop>();
    let open = false;
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = this.propertyKey(p.name);
        if (key === undefined) {
          open = true;
          continue;
        }
        props.set(key, { node: p, get: () => this.evaluate(p.initializer) });
      } else if (ts.isShorthandPropertyAssignment(p)) {
        props.set(p.name.text, { node: p, get: () => this.evalShorthand(p) });
      } else if (ts.isSpreadAssignment(p)) {
        const spread = this.evaluate(p.expression);
        if (spread.kind === 'object') {
          for (const [k, v] of spread.props) {
            props.set(k, v);
          }
          open = open || spread.open;
        } else if (!(spread.kind === 'value' && spread.value == null)) {
          open = true;
        }
      } else if (ts.isMethodDeclaration(p) || ts.isAccessor(p)) {
        const key = this.propertyKey(p.name);
        if (key !== undefined) {
          props.set(key, { node: p, get: () => this.unknown(p) });
        }
      }
    }
    return { kind: 'object', props, open, node };
  }

  private propertyKey(name: ts.PropertyName): string | undefined {
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) {
      return name.text;
    }
    if (ts.isComputedPropertyName(name)) {
      const v = this.evaluate(name.expression);
      return v.kind === 'value' && v.value != null ? String(v.value) : undefined;
    }
    return undefined;
  }

  private evalShorthand(p: ts.ShorthandPropertyAssignment): Val {
    const sym = this.ctx.checker.getShorthandAssignmentValueSymbol(p);
    return sym ? this.evalSymbol(sym, p.name) : this.unknown(p);
  }

  /** `obj.name` on an already evaluated object, module reference or `process.env`. */
  member(obj: Val, name: string, node: ts.Node): Val {
    switch (obj.kind) {
      case 'object': {
        const prop = obj.props.get(name);
        if (prop) {
          return prop.get();
        }
        return obj.open ? this.unknown(node) : { kind: 'value', value: undefined, node };
      }
      case 'module':
        return { ...obj, path: name === 'default' ? obj.path : [...obj.path, name], node };
      case 'env-object':
        return this.envValue(name, node);
      case 'array':
        if (name === 'length') {
          return { kind: 'value', value: obj.items.length, node };
        }
        return /^\d+$/.test(name) ? (obj.items[Number(name)] ?? this.unknown(node)) : this.unknown(node);
      default:
        return this.unknown(node);
    }
  }

  /** `process.env[name]` as read from `node`'s file (nearest dotenv file first). */
  envValue(name: string, node: ts.Node): Val {
    const sf = node.getSourceFile();
    const hit = this.ctx.env.lookup(name, sf.fileName, this.ctx.root);
    if (hit) {
      return { kind: 'value', value: hit.value, node, env: { name, hit } };
    }
    return { kind: 'unknown', node, env: { name } };
  }

  private evalIdentifier(id: ts.Identifier): Val {
    const sym = this.ctx.checker.getSymbolAtLocation(id);
    if (!sym) {
      return this.unknown(id);
    }
    return this.evalSymbol(sym, id);
  }

  /** Follows a symbol to its declaration: imports to their module, consts to their initializer. */
  evalSymbol(sym: ts.Symbol, at: ts.Node): Val {
    const decl = sym.valueDeclaration ?? sym.declarations?.[0];
    if (!decl) {
      return this.unknown(at);
    }
    if (this.active.has(decl)) {
      return this.unknown(at);
    }
    const memo = this.symbolMemo.get(decl);
    if (memo) {
      return memo;
    }
    this.active.add(decl);
    try {
      const v = this.evalDeclaration(decl, sym, at);
      this.symbolMemo.set(decl, v);
      return v;
    } finally {
      this.active.delete(decl);
    }
  }

  private followAlias(sym: ts.Symbol, at: ts.Node): Val {
    if (!(sym.flags & ts.SymbolFlags.Alias)) {
      return this.unknown(at);
    }
    const next = this.ctx.checker.getImmediateAliasedSymbol(sym);
    if (!next || next === sym || next.flags & ts.SymbolFlags.Transient && !next.declarations?.length) {
      return this.unknown(at);
    }
    return this.evalSymbol(next, at);
  }

  private evalDeclaration(decl: ts.Declaration, sym: ts.Symbol, at: ts.Node): Val {
    if (ts.isImportSpecifier(decl) || ts.isExportSpecifier(decl)) {
      const spec = ts.isImportSpecifier(decl)
        ? decl.parent.parent.parent.moduleSpecifier
        : decl.parent.parent.moduleSpecifier;
      const imported = (decl.propertyName ?? decl.name).text;
      if (spec && ts.isStringLiteral(spec) && isBare(spec.text)) {
        return moduleRef(spec.text, imported === 'default' ? [] : [imported], at);
      }
      if (ts.isExportSpecifier(decl) && !spec) {
        // `export { local }` / `export { local as name }`: the local symbol in the same file.
        const local = this.ctx.checker.getExportSpecifierLocalTargetSymbol(decl);
        return local && local !== sym ? this.evalSymbol(local, at) : this.unknown(at);
      }
      const target = spec && ts.isStringLiteral(spec) ? this.ctx.checker.getSymbolAtLocation(spec) : undefined;
      if (spec && ts.isStringLiteral(spec) && !target) {
        this.ctx.requestImport?.(spec.getSourceFile().fileName, spec.text);
        return this.unknown(at);
      }
      const v = this.followAlias(sym, at);
      const barrel = target?.valueDeclaration;
      if (v.kind === 'unknown' && barrel && ts.isSourceFile(barrel)) {
        // The name may come through `export * from './x'` of a module not loaded yet (a barrel).
        this.requestStarExports(barrel);
      }
      return v;
    }
    if (ts.isImportClause(decl) || ts.isNamespaceImport(decl) || ts.isNamespaceExport(decl)) {
      const importDecl = ts.isImportClause(decl) ? decl.parent : ts.isNamespaceImport(decl) ? decl.parent.parent : decl.parent;
      const spec = importDecl.moduleSpecifier;
      if (spec && ts.isStringLiteral(spec)) {
        if (isBare(spec.text)) {
          return moduleRef(spec.text, [], at);
        }
        return this.evalModuleSpecifier(spec, ts.isImportClause(decl) ? 'default' : 'namespace');
      }
      return this.unknown(at);
    }
    if (ts.isImportEqualsDeclaration(decl)) {
      const ref = decl.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
        return isBare(ref.expression.text)
          ? moduleRef(ref.expression.text, [], at)
          : this.evalModuleSpecifier(ref.expression, 'namespace');
      }
      return this.unknown(at);
    }
    if (ts.isVariableDeclaration(decl)) {
      if (!decl.initializer) {
        return this.unknown(at);
      }
      if (!ts.isIdentifier(decl.name)) {
        return this.unknown(at);
      }
      if (this.isReassigned(decl)) {
        return this.unknown(at);
      }
      return this.withMemberAssignments(this.evaluate(decl.initializer), decl.name.text, [], decl, sym);
    }
    if (ts.isBindingElement(decl)) {
      return this.evalBindingElement(decl, at);
    }
    if (ts.isParameter(decl)) {
      return this.evalParameter(decl, at);
    }
    if (ts.isPropertyAssignment(decl)) {
      return this.evaluate(decl.initializer);
    }
    if (ts.isShorthandPropertyAssignment(decl)) {
      return this.evalShorthand(decl);
    }
    if (ts.isExportAssignment(decl)) {
      return this.evaluate(decl.expression);
    }
    if (ts.isSourceFile(decl)) {
      return this.evalModuleFile(decl);
    }
    if (ts.isFunctionDeclaration(decl)) {
      return { kind: 'function', decl, node: decl };
    }
    if (ts.isEnumMember(decl)) {
      const v = this.ctx.checker.getConstantValue(decl);
      return v === undefined ? this.unknown(at) : { kind: 'value', value: v, node: decl };
    }
    if (ts.isBinaryExpression(decl)) {
      // JS: `module.exports = x` / `exports.a = x`
      return this.evaluate(decl.right);
    }
    if ((ts.isPropertyAccessExpression(decl) || ts.isElementAccessExpression(decl)) && ts.isBinaryExpression(decl.parent)) {
      return this.evaluate(decl.parent.right);
    }
    return this.followAlias(sym, at);
  }

  /** A `let`/`var` binding assigned again later is not a constant; we do not guess which value wins. */
  private isReassigned(decl: ts.VariableDeclaration): boolean {
    const list = decl.parent;
    if (!ts.isVariableDeclarationList(list) || list.flags & ts.NodeFlags.Const) {
      return false;
    }
    if (ts.isForInStatement(list.parent) || ts.isForOfStatement(list.parent) || ts.isForStatement(list.parent)) {
      return true;
    }
    return assignedNames(decl.getSourceFile()).has((decl.name as ts.Identifier).text);
  }

  private evalBindingElement(decl: ts.BindingElement, at: ts.Node): Val {
    // Build the property path from the outermost pattern down to this element.
    const keys: (string | number)[] = [];
    let el: ts.Node = decl;
    while (ts.isBindingElement(el)) {
      const pattern: ts.BindingPattern = el.parent;
      if (ts.isObjectBindingPattern(pattern)) {
        const name = el.propertyName ?? el.name;
        if (!ts.isIdentifier(name) && !ts.isStringLiteral(name)) {
          return this.unknown(at);
        }
        keys.unshift(name.text);
      } else {
        keys.unshift(pattern.elements.indexOf(el));
      }
      el = pattern.parent;
    }
    let v: Val;
    if (ts.isParameter(el)) {
      v = this.evalParameter(el, at);
    } else if (!ts.isVariableDeclaration(el) || !el.initializer) {
      return decl.initializer ? this.evaluate(decl.initializer) : this.unknown(at);
    } else {
      v = this.evaluate(el.initializer);
    }
    for (const k of keys) {
      v = this.member(v, String(k), at);
    }
    if (decl.initializer && (v.kind === 'unknown' || (v.kind === 'value' && v.value === undefined))) {
      const dflt = this.evaluate(decl.initializer);
      return v.env && dflt.kind === 'value' ? { ...dflt, env: v.env } : dflt;
    }
    return v;
  }

  private evalCall(node: ts.CallExpression): Val {
    const callee = node.expression;
    const arg0 = node.arguments[0];
    // require('x') and import('x')
    if (
      arg0 &&
      (ts.isStringLiteral(arg0) || ts.isNoSubstitutionTemplateLiteral(arg0)) &&
      (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require'))
    ) {
      if (isBare(arg0.text)) {
        return moduleRef(arg0.text, [], node);
      }
      return this.evalModuleSpecifier(arg0, callee.kind === ts.SyntaxKind.ImportKeyword ? 'namespace' : 'require');
    }
    // Object.freeze / seal / assign
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object') {
      const fn = callee.name.text;
      if ((fn === 'freeze' || fn === 'seal' || fn === 'preventExtensions') && arg0) {
        return this.evaluate(arg0);
      }
      if (fn === 'assign' && arg0) {
        const props = new Map<string, Prop>();
        let open = false;
        for (const a of node.arguments) {
          const v = this.evaluate(a);
          if (v.kind === 'object') {
            v.props.forEach((p, k) => props.set(k, p));
            open = open || v.open;
          } else {
            open = true;
          }
        }
        return { kind: 'object', props, open, node };
      }
    }
    if (ts.isIdentifier(callee) && callee.text === 'String' && arg0) {
      return this.evaluate(arg0);
    }
    const fn = this.evaluate(callee);
    if (fn.kind === 'module') {
      // A call into a package: the result is opaque unless the package function is an intrinsic.
      const intrinsic = this.ctx.intrinsics?.get(intrinsicKey(fn.pkg, fn.path));
      return intrinsic ? intrinsic(node, this) : this.unknown(node);
    }
    if (fn.kind === 'function') {
      const ret = returnedExpression(fn.decl);
      return ret ? this.evaluate(ret) : this.unknown(node);
    }
    return this.unknown(node);
  }

  /** Resolves a relative module specifier through the program, or reads a JSON file off disk. */
  private evalModuleSpecifier(spec: ts.StringLiteralLike, how: 'default' | 'namespace' | 'require'): Val {
    const modSym = this.ctx.checker.getSymbolAtLocation(spec);
    const sf = modSym?.valueDeclaration;
    if (sf && ts.isSourceFile(sf)) {
      const mod = this.evalModuleFile(sf);
      if (how === 'default' && mod.kind === 'object' && !isJson(sf) && !hasModuleExportsAssignment(sf)) {
        const d = mod.props.get('default');
        return d ? d.get() : this.unknown(spec);
      }
      return mod;
    }
    this.ctx.requestImport?.(spec.getSourceFile().fileName, spec.text);
    // Not in the program (yet): a JSON file can be read directly meanwhile.
    const from = path.dirname(spec.getSourceFile().fileName);
    const target = path.resolve(from, spec.text);
    const json = this.loadJson(target.endsWith('.json') ? target : `${target}.json`);
    return json ? this.evalModuleFile(json) : this.unknown(spec);
  }

  private loadJson(file: string): ts.JsonSourceFile | undefined {
    if (!this.jsonCache.has(file)) {
      let parsed: ts.JsonSourceFile | null = null;
      try {
        const stat = fs.statSync(file);
        if (stat.isFile() && stat.size < 1024 * 1024) {
          parsed = ts.parseJsonText(file, fs.readFileSync(file, 'utf8'));
        }
      } catch {
        parsed = null;
      }
      this.jsonCache.set(file, parsed);
    }
    return this.jsonCache.get(file) ?? undefined;
  }

  /** The value of a whole module: its JSON, its `module.exports`, or an object of its exports. */
  evalModuleFile(sf: ts.SourceFile): Val {
    if (isJson(sf)) {
      const st = sf.statements[0];
      return st && ts.isExpressionStatement(st) ? this.evaluate(st.expression) : this.unknown(sf);
    }
    const cjs = findModuleExportsAssignment(sf);
    if (cjs) {
      // `module.exports = {}; module.exports.smtp = {...}`
      return this.withMemberAssignments(this.evaluate(cjs.right), 'exports', [], sf);
    }
    // A CommonJS file (`exports.a = ...`) has a module symbol the checker does not hand out for the node.
    const modSym = this.ctx.checker.getSymbolAtLocation(sf) ?? (sf as { symbol?: ts.Symbol }).symbol;
    if (!modSym) {
      return this.unknown(sf);
    }
    this.requestStarExports(sf);
    const props = new Map<string, Prop>();
    for (const exp of this.ctx.checker.getExportsOfModule(modSym)) {
      const node = exp.declarations?.[0] ?? sf;
      // `exports.smtp = {...}` then `exports.smtp.auth = {...}`: the later assignments count too.
      props.set(exp.name, { node, get: () => this.withMemberAssignments(this.evalSymbol(exp, node), 'exports', [exp.name], sf) });
    }
    return { kind: 'object', props, open: false, node: sf };
  }

  /** Asks for the modules a barrel re-exports (`export * from './x'`, nested) that the program has not loaded. */
  private requestStarExports(sf: ts.SourceFile, seen = new Set<ts.SourceFile>()): void {
    if (!this.ctx.requestImport || seen.has(sf)) {
      return;
    }
    seen.add(sf);
    for (const st of sf.statements) {
      if (
        ts.isExportDeclaration(st) &&
        (!st.exportClause || ts.isNamespaceExport(st.exportClause)) &&
        st.moduleSpecifier &&
        ts.isStringLiteral(st.moduleSpecifier) &&
        !isBare(st.moduleSpecifier.text)
      ) {
        const target = this.ctx.checker.getSymbolAtLocation(st.moduleSpecifier)?.valueDeclaration;
        if (target && ts.isSourceFile(target)) {
          this.requestStarExports(target, seen);
        } else {
          this.ctx.requestImport(sf.fileName, st.moduleSpecifier.text);
        }
      }
    }
  }

  /**
   * A value with the member assignments made to it afterwards at the top level of its file (or in the
   * function that declares it): `const c = {}; c.mail = {...}; c.mail.host = 'x'`, `exports.a.b = ...`,
   * `cfg.smtp.auth = ...` after `const cfg = require('./cfg')`. `root` is the name assigned through
   * (`exports` for CommonJS exports, with `prefix` the export name); `decl`/`sym` check that an
   * identifier root really is this binding (not a shadowing one).
   */
  private withMemberAssignments(v: Val, root: string, prefix: string[], declOrFile: ts.Node, sym?: ts.Symbol): Val {
    const sf = declOrFile.getSourceFile();
    const all = memberAssignments(sf).get(root);
    if (!all || v.kind !== 'object') {
      return v;
    }
    const home = containerOf(declOrFile);
    let out: Val = v;
    for (const a of all) {
      if (a.path.length <= prefix.length || prefix.some((p, i) => a.path[i] !== p)) {
        continue;
      }
      const c = containerOf(a.node);
      if (c !== sf && c !== home) {
        continue;
      }
      if (sym && a.rootId && this.ctx.checker.getSymbolAtLocation(a.rootId) !== sym) {
        continue;
      }
      out = this.assignAt(out, a.path.slice(prefix.length), a.rhs, a.node);
    }
    return out;
  }

  /** `obj` with `path` set to the value of `rhs` (lazily; inner objects are copied, never changed). */
  private assignAt(obj: Val, path: string[], rhs: ts.Expression, at: ts.Node): Val {
    if (obj.kind !== 'object') {
      return obj;
    }
    const props = new Map(obj.props);
    const [key, ...rest] = path;
    if (!rest.length) {
      props.set(key, { node: at, get: () => this.evaluate(rhs) });
    } else {
      const inner = props.get(key);
      if (!inner) {
        return { ...obj, open: true };
      }
      props.set(key, { node: inner.node, get: () => this.assignAt(inner.get(), rest, rhs, at) });
    }
    return { ...obj, props };
  }
}

const assignedCache = new WeakMap<ts.SourceFile, Set<string>>();

/** Names assigned anywhere in a file (`x = …`, `x += …`, `x++`), computed once per file. */
function assignedNames(sf: ts.SourceFile): Set<string> {
  let names = assignedCache.get(sf);
  if (!names) {
    const found = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
        ts.isIdentifier(n.left)
      ) {
        found.add(n.left.text);
      } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isIdentifier(n.operand)) {
        found.add(n.operand.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    names = found;
    assignedCache.set(sf, names);
  }
  return names;
}

function isJson(sf: ts.SourceFile): boolean {
  return sf.fileName.endsWith('.json');
}

function findModuleExportsAssignment(sf: ts.SourceFile): ts.BinaryExpression | undefined {
  for (const st of sf.statements) {
    if (
      ts.isExpressionStatement(st) &&
      ts.isBinaryExpression(st.expression) &&
      st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(st.expression.left) &&
      ts.isIdentifier(st.expression.left.expression) &&
      st.expression.left.expression.text === 'module' &&
      st.expression.left.name.text === 'exports'
    ) {
      return st.expression;
    }
  }
  return undefined;
}

function hasModuleExportsAssignment(sf: ts.SourceFile): boolean {
  return findModuleExportsAssignment(sf) !== undefined;
}

/** The single returned expression of a small factory function (`() => ({...})`, `function f() { return {...} }`). */
export function returnedExpression(decl: ts.SignatureDeclaration): ts.Expression | undefined {
  const body = (decl as ts.FunctionLikeDeclaration).body;
  if (!body) {
    return undefined;
  }
  if (!ts.isBlock(body)) {
    return body;
  }
  const returns = body.statements.filter(ts.isReturnStatement);
  return returns.length === 1 && body.statements[body.statements.length - 1] === returns[0]
    ? returns[0].expression
    : undefined;
}

/** An instance of a package class (`new X()`, a parameter typed `X`): its methods are `X.prototype.m`. */
export function instanceOf(cls: Val & { kind: 'module' }, node: ts.Node): Val {
  return { ...cls, path: [...cls.path, 'prototype'], node };
}

/** `process.env` as an expression, so `const { X } = process.env` and `process.env.X` both resolve. */
export function isProcessEnv(node: ts.Node): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'env' &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'process'
  );
}

/**
 * Editor fast path: after an edit that cannot change a file's findings, the previous findings are moved
 * to their new offsets instead of rebinding and re-checking the whole file (the binder alone costs ~10 ms
 * per 2,000 lines on every keystroke).
 *
 * "Cannot change" is decided conservatively from the previous full analysis:
 * - the *relevant statements*: the statements of the calls the gate let through (with their leading
 *   comments and the rest of their last line, where a suppression comment may sit), then, to a fixpoint,
 *   every statement naming an identifier (or property name) already seen in a relevant statement, so
 *   declarations, assignments and shadowing of anything the detectors may have followed are included;
 * - the edit (removed and inserted text) must lie outside every relevant statement, name none of those
 *   identifiers, load no module and contain nothing that can change how the rest of the file parses
 *   (quotes, brackets that do not balance, block comments, `<`/`>`, a line comment that swallows code);
 * - after the incremental re-parse, the gated calls and the module bindings must be the same as before
 *   (shifted), and nothing else the analysis depends on (other files, dotenv files, the day) has changed.
 * Anything else takes the normal path.
 */
import { ts } from './ts';
import type { Finding, SourceSpan } from './model';

const SK = ts.SyntaxKind;

/** What a full analysis of one editor text leaves for the next edit. */
export interface ReuseState {
  text: string;
  findings: Finding[];
  /** Relevant statement ranges [start, end], sorted (closed: touching one counts). */
  ranges: [number, number][];
  /** Identifier and property names of the relevant statements. */
  names: Set<string>;
  /** Start/end of the calls the gate let through, in order. */
  gated: [number, number][];
  /** The module bindings, printed (see gateShape). */
  bindings: string;
  /** Dependencies outside the text: other files, dotenv files, the day (severity is date-driven). */
  context: string;
}

/** The gate's view of a file: the calls it lets through (by position) and the bindings it knows. */
export function gateShape(
  sf: ts.SourceFile,
  gate: { gated: readonly ts.Node[]; roots: ReadonlyMap<string, string | null> },
): { gated: [number, number][]; bindings: string } {
  return {
    gated: gate.gated.map((n) => [n.getStart(sf), n.end]),
    bindings: [...gate.roots].map(([k, v]) => `${k}=${v ?? ''}`).join(','),
  };
}

/** Whether the gate sees the same calls (moved by the edit) and the same bindings as before. */
export function sameShape(
  prev: ReuseState,
  next: { gated: [number, number][]; bindings: string },
  edit: { oldEnd: number; newEnd: number },
): boolean {
  const delta = edit.newEnd - edit.oldEnd;
  const at = (p: number): number => (p >= edit.oldEnd ? p + delta : p);
  return (
    prev.bindings === next.bindings &&
    prev.gated.length === next.gated.length &&
    prev.gated.every(([a, b], i) => at(a) === next.gated[i][0] && at(b) === next.gated[i][1])
  );
}

/** The statement a node belongs to (the node itself when it is one). */
function statementOf(node: ts.Node): ts.Node {
  let n: ts.Node | undefined = node;
  while (n && !ts.isStatement(n) && !ts.isClassElement(n) && n.kind !== SK.SourceFile) {
    n = n.parent;
  }
  return n && n.kind !== SK.SourceFile ? n : node;
}

/**
 * `export { a, b }`, `export default a`, `module.exports = a`, `module.exports = { a, b }` (shorthand or
 * plain names): statements that only hand names out. Nothing in the same file reads values through them.
 */
function onlyExportsNames(statement: ts.Node): boolean {
  if (ts.isExportDeclaration(statement)) {
    return !statement.moduleSpecifier;
  }
  if (ts.isExportAssignment(statement)) {
    return ts.isIdentifier(statement.expression);
  }
  if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) {
    return false;
  }
  const { left, operatorToken, right } = statement.expression;
  const isModuleExports =
    ts.isPropertyAccessExpression(left) &&
    ts.isIdentifier(left.expression) &&
    left.expression.text === 'module' &&
    left.name.text === 'exports';
  if (!isModuleExports || operatorToken.kind !== SK.EqualsToken) {
    return false;
  }
  return (
    ts.isIdentifier(right) ||
    (ts.isObjectLiteralExpression(right) &&
      right.properties.every(
        (p) =>
          ts.isShorthandPropertyAssignment(p) ||
          (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)),
      ))
  );
}

/** Relevant ranges and names of a fully analysed file (see the module comment). */
export function relevance(
  sf: ts.SourceFile,
  gated: readonly ts.Node[],
): { ranges: [number, number][]; names: Set<string> } {
  // identifiers grouped by the innermost statement that holds them
  const byStatement = new Map<ts.Node, string[]>();
  const statementsByName = new Map<string, ts.Node[]>();
  const stack: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    const isUnit = ts.isStatement(node) || ts.isClassElement(node);
    if (isUnit) {
      stack.push(node);
    }
    if (node.kind === SK.Identifier || node.kind === SK.PrivateIdentifier) {
      const owner = stack[stack.length - 1];
      if (owner) {
        const text = (node as ts.Identifier).text;
        let list = byStatement.get(owner);
        if (!list) {
          byStatement.set(owner, (list = []));
        }
        list.push(text);
        let owners = statementsByName.get(text);
        if (!owners) {
          statementsByName.set(text, (owners = []));
        }
        if (owners[owners.length - 1] !== owner) {
          owners.push(owner);
        }
      }
    }
    ts.forEachChild(node, visit);
    if (isUnit) {
      stack.pop();
    }
  };
  visit(sf);

  const relevant = new Set<ts.Node>();
  // `export` too: one more changes the module style the fixes are planned for (ESM vs CommonJS)
  const names = new Set<string>(['require', 'import', 'export', 'module', 'exports']);
  const queue: string[] = [...names];
  const mark = (statement: ts.Node): void => {
    if (relevant.has(statement)) {
      return;
    }
    relevant.add(statement);
    if (onlyExportsNames(statement)) {
      return; // `module.exports = { a, b }`, `export { a, b }`: relevant text, but it feeds no value here
    }
    // every identifier inside (nested statements included): a relevant function is relevant whole
    const collect = (n: ts.Node): void => {
      if (
        (n.kind === SK.Identifier || n.kind === SK.PrivateIdentifier) &&
        !names.has((n as ts.Identifier).text)
      ) {
        names.add((n as ts.Identifier).text);
        queue.push((n as ts.Identifier).text);
      }
      ts.forEachChild(n, collect);
    };
    collect(statement);
  };
  gated.forEach((call) => mark(statementOf(call)));
  while (queue.length) {
    for (const s of statementsByName.get(queue.pop()!) ?? []) {
      mark(s);
    }
  }

  const text = sf.text;
  const ranges: [number, number][] = [...relevant].map((s) => {
    // the rest of the last line too: a trailing `// mail-oauth-ignore` belongs to the statement
    const nl = text.indexOf('\n', s.end);
    return [s.getFullStart(), nl < 0 ? text.length : nl];
  });
  // The headers of the functions and classes around each call (modifiers, name, parameters, up to the
  // opening brace): whether the call sits in an async function, a function at all, or a class decides
  // what a fix can do, and breaking a header re-shapes the code around the call.
  for (const call of gated) {
    for (let a: ts.Node | undefined = call.parent; a && a.kind !== SK.SourceFile; a = a.parent) {
      if (ts.isFunctionLike(a) && 'body' in a && a.body) {
        ranges.push([a.getFullStart(), (a.body as ts.Node).getStart(sf) + 1]);
      } else if (ts.isClassLike(a)) {
        ranges.push([a.getFullStart(), a.members.pos + 1]);
      }
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return { ranges, names };
}

/** The single span two texts differ in: old [start, oldEnd), new [start, newEnd). */
export function diffSpan(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) {
    start++;
  }
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

const WORD = /[A-Za-z_$][\w$]*/g;
const UNSAFE = /['"`\\<>]|\/\*|\*\//;

/** Whether a removed or inserted piece of text is harmless for the parse of everything around it. */
function inert(piece: string, names: ReadonlySet<string>, lineTail: string): boolean {
  if (!piece) {
    return true;
  }
  if (UNSAFE.test(piece) || /mail-oauth/.test(piece)) {
    return false;
  }
  // `//` comments only when they end inside the piece, or nothing but blanks follows on the line
  const slash = piece.indexOf('/');
  if (slash >= 0) {
    const lines = piece.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      const c = l.indexOf('//');
      const rest = c >= 0 ? l.slice(0, c) : l;
      if (rest.includes('/')) {
        return false; // division or a regular expression
      }
      if (c >= 0 && i === lines.length - 1 && lineTail.trim() !== '') {
        return false; // would comment out the code after it
      }
    }
  }
  const code = piece
    .split('\n')
    .map((l) => (l.includes('//') ? l.slice(0, l.indexOf('//')) : l))
    .join('\n');
  let depth = 0;
  for (const ch of code) {
    if (ch === '(' || ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (--depth < 0) {
        return false;
      }
    }
  }
  if (depth !== 0) {
    return false;
  }
  for (const w of piece.match(WORD) ?? []) {
    if (names.has(w)) {
      return false;
    }
  }
  return true;
}

/**
 * The edit from `prev.text` to `text` if it cannot change the findings (checks that need no parse),
 * else undefined.
 */
export function inertEdit(
  prev: ReuseState,
  text: string,
): { start: number; oldEnd: number; newEnd: number } | undefined {
  const d = diffSpan(prev.text, text);
  for (const [a, b] of prev.ranges) {
    if (d.start <= b && d.oldEnd >= a) {
      return undefined;
    }
  }
  // Nothing on the old lines the edit touches may open a comment or a string: splitting or joining
  // such a line can turn comment or string text into code.
  const lineStart = prev.text.lastIndexOf('\n', d.start - 1) + 1;
  const touchedEnd = prev.text.indexOf('\n', d.oldEnd);
  if (
    /['"`]|\/\/|\/\*|\*\//.test(prev.text.slice(lineStart, touchedEnd < 0 ? prev.text.length : touchedEnd))
  ) {
    return undefined;
  }
  const lineEnd = text.indexOf('\n', d.newEnd);
  const tail = text.slice(d.newEnd, lineEnd < 0 ? text.length : lineEnd);
  const oldLineEnd = prev.text.indexOf('\n', d.oldEnd);
  const oldTail = prev.text.slice(d.oldEnd, oldLineEnd < 0 ? prev.text.length : oldLineEnd);
  if (
    !inert(prev.text.slice(d.start, d.oldEnd), prev.names, oldTail) ||
    !inert(text.slice(d.start, d.newEnd), prev.names, tail)
  ) {
    return undefined;
  }
  return d;
}

/** The previous findings moved by the edit (spans of `file` after it shift; line/column recomputed). */
export function shiftFindings(
  findings: readonly Finding[],
  file: string,
  edit: { start: number; oldEnd: number; newEnd: number },
  sf: ts.SourceFile,
): Finding[] | undefined {
  const delta = edit.newEnd - edit.oldEnd;
  let ok = true;
  const move = <T extends SourceSpan | undefined>(s: T): T => {
    if (!s || s.file !== file) {
      return s;
    }
    if (s.start <= edit.oldEnd && s.end >= edit.start) {
      ok = false; // touches the edit: not reusable
      return s;
    }
    if (s.start < edit.start) {
      return s;
    }
    const start = s.start + delta;
    const end = s.end + delta;
    const a = sf.getLineAndCharacterOfPosition(start);
    const b = sf.getLineAndCharacterOfPosition(end);
    return {
      ...s,
      start,
      end,
      line: a.line + 1,
      column: a.character + 1,
      endLine: b.line + 1,
      endColumn: b.character + 1,
    };
  };
  const out = findings.map((f) => ({
    ...f,
    span: move(f.span),
    related: f.related.map((r) => move(r)),
    fix: {
      ...f.fix,
      configSpan: move(f.fix.configSpan),
      authSpan: move(f.fix.authSpan),
      passwordSpan: move(f.fix.passwordSpan),
    },
  }));
  return ok ? out : undefined;
}

/** The same state after an inert edit: offsets after the edit shifted. */
export function shiftState(
  prev: ReuseState,
  text: string,
  edit: { start: number; oldEnd: number; newEnd: number },
  findings: Finding[],
  gated: [number, number][],
): ReuseState {
  const delta = edit.newEnd - edit.oldEnd;
  return {
    ...prev,
    text,
    findings,
    gated,
    ranges: prev.ranges.map(([a, b]) => (a >= edit.oldEnd ? [a + delta, b + delta] : [a, b])),
  };
}

/**
 * Member assignments of a file, for values changed after they were declared: `cfg.smtp.host = '...'`,
 * `exports.smtp.auth = {...}`, `module.exports.x = ...` (see Evaluator.withMemberAssignments). Purely
 * syntactic, computed once per parsed file.
 */
import { ts } from './ts';

export interface MemberAssignment {
  /** Property path below the root (`['smtp', 'auth']` for `cfg.smtp.auth = ...`). */
  path: string[];
  rhs: ts.Expression;
  node: ts.BinaryExpression;
  /** The root identifier (absent for `exports` / `module.exports`). */
  rootId?: ts.Identifier;
}

const memberAssignCache = new WeakMap<ts.SourceFile, Map<string, MemberAssignment[]>>();

/** `a.b.c = x` statements of a file by root name, in source order; `module.exports.x` counts as `exports.x`. */
export function memberAssignments(sf: ts.SourceFile): Map<string, MemberAssignment[]> {
  let found = memberAssignCache.get(sf);
  if (!found) {
    const map = new Map<string, MemberAssignment[]>();
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const path: string[] = [];
        let e: ts.Expression = n.left;
        let root: string | undefined;
        while (ts.isPropertyAccessExpression(e) || (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression))) {
          path.unshift(ts.isPropertyAccessExpression(e) ? e.name.text : (e.argumentExpression as ts.StringLiteralLike).text);
          e = e.expression;
          if (ts.isIdentifier(e) && e.text === 'module' && path[0] === 'exports') {
            // `module.exports.x = ...` is `exports.x = ...`
            path.shift();
            root = 'exports';
            break;
          }
        }
        root ??= ts.isIdentifier(e) ? e.text : undefined;
        if (root && path.length) {
          const list = map.get(root) ?? [];
          list.push({ path, rhs: n.right, node: n, rootId: root !== 'exports' && ts.isIdentifier(e) ? e : undefined });
          map.set(root, list);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    found = map;
    memberAssignCache.set(sf, found);
  }
  return found;
}

/** The function (or file) whose body holds a node. */
export function containerOf(node: ts.Node): ts.Node {
  let n = node.parent;
  while (n && !ts.isSourceFile(n) && !ts.isFunctionLike(n)) {
    n = n.parent;
  }
  return n ?? node.getSourceFile();
}

/**
 * ews-javascript-api → Microsoft Graph sendMail: the send path planned by ews-send.ts (ExchangeService +
 * WebCredentials → graphMailbox, EmailMessage → graphMessage, Send/SendAndSaveCopy → send()) is applied to the
 * file, and the ews-javascript-api names nothing uses any more leave its import. The same rewrite serves
 * `fix --to xoauth2` and `--to graph`: XOAUTH2 does not exist for EWS, and EWS itself ends on 1 Apr 2027.
 */
import { Node, type SourceFile } from 'ts-morph';
import { ts } from '../ts';
import { NotFixable, type LibraryFix } from '../fixes/kit';
import { ewsSendPlan } from './ews-send';

const PACKAGE = 'ews-javascript-api';

export const ewsGraphFix: LibraryFix = {
  rewrite({ finding, call, main, note }) {
    if (!finding.fixable || !Node.isNewExpression(call)) {
      throw new NotFixable(finding.fix.manual ?? 'not a new WebCredentials(...) expression');
    }
    const plan = ewsSendPlan(call.compilerNode, finding.host, main.quote);
    if ('blocker' in plan) {
      throw new NotFixable(plan.blocker);
    }
    // locate every node before the first change (ts-morph keeps untouched nodes valid across edits)
    const located = plan.edits.map((e) => ({ node: wrapped(main.sf, e.node), text: e.text }));
    for (const { node, text } of located.sort((a, b) => b.node.getStart() - a.node.getStart())) {
      if (node.wasForgotten()) {
        continue;
      }
      if (text === null) {
        (node as unknown as { remove(): void }).remove();
      } else {
        node.replaceWithText(text);
      }
    }
    if (dropUnusedImports(main.sf)) {
      note(`${PACKAGE} is no longer imported by ${main.file.split(/[\\/]/).pop()}: remove it from package.json when nothing else uses it.`);
    }
    main.parts.add('ews');
    return [main];
  },
};

/** The ts-morph node of a compiler node of the same tree. */
function wrapped(sf: SourceFile, n: ts.Node): Node {
  let m: Node | undefined = sf.getDescendantAtPos(n.getStart());
  while (m && !(m.getStart() === n.getStart() && m.getEnd() === n.getEnd() && m.getKind() === n.kind)) {
    m = m.getParent();
  }
  if (!m) {
    throw new NotFixable('the file changed since it was scanned; scan again');
  }
  return m;
}

/** Removes the ews-javascript-api names the file no longer uses; true when the whole import went. */
function dropUnusedImports(sf: SourceFile): boolean {
  const used = (name: string, except: Node): boolean => {
    const re = new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`);
    const text = sf.getFullText();
    return re.test(text.slice(0, except.getStart()) + text.slice(except.getEnd()));
  };
  let removedAll = false;
  for (const imp of sf.getImportDeclarations().filter((i) => i.getModuleSpecifierValue() === PACKAGE)) {
    for (const spec of imp.getNamedImports()) {
      if (!used((spec.getAliasNode() ?? spec.getNameNode()).getText(), imp)) {
        spec.remove();
      }
    }
    const ns = imp.getNamespaceImport() ?? imp.getDefaultImport();
    if (!imp.getNamedImports().length && (!ns || !used(ns.getText(), imp))) {
      imp.remove();
      removedAll = true;
    }
  }
  // const { A, B } = require('ews-javascript-api') / const ews = require('ews-javascript-api')
  for (const decl of sf.getVariableDeclarations()) {
    const init = decl.getInitializer();
    if (!init || !Node.isCallExpression(init) || init.getExpression().getText() !== 'require' || init.getArguments()[0]?.getText().slice(1, -1) !== PACKAGE) {
      continue;
    }
    const statement = decl.getVariableStatement();
    const name = decl.getNameNode();
    if (Node.isObjectBindingPattern(name)) {
      const elements = name.getElements();
      const kept = elements.filter((el) => used(el.getNameNode().getText(), statement ?? decl));
      if (!kept.length && statement) {
        statement.remove();
        removedAll = true;
      } else if (kept.length < elements.length) {
        name.replaceWithText(`{ ${kept.map((el) => el.getText()).join(', ')} }`);
      }
    } else if (statement && !used(name.getText(), statement)) {
      statement.remove();
      removedAll = true;
    }
  }
  return removedAll;
}

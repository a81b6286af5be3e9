/**
 * nodejs-nodemailer-outlook: its `sendEmail(options)` throws without `auth.pass`, so OAuth2 cannot pass through it.
 * The call becomes the provider's `sendOutlookEmail(options)` (the same nodemailer send, logging in with OAuth2),
 * the password goes from `auth`, and the package's import or require goes when nothing else in the file uses it.
 */
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { isJson, NotFixable, passwordProperty, propertyName, replaceProps, type LibraryFix } from '../fixes/kit';

const PACKAGE = 'nodejs-nodemailer-outlook';

export const nodemailerOutlookFix: LibraryFix = {
  rewrite({ call, main, passNode, passState, note }) {
    if (!Node.isCallExpression(call)) {
      throw new NotFixable('sendEmail is not called directly');
    }
    if (isJson(passState)) {
      throw new NotFixable(`the options are kept in ${passState.file}: remove "pass" there and call sendOutlookEmail() from the generated mail-oauth-token module instead of sendEmail()`);
    }
    const { obj, prop } = passwordProperty(passNode, ['pass']);
    if (propertyName(prop) !== 'pass') {
      throw new NotFixable('the password is not set by auth.pass');
    }
    replaceProps(obj, ['pass'], []);
    call.getExpression().replaceWithText('sendOutlookEmail');
    main.parts.add('nodemailer-outlook');
    removeUnusedImport(main.sf);
    note(`sendEmail() of nodejs-nodemailer-outlook is replaced by sendOutlookEmail() (nodemailer with OAuth2): nodemailer is now a dependency of the package (run \`npm install\`); remove nodejs-nodemailer-outlook from package.json once nothing uses it.`);
    return passState === main ? [main] : [passState, main];
  },
};

/** Drops `import … from 'nodejs-nodemailer-outlook'` or `const x = require('nodejs-nodemailer-outlook')` when its names are no longer used. */
function removeUnusedImport(sf: SourceFile): void {
  const used = (names: string[], decl: Node): boolean =>
    sf.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => names.includes(id.getText()) && !id.getAncestors().includes(decl));
  for (const imp of sf.getImportDeclarations()) {
    if (imp.getModuleSpecifierValue() !== PACKAGE) {
      continue;
    }
    const names = [imp.getDefaultImport(), imp.getNamespaceImport(), ...imp.getNamedImports().map((n) => n.getAliasNode() ?? n.getNameNode())]
      .filter((n) => n !== undefined)
      .map((n) => n.getText());
    if (names.length && !used(names, imp)) {
      imp.remove();
    }
  }
  for (const decl of sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const init = decl.getInitializer();
    const required = init && Node.isCallExpression(init) && init.getExpression().getText() === 'require' && init.getArguments()[0]?.getText().slice(1, -1) === PACKAGE;
    if (!required) {
      continue;
    }
    const names = decl.getNameNode().getDescendantsOfKind(SyntaxKind.Identifier).map((n) => n.getText());
    const name = decl.getNameNode();
    if (Node.isIdentifier(name)) {
      names.push(name.getText());
    }
    const statement = decl.getVariableStatement();
    if (names.length && !used(names, decl) && statement) {
      if (statement.getDeclarations().length === 1) {
        statement.remove();
      } else {
        decl.remove();
      }
    }
  }
}

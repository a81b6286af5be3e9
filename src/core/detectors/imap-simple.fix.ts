/**
 * imap-simple: connect() opens a new connection each time, so its options get a fresh token there:
 * `imaps.connect(await withImapSimpleOAuth2(options, host))`, or `withImapSimpleOAuth2(options, host).then(...)`
 * where `await` cannot go. The options lose their password.
 */
import { Node } from 'ts-morph';
import { canAwaitAt, dedentedText, hostArgument, NotFixable, passwordProperty, replaceProps, typedPasswordKey, userExpression, type LibraryFix } from '../fixes/kit';

export const imapSimpleFix: LibraryFix = {
  rewrite({ finding, call, main, passNode, passState }) {
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
  },
};

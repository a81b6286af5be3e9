/**
 * Offline explanation of a pasted message: an SMTP/IMAP/POP reply, an AADSTS error, a Microsoft Graph
 * error body, a socket/TLS error, or an access token. The causes and remedies come from the table
 * `verify` uses (src/core/verify/explain.ts); what is added here is recognising the message in free text
 * and the password (Basic) login cases, which `verify` never meets because it always logs in with OAuth.
 * Nothing is sent anywhere; a token is decoded locally and never echoed (every text is redacted).
 */
import { checkClaims, decodeJwtClaims, APP_ROLE, DELEGATED_SCOPE, type Flow } from '../verify/claims';
import {
  AADSTS,
  explainAuthFailure,
  explainMailFromFailure,
  explainNetworkError,
  networkCode,
  oneLine,
  type Explanation,
  type TokenErrorContext,
} from '../verify/explain';
import { redactTokens } from '../verify/redact';
import type { Protocol } from '../model';

/** What a pasted text was recognised as. */
export type PastedKind = 'smtp' | 'imap' | 'pop3' | 'aadsts' | 'graph' | 'network' | 'token';

/** The explanation of a pasted text; `explained` is false when it was recognised but has no entry. */
export interface PastedExplanation extends Explanation {
  kind: PastedKind;
  explained: boolean;
  /** Facts read from the text (token claims, the reply code); never a secret. */
  facts: string[];
}

const MIGRATE =
  'The code logs in with a password. Find it with `mail-oauth-migrate scan` (or the VS Code extension) and rewrite it to OAuth2 (XOAUTH2) with `mail-oauth-migrate fix`; app passwords do not help.';
const GENERIC_MAILBOX = '<mailbox>';

/** A placeholder context: a pasted message says nothing about the app registration. */
const TOKEN_CONTEXT: TokenErrorContext = {
  flow: 'app',
  clientId: '<client id>',
  authority: 'https://login.microsoftonline.com/<tenant id>',
  credential: 'secret',
};

/** Graph error codes (`{ "error": { "code", "message" } }`), facts from docs/domain-facts.md 7.1. */
const GRAPH: { code: RegExp; message?: RegExp; x: Explanation }[] = [
  {
    code: /^InvalidAuthenticationToken$/i,
    message: /audience/i,
    x: {
      detail:
        'Graph refused the token: its audience is not Microsoft Graph (a token for outlook.office365.com or another API was sent)',
      remedy:
        'Request the token for Graph: app-only scope https://graph.microsoft.com/.default, delegated https://graph.microsoft.com/Mail.Send. Tokens for SMTP/IMAP/POP (https://outlook.office365.com/.default) are refused by Graph, and Graph tokens by SMTP/IMAP/POP.',
    },
  },
  {
    code: /^InvalidAuthenticationToken$/i,
    message: /expired|lifetime/i,
    x: {
      detail: 'Graph refused the token: it has expired',
      remedy:
        "Get a fresh token before each request (MSAL's acquireTokenByClientCredential / acquireTokenSilent renew it); do not store access tokens.",
    },
  },
  {
    code: /^InvalidAuthenticationToken$/i,
    x: {
      detail: 'Graph refused the access token',
      remedy:
        'Send a token issued for https://graph.microsoft.com (scope https://graph.microsoft.com/.default for app-only) in the Authorization: Bearer header; check its expiry with `mail-oauth-migrate explain <token>`.',
    },
  },
  {
    code: /^ErrorAccessDenied$/i,
    message: /RAOP|AppOnly AccessPolicy/i,
    x: {
      detail:
        'an Exchange application access policy (New-ApplicationAccessPolicy) keeps the app away from this mailbox',
      remedy:
        'Add the mailbox to the group the policy allows (Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <client id> shows the verdict), or move to RBAC for Applications (New-ManagementScope + New-ManagementRoleAssignment -Role "Application Mail.Send").',
    },
  },
  {
    code: /^ErrorAccessDenied$|^Authorization_RequestDenied$|^AccessDenied$/i,
    x: {
      detail: 'Graph denied access: the app has no Mail.Send permission for this mailbox',
      remedy:
        'Entra admin center → App registrations → your app → API permissions → Microsoft Graph → Application permissions → Mail.Send, then "Grant admin consent"; or grant "Application Mail.Send" with Exchange RBAC for Applications over a management scope (then do not also grant Entra Mail.Send: the grants add up). Get a new token after the change.',
    },
  },
  {
    code: /^ErrorInvalidUser$|^ResourceNotFound$|^MailboxNotEnabledForRESTAPI$/i,
    x: {
      detail: 'Graph found no mailbox for the user in the request URL',
      remedy:
        'Use /users/{user principal name or object id}/sendMail with a user of this tenant that has an Exchange Online mailbox (licensed); the token must come from the same tenant.',
    },
  },
  {
    code: /^ErrorSendAsDenied$/i,
    x: {
      detail: 'the From address is another mailbox the sender may not send as',
      remedy:
        'Send as the mailbox in the URL, or grant Send As: Add-RecipientPermission -Identity <From address> -Trustee <mailbox> -AccessRights SendAs (Exchange Online PowerShell).',
    },
  },
  {
    code: /^ErrorMimeContentInvalidBase64String$/i,
    x: {
      detail: 'the MIME body of sendMail is not valid base64',
      remedy:
        'POST the whole RFC 822 message base64-encoded with Content-Type: text/plain (about 3 MB raw at most; bigger messages need a draft and an upload session).',
    },
  },
  {
    code: /^(ApplicationThrottled|TooManyRequests|ErrorExceededMessageLimit|MailboxConcurrency)$/i,
    x: {
      detail: 'Graph throttled the request',
      remedy:
        'Wait the Retry-After seconds before retrying. Limits: 10,000 requests per 10 minutes and 4 concurrent requests per app and mailbox; Exchange still allows 30 messages a minute and 10,000 recipients a day per mailbox.',
    },
  },
];

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/** Explains a pasted message; undefined when nothing in it is recognised. */
export function explainText(input: string, now: Date = new Date()): PastedExplanation | undefined {
  const text = input.replace(/^\uFEFF/, '').trim();
  if (!text) {
    return undefined;
  }
  const x =
    explainToken(text, now) ??
    explainGraph(text) ??
    explainAadsts(text) ??
    explainMailReply(text) ??
    explainNetwork(text);
  // Last line of defence: whatever the input held, no token leaves this function.
  return (
    x && {
      ...x,
      detail: redactTokens(x.detail),
      remedy: redactTokens(x.remedy),
      facts: x.facts.map(redactTokens),
    }
  );
}

function explainToken(text: string, now: Date): PastedExplanation | undefined {
  const jwt = JWT.exec(text)?.[0];
  const claims = jwt && decodeJwtClaims(jwt);
  if (!jwt || !claims) {
    return undefined;
  }
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r): r is string => typeof r === 'string')
    : [];
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
  const flow: Flow = roles.length || !scopes.length ? 'app' : 'delegated';
  const auds = (Array.isArray(claims.aud) ? claims.aud : [claims.aud]).filter(
    (a): a is string => typeof a === 'string',
  );
  const forGraph = auds.some((a) =>
    /graph\.microsoft\.(com|us)|microsoftgraph\.chinacloudapi\.cn|^00000003-0000-0000-c000-000000000000$/i.test(
      a,
    ),
  );
  const protocols = (['smtp', 'imap', 'pop3'] as Protocol[]).filter((p) =>
    flow === 'app' ? roles.includes(APP_ROLE[p]) : scopes.includes(DELEGATED_SCOPE[p]),
  );
  const facts = [
    `${flow === 'app' ? 'app-only' : 'delegated'} access token (decoded locally; not verified, not sent anywhere, not shown)`,
  ];
  if (forGraph) {
    const mailSend = roles.includes('Mail.Send') || scopes.includes('Mail.Send');
    const summary = checkClaims(jwt, { protocol: 'smtp', flow, now }).summary.replace(
      /^[^;]*audience[^;]*;?\s*/,
      '',
    );
    facts.push(`audience ${auds.join(', ')} (Microsoft Graph)`, ...(summary ? [summary] : []));
    return {
      kind: 'token',
      explained: true,
      facts,
      detail: `a Microsoft Graph token${mailSend ? ' with Mail.Send' : ' without Mail.Send'}: SMTP, IMAP and POP refuse it (Exchange answers 535 5.7.3 / AUTHENTICATE failed)`,
      remedy: mailSend
        ? 'Use it only for Graph sendMail. For SMTP/IMAP/POP request a token for https://outlook.office365.com/.default (app-only) or https://outlook.office.com/SMTP.Send (delegated).'
        : 'For Graph sendMail the app needs Mail.Send (API permissions → Microsoft Graph, admin consent); for SMTP/IMAP/POP request a token for https://outlook.office365.com/.default instead.',
    };
  }
  const checks = (protocols.length ? protocols : (['smtp'] as Protocol[])).map((p) => ({
    p,
    c: checkClaims(jwt, { protocol: p, flow, now }),
  }));
  const best = checks.find((c) => !c.c.problems.length) ?? checks[0];
  facts.push(best.c.summary);
  if (!best.c.problems.length) {
    return {
      kind: 'token',
      explained: true,
      facts,
      detail: `the token looks right for ${protocols.map((p) => p.toUpperCase()).join(', ')} (audience, permission and expiry checked locally)`,
      remedy:
        flow === 'app'
          ? 'If Exchange still refuses it, the cause is on the Exchange side: the service principal (New-ServicePrincipal with the Enterprise application Object ID) and the mailbox permission (Add-MailboxPermission). `mail-oauth-migrate setup` prints the PowerShell.'
          : 'If Exchange still refuses it, the signed-in user needs access to the mailbox logged in to (the XOAUTH2 user= must be the mailbox address), and the protocol must be enabled for it (Set-CASMailbox).',
    };
  }
  return {
    kind: 'token',
    explained: true,
    facts,
    detail: best.c.problems.map((p) => p.text).join('; '),
    remedy: best.c.problems.map((p) => p.remedy).join(' '),
  };
}

/** The `{ error: { code, message } }` object of a Graph reply, found anywhere in the text. */
function graphError(text: string): { code: string; message: string } | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) {
    return undefined;
  }
  try {
    const body = JSON.parse(text.slice(start, end + 1)) as { error?: { code?: unknown; message?: unknown } };
    const e = body?.error;
    return e && typeof e.code === 'string'
      ? { code: e.code, message: typeof e.message === 'string' ? e.message : '' }
      : undefined;
  } catch {
    return undefined;
  }
}

function explainGraph(text: string): PastedExplanation | undefined {
  const e = graphError(text);
  if (!e) {
    return undefined;
  }
  if (/AADSTS\d+/.test(e.message)) {
    return explainAadsts(e.message);
  }
  const hit = GRAPH.find((g) => g.code.test(e.code) && (!g.message || g.message.test(e.message)));
  const facts = [`Graph error ${e.code}${e.message ? `: "${oneLine(e.message, 200)}"` : ''}`];
  return hit
    ? { kind: 'graph', explained: true, facts, ...hit.x }
    : {
        kind: 'graph',
        explained: false,
        facts,
        detail: `Microsoft Graph error ${e.code} has no entry in the table`,
        remedy: 'See https://learn.microsoft.com/graph/errors for the code.',
      };
}

function explainAadsts(text: string): PastedExplanation | undefined {
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  if (!code) {
    return undefined;
  }
  const said = oneLine(
    /AADSTS\d+:[^\r\n]*/.exec(text)?.[0]?.replace(/\s*(-\s*)?(Trace ID|Correlation ID|Timestamp):.*$/, '') ??
      `AADSTS${code}`,
    240,
  );
  const facts = [`Entra ID: "${said}"`];
  const cause = AADSTS[code];
  const flow: Flow = /device.?code|delegated|AcquireTokenByDeviceCode|authorization_pending/i.test(text)
    ? 'delegated'
    : 'app';
  return cause
    ? {
        kind: 'aadsts',
        explained: true,
        facts,
        detail: `AADSTS${code}: ${cause.what}`,
        remedy: cause.remedy({ ...TOKEN_CONTEXT, flow }),
      }
    : {
        kind: 'aadsts',
        explained: false,
        facts,
        detail: `AADSTS${code} has no entry in the table`,
        remedy: `Look the code up at https://login.microsoftonline.com/error?code=${code} and check the Entra sign-in logs (Enterprise applications → your app → Sign-in logs).`,
      };
}

/** The server reply inside a client's error text (nodemailer prefixes "Invalid login: "). */
function smtpReply(text: string): string | undefined {
  // with an enhanced status code anywhere ("… Invalid login: 535 5.7.3 …"), or a bare reply at the start of a
  // line or after a colon ("535 Authentication failed"); not any number followed by a word ("I have 500 emails")
  const m =
    /\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b/.exec(text) ?? /(?:^|:\s*)[45]\d\d[ -][A-Z]/m.exec(text);
  return m ? text.slice(m.index).replace(/^:\s*/, '') : undefined;
}

function explainMailReply(text: string): PastedExplanation | undefined {
  const reply = smtpReply(text);
  if (reply) {
    return explainSmtp(reply);
  }
  const facts = (r: string): string[] => [`server reply: "${oneLine(r, 200)}"`];
  // a tagged or untagged IMAP reply, or the text node-imap / imapflow put in their errors
  const imap = (
    /(?:^|\s)(?:[A-Za-z0-9.*]+\s+)?(?:NO|BAD|BYE)\s.*$/m.exec(text)?.[0] ??
    /^.*\b(?:LOGIN|AUTHENTICATE) failed\b.*$/im.exec(text)?.[0]
  )?.trim();
  if (imap && /LOGIN failed/i.test(imap) && !/AUTHENTICATE/i.test(imap)) {
    return {
      kind: 'imap',
      explained: true,
      facts: facts(imap),
      detail: `Exchange Online refused an IMAP password (LOGIN) login: Basic authentication for IMAP was switched off in Oct–Dec 2022 and cannot be re-enabled (Outlook.com: since 16 Sep 2024)`,
      remedy: MIGRATE,
    };
  }
  if (imap && /AUTHENTICATE failed|AUTHENTICATIONFAILED|AccessTokenExpired|Session invalidated/i.test(imap)) {
    const x = explainAuthFailure(imap, {
      protocol: 'imap',
      flow: 'app',
      user: GENERIC_MAILBOX,
      claimProblems: [],
    });
    return { kind: 'imap', explained: true, facts: facts(imap), ...x };
  }
  const pop = /-ERR\b.*$/m.exec(text)?.[0]?.trim();
  if (pop && /auth|logon|login|password/i.test(pop)) {
    const x = explainAuthFailure(pop, {
      protocol: 'pop3',
      flow: 'app',
      user: GENERIC_MAILBOX,
      claimProblems: [],
    });
    return {
      kind: 'pop3',
      explained: true,
      facts: facts(pop),
      detail: `POP3 refused the login; ${x.detail.replace(/^.*?; /, '')}`,
      remedy: `With a password (USER/PASS) this is expected: Exchange Online switched POP Basic authentication off in 2022. ${MIGRATE} With XOAUTH2: ${x.remedy}`,
    };
  }
  return undefined;
}

function explainSmtp(reply: string): PastedExplanation {
  const facts = [`server reply: "${oneLine(reply, 200)}"`];
  const basicOff = /5\.7\.139/.test(reply) && /basic authentication is disabled/i.test(reply);
  if (basicOff) {
    const oauth = explainAuthFailure(reply, {
      protocol: 'smtp',
      flow: 'app',
      user: GENERIC_MAILBOX,
      claimProblems: [],
    });
    return {
      kind: 'smtp',
      explained: true,
      facts,
      detail:
        'Exchange Online / Outlook.com refused a password (Basic) SMTP login: Outlook.com accounts since 16 Sep 2024; Exchange Online tenants where SMTP AUTH Basic auth is off (disabled by default from the end of December 2026)',
      remedy: `${MIGRATE} If this came from an OAuth (XOAUTH2) login, SMTP AUTH itself is blocked: ${oauth.remedy.replace(/^.*?SMTP AUTH itself is blocked for the mailbox: /, '').replace('use --flow delegated with', 'use delegated sign-in with')}`,
    };
  }
  if (/SendAsDen|5\.2\.252|5\.7\.60|not allowed to send as|permission to send as/i.test(reply)) {
    const who = /(\S+@\S+?) not allowed to send as (\S+@[^\s;.]+(?:\.[^\s;.]+)*)/i.exec(reply);
    const x = explainMailFromFailure(reply, {
      user: who?.[1] ?? GENERIC_MAILBOX,
      from: who?.[2] ?? '<From address>',
      flow: 'app',
    });
    return { kind: 'smtp', explained: true, facts, ...x };
  }
  if (/5\.5\.105/.test(reply)) {
    return {
      kind: 'smtp',
      explained: true,
      facts,
      detail:
        'High Volume Email (smtp-hve.office365.com) refused an external recipient: HVE delivers to internal recipients only',
      remedy:
        'Send external mail through Azure Communication Services Email, Microsoft Graph sendMail, or SMTP AUTH with OAuth (smtp.office365.com:587, XOAUTH2).',
    };
  }
  const x = explainAuthFailure(reply, {
    protocol: 'smtp',
    flow: 'app',
    user: GENERIC_MAILBOX,
    claimProblems: [],
  });
  if (/5\.7\.3\b/.test(reply) || /^535(?! 5\.7\.139)/.test(reply)) {
    // Exchange gives 535 5.7.3 for a wrong password and for a rejected token alike.
    return {
      kind: 'smtp',
      explained: true,
      facts,
      detail:
        'Exchange rejected the SMTP login (535 5.7.3 is its answer to a wrong password and to a rejected OAuth token alike)',
      remedy: `With a password: the password is wrong, or Basic authentication is blocked for the account; either way move to OAuth2 (\`mail-oauth-migrate scan\` finds the code, \`mail-oauth-migrate fix\` rewrites it). With OAuth (XOAUTH2): ${x.remedy}`,
    };
  }
  const recognised = /5\.7\.(139|30|57)\b|^4\d\d/.test(reply);
  if (!recognised && /^5\d\d/.test(reply) && /5\.[0-9.]+/.test(reply)) {
    return {
      kind: 'smtp',
      explained: false,
      facts,
      detail: 'an SMTP error reply that has no entry in the table',
      remedy:
        'Look the enhanced status code up in the Exchange Online NDR reference (https://learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online).',
    };
  }
  return { kind: 'smtp', explained: recognised, facts, ...x };
}

function explainNetwork(text: string): PastedExplanation | undefined {
  const code = /\b(E[A-Z]{4,}|[A-Z][A-Z_]{10,}|ERR_[A-Z_]+)\b/g;
  for (const m of text.matchAll(code)) {
    const err = { code: m[1], message: text };
    if (networkCode(err)) {
      const host =
        /\b(?:connect|getaddrinfo)\s+[A-Z_]+\s+([\w.-]+?)(?::(\d+))?(?=\s|$)/i.exec(text) ??
        /\b([\w-]+(?:\.[\w-]+)*\.[a-z]{2,})(?::(\d+))?\b/i.exec(text);
      const x = explainNetworkError(err, {
        host: host?.[1] ?? '<host>',
        port: host?.[2] ? Number(host[2]) : undefined,
      });
      return { kind: 'network', explained: true, facts: [`error code ${m[1]}`], ...x };
    }
  }
  return undefined;
}

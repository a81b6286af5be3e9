/** Shared strings for findings received from a worker (CLI scan, extension workspace scan). */
import type { Finding } from './core/model';

/**
 * One copy of each string that findings repeat (messages, rule codes, hosts, the related locations'
 * files and messages): each finding a worker posts arrives with its own copies, and a large scan's
 * findings would hold the same message tens of thousands of times. Used by the CLI and by the
 * extension host (both receive a scan's findings from a worker).
 */
export function shareStrings(f: Finding, strings: Map<string, string>): Finding {
  const one = <T extends string | undefined>(s: T): T => {
    if (s === undefined) {
      return s;
    }
    const known = strings.get(s);
    if (known !== undefined) {
      return known as T;
    }
    strings.set(s, s);
    return s;
  };
  f.message = one(f.message);
  f.code = one(f.code);
  f.host = one(f.host);
  f.mailbox = one(f.mailbox);
  f.fix.manual = one(f.fix.manual);
  f.fix.passwordEnvVars = f.fix.passwordEnvVars.map(one);
  for (const r of f.related) {
    r.file = one(r.file);
    r.message = one(r.message);
  }
  return f;
}

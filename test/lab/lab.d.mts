// Types for the parts of lab.mjs the TypeScript tests use.
export interface LabHandle {
  env: Record<string, string>;
  ports: Record<'oauth' | 'smtp' | 'smtps' | 'imap' | 'imaps' | 'pop3' | 'pop3s' | 'graph', number>;
  host: string;
  servername: string;
  tenantId: string;
  authority: string;
  outboxDir: string;
  /** The servers' logs (authority.log lists every token it issues). */
  logsDir: string;
  mailDir: string;
  /** The certificate credential of the lab app marked "certificate": key file, key text, SHA-256 thumbprint (hex). */
  certificate(clientId?: string): { clientId: string; keyPath: string; privateKey: string; thumbprint: string };
  setFaults(faults: Record<string, unknown>): Promise<unknown>;
  getFaults(): Promise<Record<string, unknown>>;
  resetFaults(): Promise<unknown>;
  /** Ends every IMAP/POP session of a mailbox (doveadm kick). */
  kick(user: string): number;
  stop(opts?: { force?: boolean }): Promise<void>;
}
export function isDovecotInstalled(): boolean;
export function labUnavailableReason(): string | null;
export function startLab(opts?: Record<string, unknown>): Promise<LabHandle>;

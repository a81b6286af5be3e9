/**
 * Runs the core's setup verification and formats its report, relaying step progress and the device-code
 * prompt as events: the same in the analyzer worker (analyzer-worker.ts) and in the in-process fallback
 * used from sources (analyzer-client.ts). Type imports only: nothing here loads the core.
 */
import type { VerifyApi, VerifyReportResult } from './core';

/** What a running verification tells the extension host: a step starts, or the user must sign in. */
export type VerifyEvent =
  | { kind: 'step'; step: string; title: string }
  | { kind: 'device-code'; message: string; userCode: string; verificationUri: string };

/** A verification's outcome, formatted where it ran (the host never loads the core for it). */
export interface VerifyOutcome {
  report: VerifyReportResult;
  text: string;
  titles: Record<string, string>;
}

export async function runVerify(
  api: VerifyApi,
  input: Parameters<VerifyApi['verify']>[0],
  signal: AbortSignal | undefined,
  onEvent?: (e: VerifyEvent) => void,
): Promise<VerifyOutcome> {
  const titles = api.STEP_TITLES ?? {};
  // Microsoft Graph sendMail (code moved with `fix --to graph` or from EWS) has its own checks
  if (input.graph && typeof api.verifyGraph !== 'function') {
    throw new Error('This version of the core cannot verify Microsoft Graph sendMail.');
  }
  const run = input.graph ? api.verifyGraph!.bind(api) : api.verify.bind(api);
  const report = await run(input, {
    signal,
    onProgress: (step) => onEvent?.({ kind: 'step', step, title: titles[step] ?? step }),
    deviceCodeCallback: (info) =>
      onEvent?.({
        kind: 'device-code',
        message: info.message,
        userCode: info.userCode,
        verificationUri: info.verificationUri,
      }),
  });
  // The core's report never contains a secret, a token or a SASL string.
  return { report, text: api.formatReportText?.(report, { color: false }) ?? '', titles };
}

/** Shared fixtures for the verify unit tests. */

/** An unsigned JWT with the given claims (verify never checks signatures). */
export function fakeJwt(claims: Record<string, unknown>): string {
  const b = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b({ alg: 'RS256', typ: 'JWT' })}.${b(claims)}.c2ln`;
}

/** An error shaped like MSAL's ServerError for an Entra error response. */
export function msalServerError(code: number, error: string, text: string): Error {
  const description = `AADSTS${code}: ${text} Trace ID: 0000 Correlation ID: 1111 Timestamp: 2026-06-01 12:00:00Z`;
  return Object.assign(
    new Error(
      `${error}: Error(s): ${code} - Timestamp: 2026-06-01 12:00:00Z - Description: ${description} - Correlation ID: 1111 - Trace ID: 0000`,
    ),
    {
      name: 'ServerError',
      errorCode: error,
      errorMessage: `Error(s): ${code} - Timestamp: 2026-06-01 12:00:00Z - Description: ${description}`,
      errorNo: String(code),
    },
  );
}

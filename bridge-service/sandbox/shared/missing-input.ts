/**
 * One rule for a sandbox check whose input is missing: in CI (`CI=true`) that is a failure, never a skip; anywhere
 * else the check is skipped with a loud line on stderr, so a skip is never mistaken for a pass.
 */
export function isCi(env: Record<string, string | undefined> = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** Throws in CI; otherwise prints `SKIPPED: <reason>` to stderr and returns the reason. */
export function skipUnlessCi(
  reason: string,
  env: Record<string, string | undefined> = process.env,
): { skipped: string } {
  if (isCi(env)) throw new Error(`${reason}. CI=true: a missing input fails the check instead of skipping it.`);
  process.stderr.write(`\n*** SKIPPED (CI would fail here): ${reason}\n\n`);
  return { skipped: reason };
}

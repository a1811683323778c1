/** Jest globalTeardown: stops the run's PostgreSQL and removes its data directory. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__ledgerlineTestPostgres;
  globalThis.__ledgerlineTestPostgres = undefined;
  await server?.stop();
}

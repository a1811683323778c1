// Child process for the two-process refresh test: one bridge process's token manager on a shared store.
// Args: <db> <hexKey> <owner> <tokenUrl> <startAt>. Prints the access token it ends up with.
import { SqliteStore } from '../../store';
import { XeroTokenManager } from '../tokens';

async function main(): Promise<void> {
  const [dbPath, hexKey, owner, tokenUrl, startAt] = process.argv.slice(2) as [string, string, string, string, string];
  const store = new SqliteStore({ path: dbPath, encryptionKey: Buffer.from(hexKey, 'hex') });
  const tokens = new XeroTokenManager({
    connections: store.xeroConnections,
    owner,
    config: {
      tokenUrl,
      authorizeUrl: 'http://unused/authorize',
      connectionsUrl: 'http://unused/connections',
      clientId: 'client',
      clientSecret: 'secret',
      redirectUri: 'http://localhost/cb',
      scopes: ['offline_access'],
    },
  });
  while (Date.now() < Number(startAt)) await new Promise((r) => setTimeout(r, 2));
  const results = await Promise.all([1, 2, 3].map(() => tokens.getAccessToken('conn-1')));
  await store.close();
  process.stdout.write(JSON.stringify(results));
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exit(1);
});

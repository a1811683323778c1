import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { auth, build } from '../helper';

/** swagger-parser is ES modules inside, which Jest's CommonJS runtime cannot load: validate in a child Node. */
async function validateOpenApi(doc: unknown): Promise<void> {
  const child = promisify(execFile)(
    process.execPath,
    [
      '-e',
      `let text = '';
process.stdin.on('data', (chunk) => (text += chunk)).on('end', () =>
  require('@apidevtools/swagger-parser').validate(JSON.parse(text)).then(
    () => process.stdout.write('valid'),
    (err) => { process.stderr.write(String(err && err.message)); process.exit(1); },
  ));`,
    ],
    { cwd: __dirname },
  );
  child.child.stdin?.end(JSON.stringify(doc));
  expect((await child).stdout).toBe('valid');
}

describe('GET /admin/openapi.json', () => {
  it('needs the admin token', async () => {
    const { app } = await build();
    expect((await app.inject({ method: 'GET', url: '/admin/openapi.json' })).statusCode).toBe(401);
  });

  it('publishes a valid OpenAPI 3 document of every route, made from the routes’ schemas', async () => {
    const { app } = await build();
    const res = await app.inject({ method: 'GET', url: '/admin/openapi.json', headers: auth });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    await validateOpenApi(doc);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/admin/dead-letters',
      '/admin/drift-checks',
      '/admin/drift/{entity}',
      '/admin/imports',
      '/admin/imports/{runKey}',
      '/admin/imports/{runKey}/resume',
      '/admin/jobs',
      '/admin/jobs/{id}',
      '/admin/jobs/{id}/retry',
      '/admin/openapi.json',
      '/connect/xero',
      '/connect/xero/callback',
      '/health',
      '/metrics',
      '/ready',
      '/webhooks/xero',
    ]);
    const list = doc.paths['/admin/jobs'].get;
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['query:state', 'query:action', 'query:tenant', 'query:limit', 'query:cursor']),
    );
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    const retry = doc.paths['/admin/jobs/{id}/retry'].post;
    expect(Object.keys(retry.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(retry.responses['200'].content['application/json'].schema.properties.job.properties.state.enum).toEqual([
      'queued',
      'running',
      'done',
      'failed',
      'dead',
    ]);
  });
});

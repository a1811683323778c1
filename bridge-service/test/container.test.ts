/**
 * The container files, checked without a container runtime (there is none here): bridge-service/Dockerfile,
 * the root .dockerignore and compose.yaml are parsed and held to what production needs. The image itself has
 * not been built here; the build steps it runs are the ones production-build.test.ts runs for real.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENV_KEYS } from '../src/config';
import { MEMORY_ENV, NODE_MEMORY_FLAGS } from '../src/server/runtime-memory';

const REPO = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(REPO, file), 'utf8');

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Instructions of a Dockerfile: comments dropped, continuation lines joined. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    const joined = pending ? `${pending.text} ${line}` : line;
    const start = pending?.line ?? i + 1;
    if (joined.endsWith('\\')) {
      pending = { text: joined.slice(0, -1).trim(), line: start };
      return;
    }
    pending = undefined;
    const [op, ...rest] = joined.split(/\s+/);
    out.push({ op: op!.toUpperCase(), args: rest.join(' '), line: start });
  });
  return out;
}

/** Stages by name (FROM … AS name), each with its instructions. */
function stagesOf(instructions: Instruction[]): { name: string; from: string; body: Instruction[] }[] {
  const stages: { name: string; from: string; body: Instruction[] }[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      stages.push({ from: m![1]!, name: m![2] ?? String(stages.length), body: [] });
    } else stages.at(-1)?.body.push(ins);
  }
  return stages;
}

/** Docker's .dockerignore rule: the last pattern matching the path or one of its parent folders decides. */
function ignoredByDockerignore(patterns: string[], path: string): boolean {
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\/?/g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\u0000/g, '(?:.*/)?')}$`,
    );
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const re = toRegex((negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, ''));
    if (prefixes.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

describe('bridge-service/Dockerfile', () => {
  const dockerfile = read('bridge-service/Dockerfile');
  const instructions = parseDockerfile(dockerfile);
  const args = Object.fromEntries(
    instructions.filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]),
  );
  const stages = stagesOf(instructions);
  const runtime = stages.at(-1)!;
  const dockerignore = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('builds in stages from a pinned Node 24 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      const image = stage.from.replace(/^\$\{(\w+)\}$/, (_, name: string) => args[name] ?? '');
      expect(image).toMatch(/^node:24\.\d+\.\d+-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it('copies only what exists and what .dockerignore lets into the context', () => {
    const names = new Set(stages.map((s) => s.name));
    const copies = instructions.filter((i) => i.op === 'COPY' || i.op === 'ADD');
    expect(instructions.some((i) => i.op === 'ADD')).toBe(false);
    for (const copy of copies) {
      const words = copy.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
      if (from !== undefined) {
        expect([copy.line, names.has(from)]).toEqual([copy.line, true]);
        continue;
      }
      for (const source of sources) {
        expect([source, existsSync(join(REPO, source))]).toEqual([source, true]);
        expect([source, ignoredByDockerignore(dockerignore, source)]).toEqual([source, false]);
      }
    }
    // and keeps the rest out
    for (const outside of ['force-app/main', 'bridge-service/sandbox/xero', 'node_modules/x', 'bridge-service/.env']) {
      expect([outside, ignoredByDockerignore(dockerignore, outside)]).toEqual([outside, true]);
    }
    expect(ignoredByDockerignore(dockerignore, 'bridge-service/src/bridge.test.ts')).toBe(true);
  });

  it('compiles with the workspace build script and installs the runtime stage with npm ci --omit=dev', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const runs = (stage: typeof build) => stage.body.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs(build).join('\n')).toMatch(/npm run --workspace bridge-service build/);
    expect(runs(build).join('\n')).toMatch(/production-package\.mjs --dist bridge-service\/dist --out \/app/);
    expect(runs(runtime).join('\n')).toMatch(/npm ci --omit=dev/);
    const bridgePkg = JSON.parse(read('bridge-service/package.json')) as { scripts: Record<string, string> };
    expect(bridgePkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    // nothing from the build stage's node_modules (dev dependencies), nothing from the sandbox
    for (const copy of runtime.body.filter((i) => i.op === 'COPY')) {
      expect(copy.args).not.toMatch(/node_modules|sandbox/);
    }
  });

  it('runs the built entry as a non-root user, with a health check on /ready and one writable folder', () => {
    const users = runtime.body.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const cmd = JSON.parse(runtime.body.find((i) => i.op === 'CMD')!.args) as string[];
    expect(cmd).toEqual(['node', 'bridge-service/dist/src/index.js']);
    // that path is where tsconfig.build.json puts src/index.ts
    const tsconfig = JSON.parse(read('bridge-service/tsconfig.json')) as { compilerOptions: Record<string, string> };
    expect([tsconfig.compilerOptions.outDir, tsconfig.compilerOptions.rootDir]).toEqual(['dist', '.']);
    expect(existsSync(join(REPO, 'bridge-service/src/index.ts'))).toBe(true);
    const health = runtime.body.find((i) => i.op === 'HEALTHCHECK');
    // liveness, not readiness: /ready is 503 before the first Xero connection, whose callback must still be served
    expect(health?.args).toMatch(/\/health'/);
    // the data folder: made, owned by the runtime user, declared a volume; WORKDIR makes STORE_PATH's default land there
    expect(runtime.body.find((i) => i.op === 'WORKDIR')?.args).toBe('/app');
    expect(runtime.body.some((i) => i.op === 'RUN' && /chown node:node \/app\/data/.test(i.args))).toBe(true);
    expect(runtime.body.find((i) => i.op === 'VOLUME')?.args).toBe('["/app/data"]');
    expect(users.at(-1)).toBe('node');
    expect(dockerfile).not.toMatch(/STORE_PATH=/); // would clash with STORE_URL
  });
  it('starts Node with the memory settings the bench measured (src/server/runtime-memory.ts)', () => {
    // ENV key=value pairs as Docker reads them: a value in double quotes may hold spaces.
    const values = Object.fromEntries(
      runtime.body
        .filter((i) => i.op === 'ENV')
        .flatMap((i) => [...i.args.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)])
        .map(([, key, quoted, bare]) => [key!, quoted ?? bare!]),
    );
    expect(values.NODE_OPTIONS).toBe(NODE_MEMORY_FLAGS.join(' '));
    expect(values).toMatchObject(MEMORY_ENV);
    const bridgePkg = JSON.parse(read('bridge-service/package.json')) as { scripts: Record<string, string> };
    const start = bridgePkg.scripts.start!;
    for (const [name, value] of Object.entries(MEMORY_ENV)) expect(start).toContain(`${name}=${value} `);
    for (const flag of NODE_MEMORY_FLAGS) expect(start).toContain(` ${flag} `);
  });
});

describe('compose.yaml', () => {
  interface Service {
    image?: string;
    build?: { context: string; dockerfile: string };
    environment?: Record<string, string>;
    volumes?: string[];
    read_only?: boolean;
    tmpfs?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: unknown;
    env_file?: { path: string; required: boolean }[];
  }
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const bridges = Object.entries(compose.services).filter(
    ([, s]) => s.build?.dockerfile === 'bridge-service/Dockerfile',
  );

  it('runs two bridges from the Dockerfile and one pinned PostgreSQL with a health check and a volume', () => {
    expect(bridges.map(([name]) => name)).toEqual(['bridge-a', 'bridge-b']);
    const postgres = compose.services.postgres!;
    expect(postgres.image).toMatch(/^postgres:18\.\d+$/);
    expect(postgres.healthcheck).toBeDefined();
    expect(postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql']);
    expect(postgres.environment?.POSTGRES_PASSWORD).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
  });

  it('points every bridge at that PostgreSQL with its own instance id, read-only apart from its data volume', () => {
    const ids = new Set<string>();
    for (const [name, bridge] of bridges) {
      const env = bridge.environment ?? {};
      expect([name, Object.keys(env).filter((k) => !(ENV_KEYS as string[]).includes(k))]).toEqual([name, []]);
      expect(env.STORE_URL).toMatch(
        /^postgres:\/\/ledgerline:\$\{POSTGRES_PASSWORD:\?[^}]*\}@postgres:5432\/ledgerline$/,
      );
      expect(env.STORE_PATH).toBeUndefined();
      ids.add(env.BRIDGE_INSTANCE_ID ?? '');
      expect(bridge.read_only).toBe(true);
      expect(bridge.tmpfs).toEqual(['/tmp']);
      expect(bridge.volumes).toEqual([`${name}-data:/app/data`]);
      expect(Object.keys(compose.volumes)).toContain(`${name}-data`);
      expect(bridge.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(bridge.env_file).toEqual([{ path: 'bridge-service/.env', required: true }]);
    }
    expect(ids.size).toBe(bridges.length);
    expect(ids.has('')).toBe(false);
  });
});

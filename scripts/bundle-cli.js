// Bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/, one chunk per command, so that a command
// loads a few files instead of ~340 modules: Node 20 has no compile cache for ES modules, and resolving,
// reading and compiling each file was half of a short command's time (BENCHMARKS.md §1).
//
// Only the pure-JS packages the commands load are bundled (zod-to-openapi is CommonJS but requires nothing).
// Native addons, packages that start their own threads or read files next to their code (better-sqlite3,
// onnxruntime, tfjs, piscina, pino, swagger-ui-dist) and CommonJS packages that require Node's modules
// (commander: an ES module bundle has no require()) stay external and load from node_modules.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'dist', 'cli');
const BUNDLED = new Set(['zod', 'drizzle-orm', 'hono', '@hono/zod-openapi', '@hono/zod-validator', '@hono/node-server', '@asteasolutions/zod-to-openapi', 'csv-parse', 'csv-stringify']);

function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const externalUnlessBundled = {
  name: 'external-unless-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(packageOf(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: { quorum: join(ROOT, 'dist', 'src', 'cli', 'main.js') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externalUnlessBundled],
  logLevel: 'warning',
});

// A bundled CommonJS package that requires one of Node's modules would fail only when a command loads it
const withRequire = readdirSync(OUT).filter((f) => readFileSync(join(OUT, f), 'utf8').includes('Dynamic require of'));
if (withRequire.length > 0) {
  console.error(`bundle-cli: ${withRequire.join(', ')} require() a module at run time; keep that package external`);
  process.exit(1);
}

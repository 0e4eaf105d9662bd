/**
 * TF.js backend selection, once per thread (each Piscina worker has its own engine):
 * `@tensorflow/tfjs-node` ("tensorflow", native libtensorflow) when it loads — it is an
 * optionalDependency, imported dynamically inside try/catch — else the WebAssembly
 * backend (`@tensorflow/tfjs-backend-wasm`, non-threaded: the threaded build does
 * not start in Node), else the plain-JS cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };

export const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was not used (module missing, failed to initialise, …). */
  error?: string;
}

export interface BackendInfo {
  name: BackendName;
  /** What was tried, in order, with the reasons for each fallback. */
  attempts: BackendAttempt[];
}

export interface InitBackendOptions {
  /**
   * `auto` (default): tensorflow → wasm → cpu. A backend name starts the chain
   * there (`wasm`: wasm → cpu; `cpu`: cpu only), e.g. to keep tests off native code.
   */
  prefer?: 'auto' | BackendName;
}

let info: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 300);
}

async function tryTensorflow(): Promise<void> {
  // A variable specifier: the package may be absent, and TypeScript must not resolve it.
  const spec: string = TFJS_NODE;
  await import(spec);
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(`${TFJS_NODE} loaded but registered its backend on another copy of @tensorflow/tfjs-core`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error('tf.setBackend("tensorflow") returned false');
}

async function tryWasm(): Promise<void> {
  await import(TFJS_WASM);
  // The flag exists once the wasm package is loaded; force the single-threaded binary.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
}

async function tryCpu(): Promise<void> {
  // PROD only mutes TF.js warnings, here the banner asking to install tfjs-node (we report the backend ourselves).
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

async function select(prefer: 'auto' | BackendName): Promise<BackendInfo> {
  const chain: BackendName[] = prefer === 'auto' ? [...BACKENDS] : BACKENDS.slice(BACKENDS.indexOf(prefer));
  const attempts: BackendAttempt[] = [];
  const tries: Record<BackendName, () => Promise<void>> = { tensorflow: tryTensorflow, wasm: tryWasm, cpu: tryCpu };
  for (const name of chain) {
    try {
      await tries[name]();
      await tf.ready();
      attempts.push({ name, ok: true });
      return { name, attempts };
    } catch (e) {
      attempts.push({ name, ok: false, error: message(e) });
    }
  }
  throw new Error(`no TF.js backend could start: ${attempts.map((a) => `${a.name}: ${a.error ?? '?'}`).join('; ')}`);
}

/**
 * Pick and initialise the backend (idempotent: later calls return the first
 * result, whatever `prefer` they pass). Resolves to the backend in use.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendName> {
  if (info) return info.name;
  pending ??= select(opts.prefer ?? 'auto').then((i) => (info = i));
  try {
    return (await pending).name;
  } catch (e) {
    pending = undefined;
    throw e;
  }
}

/** The backend in use, or undefined before {@link initBackend} finished. */
export function activeBackend(): BackendName | undefined {
  return info?.name;
}

/** The backend in use with the reasons for any fallback (for `quorum doctor` and `/health`). */
export function backendInfo(): BackendInfo | undefined {
  return info && { name: info.name, attempts: info.attempts.map((a) => ({ ...a })) };
}

/** Throws unless {@link initBackend} has finished: the synchronous entry points need a ready backend. */
export function requireBackend(): BackendName {
  const name = activeBackend();
  if (!name) throw new Error('TF.js backend not initialised: await initBackend() first');
  return name;
}
